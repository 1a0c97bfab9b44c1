"""What sentry-sdk 2.x sends for a Flask view that raises `ValueError(...) from KeyError`, and
how an envelope of it reaches a served Faultline's envelope endpoint."""

import json
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

# Must never reach the page: sentry-sdk sends it, Faultline does not store it.
SERVER_NAME = "web-7.shop.internal"


def frame(
    function,
    lineno,
    pre,
    line,
    post,
    module="shop.pricing",
    filename="shop/pricing.py",
    in_app=True,
):
    """One stack frame as sentry-sdk sends it, with its code around the line."""
    return {
        "function": function,
        "module": module,
        "filename": filename,
        "abs_path": f"/srv/shop/{filename}"
        if in_app
        else f"/srv/shop/.venv/lib/python3.12/site-packages/{filename}",
        "lineno": lineno,
        "pre_context": pre,
        "context_line": line,
        "post_context": post,
        "in_app": in_app,
        "vars": {"cart": "{'sku': 'sku-404'}"},
    }


def python_event(event_id: str) -> dict:
    """A sentry-sdk 2.x event for `raise ValueError(...) from error` in a Flask view; frames
    oldest first, the cause first in exception.values, as the SDK sends them."""
    cause = {
        "type": "KeyError",
        "value": "'sku-404'",
        "module": None,
        "mechanism": {
            "type": "chained",
            "handled": True,
            "source": "__cause__",
            "exception_id": 1,
            "parent_id": 0,
        },
        "stacktrace": {
            "frames": [
                frame(
                    "checkout",
                    17,
                    ["def checkout(cart):", "    try:"],
                    "        load_price(cart)",
                    ["    except KeyError as error:"],
                ),
                frame(
                    "load_price",
                    12,
                    ["", "", "def load_price(cart):", '    """The price of the cart\'s item."""'],
                    '    return PRICES[cart["sku"]]',
                    ["", "", "def checkout(cart):"],
                ),
            ]
        },
    }
    raised = {
        "type": "ValueError",
        "value": "unknown SKU sku-404",
        "module": None,
        "mechanism": {"type": "flask", "handled": False, "exception_id": 0},
        "stacktrace": {
            "frames": [
                frame(
                    "wsgi_app",
                    1511,
                    ["        try:"],
                    "            response = self.full_dispatch_request()",
                    ["        except Exception as e:"],
                    "flask.app",
                    "flask/app.py",
                    False,
                ),
                frame(
                    "dispatch_request",
                    880,
                    ["        # otherwise dispatch to the handler for that endpoint"],
                    "        return self.ensure_sync(self.view_functions[rule.endpoint])(**args)",
                    [""],
                    "flask.app",
                    "flask/app.py",
                    False,
                ),
                frame(
                    "checkout",
                    19,
                    ["        load_price(cart)", "    except KeyError as error:"],
                    "        raise ValueError(f\"unknown SKU {cart['sku']}\") from error",
                    ["", ""],
                ),
            ]
        },
    }
    return {
        "event_id": event_id,
        "timestamp": datetime.now(UTC).isoformat(),
        "platform": "python",
        "level": "error",
        "release": "shop@2.4.1",
        "environment": "production",
        "server_name": SERVER_NAME,
        "transaction": "/checkout",
        "transaction_info": {"source": "url"},
        "tags": {"region": "eu-west-1", "customer_tier": "gold"},
        "contexts": {
            "runtime": {
                "name": "CPython",
                "version": "3.12.3",
                "build": "3.12.3 (main, Apr 10 2026) [GCC 13.2.0]",
            },
            "os": {"name": "Linux", "version": "6.8.0"},
            "trace": {"trace_id": uuid.uuid4().hex, "span_id": uuid.uuid4().hex[:16]},
        },
        "sdk": {
            "name": "sentry.python.flask",
            "version": "2.76.0",
            "packages": [{"name": "pypi:sentry-sdk", "version": "2.76.0"}],
            "integrations": ["flask", "logging", "stdlib", "excepthook"],
        },
        "request": {
            "url": "https://shop.example.com/checkout",
            "query_string": "sku=sku-404&token=s3cret",
            "method": "POST",
            "headers": {"Cookie": "session=abc", "User-Agent": "curl/8.5.0"},
        },
        "user": {"ip_address": "{{auto}}"},
        "exception": {"values": [cause, raised]},
        "extra": {"cart_id": "c-1842"},
    }


def envelope(dsn: str, items: list[tuple[dict, bytes]], with_length: bool = True) -> bytes:
    """An envelope: its header line, then each item's header and payload."""
    lines = [
        json.dumps(
            {
                "dsn": dsn,
                "sent_at": datetime.now(UTC).isoformat(),
                "sdk": {"name": "sentry.python.flask", "version": "2.76.0"},
            }
        ).encode()
    ]
    for header, payload in items:
        if with_length:
            header = {**header, "length": len(payload)}
        lines += [json.dumps(header).encode(), payload]
    return b"\n".join(lines) + b"\n"


def send(base: str, project_id: int, key: str, body: bytes) -> tuple[int, object]:
    """POST an envelope with the key in the query, as the browser SDK does; (status, body)."""
    request = urllib.request.Request(
        f"{base}/api/{project_id}/envelope/?sentry_key={key}",
        data=body,
        headers={
            "Content-Type": "application/x-sentry-envelope",
            "User-Agent": "sentry.python.flask/2.76.0",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    try:
        return status, json.loads(text or b"{}")
    except ValueError:
        return status, text


def parse_dsn(dsn: str) -> tuple[str, int, str]:
    """(public key, project id, host:port) of a DSN."""
    parts = urlsplit(dsn)
    return (
        parts.username,
        int(parts.path.rstrip("/").rsplit("/", 1)[1]),
        parts.netloc.split("@")[-1],
    )
