"""`POST /api/<project_id>/envelope/` and `/store/`: what the Sentry SDKs send, as public
ingest (served by the ingest front, beside `/track/*`, with its limits and DNT/GPC rules).

Events are stored; every other item (sessions, client reports, transactions, replays...) is
accepted so the SDK does not retry it, and counted as dropped. The answer is `200
{"id": ...}` only once the event is committed; errors answer Sentry's `{"detail": ...}`
with a fixed phrase, and back-pressure speaks the headers the SDKs obey.
"""

import base64
import logging
import re
import zlib
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

import orjson
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Request

from app import raw_sql
from app.core.envelope import EnvelopeError, parse_envelope
from app.core.json_body import json_object
from app.core.pipeline import Drop, IngestRules
from app.core.sentry_event import DroppedItems, SdkFacts, build_sentry_event
from app.errors import RETRY_AFTER_DB_DOWN
from app.sentry.auth import key_from_envelope, key_from_headers, key_opens
from app.sentry.bodies import BadEncoding, TooLarge, decode_body
from app.sourcemaps.resolver import MapResolver
from app.store.statements import statements
from app.store.writer import IngestWriter

log = logging.getLogger("faultline.ingest")
PATH = re.compile(r"/api/(\d{1,18})/(envelope|store)/?")
MAX_RAW_BYTES = 20 * 1024 * 1024  # compressed, checked before a byte is read
MAX_ENVELOPE_BYTES = 20 * 1024 * 1024  # decompressed
MAX_EVENT_BYTES = 1024 * 1024
BODY_TYPES = ("application/x-sentry-envelope", "application/json", "text/plain", "")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": (
        "Content-Type, Content-Encoding, X-Sentry-Auth, Authorization, sentry-trace, baggage"
    ),
    "Access-Control-Expose-Headers": "Retry-After, X-Sentry-Rate-Limits",
    "Access-Control-Max-Age": "86400",
}
DETAIL = {
    400: "invalid envelope",
    401: "missing authorization information",
    403: "invalid api key",
    405: "method not allowed",
    413: "payload too large",
    415: "unsupported media type",
    429: "rate limited",
    503: "unavailable",
}
# Envelope item types and the category their drops are counted under.
CATEGORIES = {
    "event": "error",
    "transaction": "transaction",
    "span": "span",
    "session": "session",
    "sessions": "sessions",
    "client_report": "client_report",
    "attachment": "attachment",
    "profile": "profile",
    "profile_chunk": "profile",
    "replay_event": "replay",
    "replay_recording": "replay",
    "replay_video": "replay",
    "check_in": "check_in",
    "log": "log",
    "otel_log": "log",
    "feedback": "feedback",
    "user_report": "feedback",
}


class SentryError(Exception):
    """An answer other than 200, with the headers it needs."""

    def __init__(self, status: int, headers: dict | None = None) -> None:
        super().__init__(status)
        self.status, self.headers = status, headers or {}


STATUS_LINES = {
    200: "200 OK",
    400: "400 Bad Request",
    401: "401 Unauthorized",
    403: "403 Forbidden",
    405: "405 Method Not Allowed",
    413: "413 Payload Too Large",
    415: "415 Unsupported Media Type",
    429: "429 Too Many Requests",
    503: "503 Service Unavailable",
}
BASE_HEADERS = (
    ("Content-Type", "application/json"),
    ("Cache-Control", "no-store"),
    *CORS_HEADERS.items(),
)


