"""Unbound extension singletons, bound to the app in `create_app`."""

import hashlib
import hmac

from flask import current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter


def client_ip() -> str:
    """The client address: the right-most X-Forwarded-For entry behind a trusted proxy."""
    if current_app.config["FAULTLINE"]["web"]["trust_proxy"]:
        forwarded = request.headers.get("X-Forwarded-For", "")
        # The right-most entry is the one our own proxy appended; the others are the client's say.
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.remote_addr or ""


def rate_limit_key() -> str:
    """A keyed hash of the client IP: limits work, yet no IP reaches storage, Redis or a log.
    Computed once per request (flask-limiter asks once per limit)."""
    if "rate_limit_key" not in g:
        secret = current_app.config["SECRET_KEY"].encode()
        g.rate_limit_key = hmac.new(secret, client_ip().encode(), hashlib.sha256).hexdigest()[:32]
    return g.rate_limit_key


class NoSessionOnIngest(SecureCookieSessionInterface):
    """Flask's cookie session, except on public ingest, which never uses one: opening it
    (signing serializer, cookie parsing) cost ~6% of a tracked hit."""

    def open_session(self, app, request):
        """A null session on /track/*, the usual cookie session elsewhere."""
        if request.path.startswith("/track/"):
            return self.make_null_session(app)
        return super().open_session(app, request)


# No X-RateLimit headers: they cost a storage read per request; a 429 carries Retry-After.
limiter = Limiter(rate_limit_key, headers_enabled=False, strategy="fixed-window")
