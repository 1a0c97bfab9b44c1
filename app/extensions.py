"""Unbound extension singletons, bound to the app in `create_app`, and the rate-limit key."""

import hashlib
import hmac

from flask import current_app, g, request
from flask_limiter import Limiter


def client_address(headers, remote_addr: str | None, trust_proxy: bool) -> str:
    """The client address: the right-most X-Forwarded-For entry behind a trusted proxy."""
    if trust_proxy:
        forwarded = headers.get("X-Forwarded-For", "")
        # The right-most entry is the one our own proxy appended; the others are the client's say.
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return remote_addr or ""


def address_key(secret: str, address: str) -> str:
    """A keyed hash of an address: limits work, yet no IP reaches storage, Redis or a log."""
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def rate_limit_key() -> str:
    """The Flask request's address key, computed once per request (flask-limiter asks once
    per limit)."""
    if "rate_limit_key" not in g:
        trust_proxy = current_app.config["FAULTLINE"]["web"]["trust_proxy"]
        address = client_address(request.headers, request.remote_addr, trust_proxy)
        g.rate_limit_key = address_key(current_app.config["SECRET_KEY"], address)
    return g.rate_limit_key


# No X-RateLimit headers: they cost a storage read per request; a 429 carries Retry-After.
limiter = Limiter(rate_limit_key, headers_enabled=False, strategy="fixed-window")