class Answer:
    """A JSON answer as a WSGI app, with the CORS headers every SDK response needs; built
    without werkzeug's Response, whose header handling cost a tenth of a stored event."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, body: dict, headers: dict | None = None) -> None:
        self.status = status
        self.body = orjson.dumps(body)
        self.headers = [*BASE_HEADERS, *(headers or {}).items()]

    def __call__(self, _environ, start_response):
        headers = [*self.headers, ("Content-Length", str(len(self.body)))]
        start_response(STATUS_LINES[self.status], headers)
        return [self.body]


class SentryIngest:
    """The two Sentry endpoints, given the front's writer, limits and opt-out rule."""

    def __init__(
        self,
        writer: IngestWriter,
        engine: Engine,
        maps: MapResolver,
        rules: IngestRules,
        refused_for: Callable[[Request], int | None],
        opted_out: Callable[[Request], bool],
    ) -> None:
        self.writer, self.engine, self.maps, self.rules = writer, engine, maps, rules
        self.refused_for, self.opted_out = refused_for, opted_out

    def __call__(self, request: Request, project_id: int, kind: str) -> Answer:
        """Answer one request to `/api/<project_id>/<kind>/`."""
        try:
            return self.serve(request, project_id, kind)
        except SentryError as error:
            return Answer(error.status, {"detail": DETAIL[error.status]}, error.headers)
        except RequestEntityTooLarge:
            return Answer(413, {"detail": DETAIL[413]})
        except OperationalError as error:
            # Never a 2xx without a commit: the SDK keeps the event and comes back.
            log.error("database unavailable: %s", type(error.orig).__name__)
            return Answer(503, {"detail": DETAIL[503]}, {"Retry-After": RETRY_AFTER_DB_DOWN})
        except HTTPException as error:
            status = error.code if error.code in DETAIL else 400
            return Answer(status, {"detail": DETAIL[status]})

    def serve(self, request: Request, project_id: int, kind: str) -> Answer:
        """Preflight, limits, auth, body, then store; raises SentryError for the rest."""
        if request.method == "OPTIONS":
            return Answer(200, {})
        if request.method != "POST":
            raise SentryError(405, {"Allow": "POST, OPTIONS"})
        if (wait := self.refused_for(request)) is not None:
            raise SentryError(
                429,
                {"Retry-After": str(wait), "X-Sentry-Rate-Limits": f"{wait}:error;default:project"},
            )
        if request.content_length is not None and request.content_length > MAX_RAW_BYTES:
            raise SentryError(413)
        key = key_from_headers(
            request.headers.get("X-Sentry-Auth") or request.headers.get("Authorization"),
            request.args.get("sentry_key"),
        )
        if (request.mimetype or "") not in BODY_TYPES:
            raise SentryError(415)
        raw = request.stream.read(MAX_RAW_BYTES)
        if len(raw) == MAX_RAW_BYTES and request.stream.read(1):
            raise SentryError(413)
        limit = MAX_ENVELOPE_BYTES if kind == "envelope" else MAX_EVENT_BYTES
        try:
            data = decode_body(raw, request.headers.get("Content-Encoding"), limit)
        except TooLarge:
            raise SentryError(413) from None
        except BadEncoding:
            raise SentryError(400) from None
        if key is None and kind == "envelope":
            key = key_from_envelope(data)
        if key is None:
            raise SentryError(401)
        if not key_opens(self.engine.connect, self.writer.cache, project_id, key):
            raise SentryError(403)
        if self.opted_out(request):
            return Answer(200, {})
        facts = SdkFacts(project_id, datetime.now(UTC), request.headers.get("User-Agent", ""))
        if kind == "store":
            events, dropped = [_store_event(data)], Counter()
        else:
            events, dropped = _envelope_events(data)
        return self.store(events, dropped, facts)

    def store(self, events: list, dropped: Counter, facts: SdkFacts) -> Answer:
        """Build and write the events, then the dropped counts; the id of the last event."""
        event_id = None
        for event in events:
            if event is None:
                dropped["error", "malformed"] += 1
                continue
            record = build_sentry_event(event, facts, self.rules, self.maps.maps_for)
            if isinstance(record, Drop):
                dropped["error", record.reason] += 1
                given = event.get("event_id")
                event_id = given if isinstance(given, str) else event_id
                continue
            self.write_event(record)
            event_id = record.event_id
        if dropped:
            day = facts.received_at.date()
            self.writer.write(DroppedItems(facts.project_id, day, dict(dropped)))
        return Answer(200, {"id": event_id} if event_id else {})

    def write_event(self, record) -> None:
        """Store one event; a concurrent retry of the same event id is no error."""
        try:
            self.writer.write(record)
        except IntegrityError:
            with self.engine.connect() as conn:
                found = raw_sql.execute(
                    conn, statements(conn).event_by_id, {"event_id": record.event_id}
                )
            if found is None:
                raise


def _store_event(data: bytes) -> dict | None:
    """The event of a `/store/` body: JSON, or the base64 of zlib'd JSON old SDKs sent."""
    text = data.strip()
    if text[:1] != b"{":
        try:
            text = zlib.decompress(base64.b64decode(text, validate=True), bufsize=MAX_EVENT_BYTES)
        except (ValueError, zlib.error):
            raise SentryError(400) from None
    return json_object(text)


def _envelope_events(data: bytes) -> tuple[list, Counter]:
    """The event payloads of an envelope (None for an unreadable one) and the other items
    counted by (category, reason)."""
    try:
        envelope = parse_envelope(data)
    except EnvelopeError:
        raise SentryError(400) from None
    events, dropped = [], Counter()
    for item in envelope.items:
        category = CATEGORIES.get(item.type, "unknown")
        if category != "error":
            dropped[category, "unsupported"] += 1
        elif len(item.payload) > MAX_EVENT_BYTES:
            dropped[category, "too_large"] += 1
        else:
            events.append(json_object(item.payload))
    if envelope.malformed:
        dropped["unknown", "malformed"] += envelope.malformed
    return events, dropped
