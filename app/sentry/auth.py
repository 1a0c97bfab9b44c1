"""Which public key a Sentry SDK request carries, and whether it opens the project it names.

An SDK names its key in `X-Sentry-Auth` (server SDKs), in the `sentry_key` query parameter
(browser SDKs, which cannot set headers on a beacon), or in the envelope header's `dsn`.
"""

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import orjson
from sqlalchemy import Connection

from app import raw_sql
from app.store.cache import IngestCache
from app.store.statements import statements

_KEY_RE = re.compile(r"^[0-9a-fA-F]{32}$")


def key_from_headers(auth_header: str | None, query_key: str | None) -> str | None:
    """The key of `X-Sentry-Auth: Sentry sentry_key=..., ...` or of `?sentry_key=`."""
    if auth_header:
        scheme, _, params = auth_header.strip().partition(" ")
        if scheme.lower() != "sentry":
            params = auth_header  # some clients leave the scheme out
        for part in params.split(","):
            name, _, value = part.strip().partition("=")
            if name.strip() == "sentry_key" and value.strip():
                return value.strip()
    if query_key and query_key.strip():
        return query_key.strip()
    return None


def key_from_envelope(data: bytes) -> str | None:
    """The key in the `dsn` of an envelope's header line, when it has one."""
    end = data.find(b"\n")
    try:
        header = orjson.loads(data if end < 0 else data[:end])
    except orjson.JSONDecodeError:
        return None
    dsn = header.get("dsn") if isinstance(header, dict) else None
    if not isinstance(dsn, str):
        return None
    try:
        return urlsplit(dsn).username or None
    except ValueError:
        return None


def key_opens(
    conn_for: Callable[[], Connection], cache: IngestCache, project_id: int, key: str
) -> bool:
    """True when `key` is the current public key of the live project `project_id`; the key
    is read at most once a second per process (`conn_for` opens a connection when needed)."""
    if not _KEY_RE.match(key):
        return False
    fresh, current = cache.project_key(project_id)
    if not fresh:
        with conn_for() as conn:
            row = raw_sql.execute(conn, statements(conn).project_key, {"project_id": project_id})
        current = row.public_key if row is not None and row.deleted_at is None else None
        cache.remember_project_key(project_id, current)
    return current is not None and current == key.lower()
