"""The /auth/oidc/<name>/start and /callback routes: the authorization code flow with PKCE
(S256), state and nonce, ending in the same browser session as a password sign-in."""

import hmac
import secrets
from datetime import UTC, datetime

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from flask import Blueprint, Response, current_app, g, redirect, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import TooManyRequests

from app.access.oidc.id_tokens import TokenRejected, validate_id_token
from app.access.oidc.identities import SignInRefused, identity_user
from app.access.oidc.providers import TIMEOUT, Provider, ProviderError
from app.access.oidc.registry import init_registry, registry
from app.access.signin import (
    failure_limit,
    page,
    safe_next,
    secure,
    signed_in,
    signin_actor,
)
from app.audit.log import record
from app.core.access_rules import role_for
from app.db import get_session
from app.errors import retry_after

bp = Blueprint("oidc", __name__, url_prefix="/auth/oidc")

# state, nonce, PKCE verifier, provider and next path between start and callback: signed,
# HttpOnly, sent only to /auth/oidc/, and deleted at the callback so it serves once.
FLOW_COOKIE = "faultline_oidc"
FLOW_PATH = "/auth/oidc/"
FLOW_SECONDS = 600
MAX_FLOW_COOKIE = 2000


class Refusal(Exception):
    """A sign-in that ends on a refusal page (and, unless the provider failed, counts as a
    failed sign-in)."""

    def __init__(self, status: int, reason: str, text: str, user=None, counts=True, **detail):
        super().__init__(text)
        self.status, self.reason, self.text = status, reason, text
        self.user, self.counts, self.detail = user, counts, detail


@bp.record_once
def _setup(state) -> None:
    init_registry(state.app)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="faultline-oidc-flow")


def _redirect_uri(provider: Provider) -> str:
    base_url = current_app.config["FAULTLINE"]["web"]["base_url"].rstrip("/")
    return f"{base_url}/auth/oidc/{provider.name}/callback"


def _client(provider: Provider, token_auth_method: str) -> OAuth2Client:
    return OAuth2Client(
        client_id=provider.client_id,
        client_secret=provider.client_secret or None,
        token_endpoint_auth_method=token_auth_method,
        scope=" ".join(provider.scopes),
        redirect_uri=_redirect_uri(provider),
        code_challenge_method="S256",
        timeout=TIMEOUT,
    )


def _provider_or_404(name: str) -> Provider:
    provider = registry().providers.get(name)
    if provider is None:
        raise Refusal(404, "unknown_provider", "No identity provider has this name.", counts=False)
    return provider


def _unavailable(provider: Provider, error: Exception) -> Refusal:
    return Refusal(
        502,
        "provider",
        f"{provider.label} cannot be used right now ({error}). Please try again later.",
        counts=False,
    )


@bp.get("/<name>/start")
def start(name: str) -> Response:
    """Send the browser to the provider's sign-in page."""
    try:
        provider = _provider_or_404(name)
        try:
            discovery = registry().discovery.get(provider)
        except ProviderError as error:
            raise _unavailable(provider, error) from None
    except Refusal as refusal:
        return _refusal_page(refusal)
    state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
    with _client(provider, discovery.token_auth_method) as client:
        url, _state = client.create_authorization_url(
            discovery.authorization_endpoint, state=state, code_verifier=verifier, nonce=nonce
        )
    flow = {
        "p": provider.name,
        "s": state,
        "n": nonce,
        "v": verifier,
        "next": safe_next(request.args.get("next")) or "/",
    }
    response = redirect(url, 302)
    response.headers["Cache-Control"] = "no-store"
    response.set_cookie(
        FLOW_COOKIE,
        _serializer().dumps(flow),
        max_age=FLOW_SECONDS,
        path=FLOW_PATH,
        httponly=True,
        samesite="Lax",
        secure=secure(),
    )
    return response


