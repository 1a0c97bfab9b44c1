"""The /api/v1 blueprint: token or session auth, health and readiness, body and query helpers."""

from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy import text

from app.access.signin import browser_session, check_csrf
from app.access.tokens import find_token
from app.db import get_session
from app.errors import ApiError
from app.extensions import limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = {"api.health", "api.ready"}


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
        g.user, g.actor = signed_in, signed_in.actor
        return
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise ApiError(
            401, "unauthorized", "Sign in, or send an API token (Authorization: Bearer ...)."
        )
    session = get_session()
    token = find_token(session, presented.strip())
    if token is None:
        raise ApiError(401, "unauthorized", "The API token is not valid.")
    g.actor = f"token:{token.name}"


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
