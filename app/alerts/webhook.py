"""Webhook channels: one POST per message with a JSON body in the channel's format
(Faultline's documented one, Slack's or Discord's; see app/alerts/render.py), signed.

Headers: `Content-Type: application/json`, `X-Faultline-Signature: sha256=<hex HMAC-SHA256 of
the raw body keyed with the channel's secret>`, `X-Faultline-Timestamp` (Unix seconds),
`Idempotency-Key` and `X-Faultline-Delivery` (the message's key, the same on every resend).
Redirects are not followed, and the channel's timeout bounds the whole request.
"""

import hashlib
import hmac
import urllib.error
import urllib.request
from datetime import datetime

from app.alerts.content import Content
from app.alerts.failures import describe
from app.alerts.render import discord_body, json_body, slack_body

USER_AGENT = "Faultline-Alerts/1"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None  # a 3xx is an answer (a failure), never a second request elsewhere


_OPENER = urllib.request.build_opener(_NoRedirects)


def body_for(content: Content, body_format: str, now: datetime) -> bytes:
    """The raw body of a message in a channel's format."""
    if body_format == "slack":
        return slack_body(content)
    if body_format == "discord":
        return discord_body(content)
    return json_body(content, now)


def signature(secret: str | None, body: bytes) -> str:
    """The X-Faultline-Signature value of a body."""
    digest = hmac.new((secret or "").encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def post(url: str, body: bytes, key: str, secret: str | None, timeout: float, now: datetime):
    """POST a signed body; (2xx answered, "HTTP 200" / "HTTP 500" / "connection refused")."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Faultline-Signature": signature(secret, body),
            "X-Faultline-Timestamp": str(int(now.timestamp())),
            "Idempotency-Key": key,
            "X-Faultline-Delivery": key,
        },
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return 200 <= response.status < 300, f"HTTP {response.status}"
    except urllib.error.HTTPError as error:
        error.close()
        return False, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return False, describe(error)