@bp.get("/<name>/callback")
@failure_limit
def callback(name: str) -> Response:
    """Finish the provider's sign-in: check everything, then start a browser session."""
    now = datetime.now(UTC)
    db = get_session()
    try:
        provider = _provider_or_404(name)
        flow = _flow(provider)
        claims = _verified_claims(provider, flow, now)
        user = identity_user(db, provider, claims, role_for(registry().rules, claims), now)
    except SignInRefused as refused:
        return _failed(db, name, Refusal(403, refused.reason, str(refused), refused.user), now)
    except Refusal as refusal:
        return _failed(db, name, refusal, now)
    method = f"oidc:{provider.name}"
    response = signed_in(db, user, now, flow["next"], method, provider.name, role=user.role)
    _forget_flow(response)
    return response


def _flow(provider: Provider) -> dict:
    raw = request.cookies.get(FLOW_COOKIE, "")
    try:
        if not raw or len(raw) > MAX_FLOW_COOKIE:
            raise BadSignature("no sign-in in progress")
        flow = _serializer().loads(raw, max_age=FLOW_SECONDS)
    except BadSignature:
        # Also a replayed callback: the cookie went with the first one.
        raise Refusal(
            400, "state", "This sign-in expired or was already used. Please sign in again."
        ) from None
    error = request.args.get("error")
    # Before the state check: some providers leave state out of their error answers, and a
    # forged error can do no more than show this page.
    if error is not None:
        code = error if error.isascii() and error.replace("_", "").isalnum() else "error"
        raise Refusal(
            403,
            "provider_refused",
            f"{provider.label} did not sign you in ({code[:40]}).",
            error=code[:40],
        )
    presented = request.args.get("state", "")
    if flow.get("p") != provider.name or not hmac.compare_digest(
        presented.encode(), str(flow.get("s", "")).encode()
    ):
        raise Refusal(400, "state", "This sign-in does not match the one this browser started.")
    return flow


def _verified_claims(provider: Provider, flow: dict, now: datetime) -> dict:
    code = request.args.get("code", "")
    if not code or len(code) > 2000:
        raise Refusal(400, "code", f"{provider.label} sent no authorization code.")
    try:
        discovery = registry().discovery.get(provider)
        with _client(provider, discovery.token_auth_method) as client:
            token = client.fetch_token(
                discovery.token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=flow["v"],
            )
        raw = token.get("id_token")
        if not isinstance(raw, str):
            raise Refusal(401, "token", f"{provider.label} sent no ID token.", check="missing")
        return validate_id_token(raw, provider, discovery, registry().keys, flow["n"], now)
    except OAuthError as error:
        # A used or expired code, a wrong verifier or redirect URI, a wrong client secret.
        raise Refusal(
            401,
            "token",
            f"{provider.label} refused to complete this sign-in ({error.error}).",
            check="token_request",
            error=str(error.error)[:40],
        ) from None
    except TokenRejected as rejected:
        raise Refusal(
            401, "token", f"The sign-in was refused: {rejected}.", check=rejected.check
        ) from None
    except ProviderError as error:
        raise _unavailable(provider, error) from None
    except (httpx2.HTTPError, ValueError) as error:
        raise _unavailable(provider, f"its token endpoint failed: {type(error).__name__}") from None


def _failed(db, name: str, refusal: Refusal, now: datetime) -> Response:
    if refusal.reason != "unknown_provider":
        g.login_failed = refusal.counts
        record(
            db,
            signin_actor(refusal.user),
            "signin.failure",
            "user",
            refusal.user.id if refusal.user is not None else None,
            now=now,
            method=f"oidc:{name}",
            reason=refusal.reason,
            **refusal.detail,
        )
        db.commit()
    return _refusal_page(refusal)


def _refusal_page(refusal: Refusal) -> Response:
    response = page("oidc_refused.html", refusal.status, text=refusal.text)
    _forget_flow(response)
    return response


def _forget_flow(response: Response) -> None:
    response.delete_cookie(
        FLOW_COOKIE, path=FLOW_PATH, httponly=True, samesite="Lax", secure=secure()
    )


@bp.errorhandler(TooManyRequests)
def _too_many(error: TooManyRequests) -> Response:
    text = "Too many failed sign-ins. Please wait a while and try again."
    response = page("oidc_refused.html", 429, text=text)
    response.headers["Retry-After"] = str(retry_after(error))
    return response
