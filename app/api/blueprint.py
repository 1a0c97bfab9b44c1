"""The /api/v1 blueprint: token or session auth, health and readiness, body and query helpers."""

from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy import text

from app.access.signin import browser_session, check_csrf
from app.access.tokens import token_caller
from app.core.roles import ADMIN, READ, ROLE_SCOPES, TRIAGE, Caller, required_scope
from app.db import get_session
from app.errors import ApiError, not_found
from app.extensions import limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = {"api.health", "api.ready"}
NEEDS = {
    READ: "Every role reads.",
    TRIAGE: "Members and administrators triage; viewers only read.",
    ADMIN: "Only administrators manage users, tokens, projects and settings.",
}


def unauthenticated_limit() -> str:
    """Per-IP limit on requests that fail authentication (guessing tokens)."""
    return f"{current_app.config['FAULTLINE']['ratelimit']['unauthenticated_per_minute']}/minute"


limiter.limit(unauthenticated_limit, deduct_when=lambda response: response.status_code == 401)(bp)


@bp.before_request
def _authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    # A token wins over a cookie: a cross-site page cannot make a browser send the header.
    signed_in = None if header else browser_session()
    if signed_in is not None:
        check_csrf(signed_in)
        g.user = signed_in
        g.caller = Caller(
            kind="user",
            label=signed_in.actor,
            scopes=ROLE_SCOPES.get(signed_in.role, frozenset()),
            user_id=signed_in.user_id,
            via=f"session:{signed_in.key[:12]}",
        )
    else:
        g.caller = _token_caller(header)
    g.actor = g.caller.label
    _check_scope(g.caller)


def _token_caller(header: str) -> Caller:
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise ApiError(
            401, "unauthorized", "Sign in, or send an API token (Authorization: Bearer ...)."
        )
    caller = token_caller(presented.strip(), datetime.now(UTC))
    if caller is None:
        raise ApiError(401, "unauthorized", "The API token is not valid (or has expired).")
    return caller


def _check_scope(caller: Caller) -> None:
    needed = required_scope(current_app.view_functions.get(request.endpoint))
    if needed is None:
        # Deny by default: a route nobody gave a scope is nobody's.
        raise ApiError(403, "forbidden", "This route is not open to anyone.")
    if not caller.may(needed):
        raise ApiError(403, "forbidden", f"This needs the {needed!r} scope. {NEEDS[needed]}")


def require_project(project_id: int) -> None:
    """404 for a project a project-limited token may not see (as if it did not exist)."""
    caller = g.get("caller")
    if caller is not None and not caller.may_see_project(project_id):
        raise not_found("Project")


@bp.get("/health")
def health() -> Response:
    """Liveness; reveals no version."""
    return jsonify(ok=True)


@bp.get("/ready")
def ready() -> Response:
    """Readiness: 200 when the database answers (503 with Retry-After otherwise)."""
    get_session().execute(text("SELECT 1"))
    return jsonify(ok=True)


def query_args() -> dict:
    """The query string as a plain dict (last value wins)."""
    return request.args.to_dict()


def json_body() -> dict:
    """The JSON object body of an API request; 400 when it is missing or not an object."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "The request body must be a JSON object.")
    return body
