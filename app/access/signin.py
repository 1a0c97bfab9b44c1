"""Browser sign-in: the login and logout pages, the session cookie, CSRF and the headers of
every HTML page."""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import TooManyRequests

from app.access.accounts import (
    SignedIn,
    authenticate,
    end_session,
    find_session,
    find_user,
    refresh_session,
    session_key,
    start_session,
)
from app.access.oidc.registry import end_session_url, form_origins, registry
from app.audit.log import record
from app.core.credentials import MAX_EMAIL_LENGTH
from app.core.roles import Caller
from app.db import WRITE_OPTION, get_session
from app.errors import ApiError, retry_after
from app.extensions import limiter, rate_limit_key

bp = Blueprint("auth", __name__)

COOKIE = "faultline_session"
# Carries the sign-in form's CSRF nonce before there is a session (signed double submit).
FORM_COOKIE = "faultline_login"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Pages load nothing from other origins and run no inline code: anything a report smuggles
# into a page stays text.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'{providers}; base-uri 'none'"
)
BAD_CREDENTIALS = "Incorrect email or password."
MAX_COOKIE_LENGTH = 100
MAX_NEXT_LENGTH = 1000


def session_lifetime() -> timedelta:
    """How long a browser session lasts without use (auth.session_days)."""
    return timedelta(days=current_app.config["FAULTLINE"]["auth"]["session_days"])


def browser_session() -> SignedIn | None:
    """This request's signed-in browser session, or None; pushes its expiry forward when due.

    Call it before the request's own database session opens: the refresh is a short write of
    its own, which on SQLite must not wait behind the request's write lock."""
    if "browser_session" in g:
        return g.browser_session
    g.browser_session = None
    cookie = request.cookies.get(COOKIE, "")
    if not cookie or len(cookie) > MAX_COOKIE_LENGTH:
        return None
    now = datetime.now(UTC)
    make_session = current_app.extensions["faultline.sessionmaker"]
    with make_session() as db:
        found = find_session(db, cookie, now)
    if found is not None and found.needs_refresh(now):
        with make_session() as db:
            db.connection(execution_options={WRITE_OPTION: True})
            refresh_session(db, found.key, now, session_lifetime())
            db.commit()
        g.refreshed_cookie = cookie
    g.browser_session = found
    return found


def signin_actor(user, cookie: str | None = None) -> Caller:
    """How the audit log names someone signing in (a user, or nobody known), and the session
    the sign-in started (named as the API names it afterwards)."""
    if user is None:
        return Caller(kind="anonymous", label="unknown account", scopes=frozenset())
    via = f"session:{session_key(cookie)[:12]}" if cookie is not None else None
    return Caller(
        kind="user", label=f"user:{user.email}"[:200], scopes=frozenset(), user_id=user.id, via=via
    )


def csrf_ok(signed_in: SignedIn, presented: str) -> bool:
    """Whether a presented CSRF token is this session's (compared in constant time)."""
    return hmac.compare_digest(presented.encode(), signed_in.csrf_token.encode())


def check_csrf(signed_in: SignedIn) -> None:
    """403 for a state-changing request of a browser session without its CSRF token."""
    if request.method in SAFE_METHODS:
        return
    if not csrf_ok(signed_in, request.headers.get("X-CSRF-Token", "")):
        raise ApiError(
            403,
            "csrf",
            "Requests from a browser session that change data need the session's CSRF token "
            "in the X-CSRF-Token header (GET /api/v1/csrf).",
        )


def page(template: str, status: int = 200, **context) -> Response:
    """A server-rendered page (Jinja escapes every value); never cached, as pages carry tokens."""
    response = Response(render_template(template, **context), status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def safe_next(path: str | None) -> str | None:
    """`path` when it is a same-origin relative path to go to after sign-in, else None."""
    if not path or len(path) > MAX_NEXT_LENGTH or not path.startswith("/"):
        return None
    # "//host" and "/\host" lead elsewhere, and browsers drop tabs and newlines, so
    # "/\t/host" would too: no backslashes and no control characters anywhere.
    if path.startswith("//") or "\\" in path or any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        return None
    return path


def secure() -> bool:
    """Whether cookies of this request must be Secure (HTTPS, directly or by base_url)."""
    base_url = current_app.config["FAULTLINE"]["web"]["base_url"]
    return request.is_secure or base_url.startswith("https://")


def set_session_cookie(response: Response, value: str) -> None:
    """Give the browser its session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS)."""
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(session_lifetime().total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=secure(),
    )


@bp.after_app_request
def _headers(response: Response) -> Response:
    if response.mimetype == "text/html":
        # A sign-out form redirects to the identity provider's end-session endpoint.
        origins = "".join(f" {origin}" for origin in form_origins())
        response.headers["Content-Security-Policy"] = CSP.format(providers=origins)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
    refreshed = g.pop("refreshed_cookie", None)
    if refreshed is not None:
        # The cookie's own expiry follows the session's, or the browser would drop it first.
        set_session_cookie(response, refreshed)
    return response


def _form_token(nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"login-form:" + nonce.encode(), hashlib.sha256).hexdigest()


def _login_page(status: int = 200, error: str | None = None, email: str = "") -> Response:
    nonce = request.cookies.get(FORM_COOKIE, "")
    if not 20 <= len(nonce) <= MAX_COOKIE_LENGTH:
        nonce = secrets.token_urlsafe(24)
    auth = current_app.config["FAULTLINE"]["auth"]
    response = page(
        "login.html",
        status,
        csrf_token=_form_token(nonce),
        error=error,
        email=email,
        providers=list(registry().providers.values()),
        local_accounts=auth["local_accounts"],
        next=safe_next(request.args.get("next")),
    )
    response.set_cookie(
        FORM_COOKIE,
        nonce,
        path=url_for("auth.login"),
        httponly=True,
        samesite="Lax",
        secure=secure(),
    )
    return response


def _account_key() -> str:
    # Keyed like the IP (see rate_limit_key): the limiter's storage never sees an address.
    email = request.form.get("email", "").strip().lower()
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"login-account:" + email.encode(), hashlib.sha256).hexdigest()[:32]


def _per_ip_limit() -> str:
    return f"{current_app.config['FAULTLINE']['ratelimit']['login_failures_per_minute']}/minute"


def _per_account_limit() -> str:
    per_hour = current_app.config["FAULTLINE"]["ratelimit"]["login_failures_per_account_per_hour"]
    return f"{per_hour}/hour"


def _failed(_response: Response) -> bool:
    return g.get("login_failed", False)


# Failed sign-ins by password and through identity providers count against one per-address
# limit: trying both ways does not give anyone twice the guesses.
failure_limit = limiter.shared_limit(
    _per_ip_limit, scope="signin-failures", key_func=rate_limit_key, deduct_when=_failed
)


@bp.get("/login")
def login_form() -> Response:
    """The sign-in page (or the dashboard, for someone already signed in)."""
    if browser_session() is not None:
        return redirect(url_for("site.index"))
    return _login_page()


@bp.post("/login")
@failure_limit
@limiter.limit(_per_account_limit, key_func=_account_key, deduct_when=_failed)
def login() -> Response:
    """Check the credentials; on success start a session and go to the dashboard."""
    if not current_app.config["FAULTLINE"]["auth"]["local_accounts"]:
        text = "This Faultline signs people in through an identity provider only."
        return page("message.html", 403, title="Password sign-in is turned off", text=text)
    nonce = request.cookies.get(FORM_COOKIE, "")
    presented = request.form.get("csrf_token", "")
    if not nonce or not hmac.compare_digest(presented.encode(), _form_token(nonce).encode()):
        return _login_page(400, "The sign-in form expired. Please try again.")
    email = request.form.get("email", "")
    db = get_session()
    user = authenticate(db, email, request.form.get("password", ""))
    now = datetime.now(UTC)
    if user is None:
        g.login_failed = True
        known = find_user(db, email) if len(email) <= MAX_EMAIL_LENGTH else None
        # Who tried is named only when the address is an account's: what strangers type
        # stays out of the log.
        record(
            db,
            signin_actor(known),
            "signin.failure",
            "user",
            known.id if known else None,
            now=now,
            method="password",
        )
        db.commit()
        # One message for an unknown address and a wrong password alike.
        return _login_page(401, BAD_CREDENTIALS, email)
    response = signed_in(db, user, now, url_for("site.index"), "password")
    response.delete_cookie(FORM_COOKIE, path=url_for("auth.login"))
    return response


def signed_in(
    db, user, now: datetime, target: str, method: str, provider: str | None = None, **detail
) -> Response:
    """Sign a verified user in, whichever way they proved who they are: the browser's previous
    session ends, a new one starts and is audited, and the browser goes to `target`."""
    previous = request.cookies.get(COOKIE)
    if previous:
        end_session(db, previous)
    cookie = start_session(db, user, now, session_lifetime(), provider=provider)
    actor = signin_actor(user, cookie)
    record(db, actor, "signin.success", "user", user.id, now=now, method=method, **detail)
    db.commit()
    response = redirect(target, 303)
    set_session_cookie(response, cookie)
    return response


@bp.post("/logout")
def logout() -> Response:
    """End this browser's session (the form carries its CSRF token) and go to the sign-in page."""
    signed_in = browser_session()
    if signed_in is not None:
        if not csrf_ok(signed_in, request.form.get("csrf_token", "")):
            text = "This sign-out form is out of date. Reload the page and try again."
            return page("message.html", 403, title="Not signed out", text=text)
        db = get_session()
        end_session(db, request.cookies[COOKIE])
        db.commit()
        g.pop("refreshed_cookie", None)  # or the cookie just ended would be set again
    base_url = current_app.config["FAULTLINE"]["web"]["base_url"].rstrip("/")
    provider = signed_in.provider if signed_in is not None else None
    response = redirect(end_session_url(provider, base_url) or url_for("auth.login_form"), 303)
    response.delete_cookie(COOKIE, httponly=True, samesite="Lax", secure=secure())
    return response


@bp.errorhandler(TooManyRequests)
def _too_many(error: TooManyRequests) -> Response:
    response = _login_page(429, "Too many failed sign-ins. Please wait a while and try again.")
    response.headers["Retry-After"] = str(retry_after(error))
    return response
