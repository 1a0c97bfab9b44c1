"""Public ingest (hostile ground): CORS, size cap, rate limit, DNT/GPC, validate, store, 204."""

import base64
import json
import logging
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, request
from limits import parse_many
from werkzeug.exceptions import TooManyRequests

from app.core import ping
from app.core.hits import build_hit, build_pixel_hit
from app.core.pipeline import Drop, IngestRules, RequestFacts, build_exception
from app.extensions import limiter, rate_limit_key
from app.hit_store import find_pixel
from app.schemas import ExceptionReportIn, HitIn

log = logging.getLogger("faultline.ingest")
bp = Blueprint("ingest", __name__)
exception_schema = ExceptionReportIn()
hit_schema = HitIn()
JSON_TYPES = ("application/json", "text/plain", "")
# The 1x1 transparent GIF of every pixel answer (43 bytes).
BLANK_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
PIXEL_CACHE_CONTROL = "no-store, no-cache, must-revalidate, private"


@bp.record_once
def _parse_tracking_limits(state) -> None:
    # The per-IP limits of `/track/*`, per minute and a burst per second, parsed at start-up.
    config = state.app.config["FAULTLINE"]["ratelimit"]
    state.app.extensions["faultline.tracking_limits"] = parse_many(
        f"{config['tracking_per_minute']}/minute;{config['tracking_burst']}/second"
    )


# One bucket per address over all of /track/* (ping, hit, exception, gif), not one per route:
# a page view costs three requests, and a flood should not get a fresh allowance per route.
# The check goes straight to flask-limiter's rate limiter (its configured storage and
# strategy): the decorator route resolves and filters every limit of the app on each request,
# which cost a third of a tracked hit's CPU. The filter skips that resolution here at once.
@limiter.request_filter
def _checked_by_ingest() -> bool:
    return request.path.startswith("/track/")


def refused_for() -> int | None:
    """Seconds to wait when this address is over a `/track/*` limit, else None."""
    try:
        for limit in current_app.extensions["faultline.tracking_limits"]:
            if not limiter.limiter.hit(limit, rate_limit_key(), "track"):
                return limit.get_expiry()
    except limiter.storage.base_exceptions:
        # The limits' storage (Redis) is unreachable: an event is worth more than a limit.
        log.warning("rate-limit storage unavailable: /track/* is not limited meanwhile")
    return None


@bp.before_request
def _guard() -> Response | None:
    if request.method == "OPTIONS":
        return Response(status=204)
    if (wait := refused_for()) is not None:
        raise TooManyRequests(retry_after=wait)
    cap = current_app.config["FAULTLINE"]["ingest"]["max_body_bytes"]
    # Refuse oversized bodies from the header, before reading a byte; a body without a length
    # is cut by the same limit while it is read (werkzeug raises 413).
    request.max_content_length = cap
    if request.content_length is not None and request.content_length > cap:
        abort(413)
    return None


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "86400"
    # The tracker backs off for as long as a 429 asks; a cross-origin page can read only
    # the headers named here.
    response.headers["Access-Control-Expose-Headers"] = "Retry-After"
    response.headers["Cache-Control"] = response.headers.get("Cache-Control", "no-store")
    return response


def opted_out() -> bool:
    """True when the browser asks not to be tracked (DNT or Global Privacy Control)."""
    if not current_app.config["FAULTLINE"]["ingest"]["honour_dnt"]:
        return False
    return request.headers.get("DNT") == "1" or request.headers.get("Sec-GPC") == "1"


def read_json_body() -> dict:
    """The body as a JSON object, sent as application/json or text/plain; 400 otherwise."""
    mimetype = request.mimetype or ""
    if mimetype not in JSON_TYPES:
        abort(415)
    cap = current_app.config["FAULTLINE"]["ingest"]["max_body_bytes"]
    # A chunked body has no length to check up front: read up to the cap, then one more
    # byte tells an over-long body (werkzeug raises 413 past its limit) from one that fits.
    raw = request.stream.read(cap)
    if len(raw) == cap and request.stream.read(1):
        abort(413)
    if b"\\u0000" in raw:
        # PostgreSQL text cannot hold NUL; JSON can only carry one escaped. A replacement
        # character keeps the value's shape and keeps the database from failing (a 500).
        raw = raw.replace(b"\\u0000", b"\\ufffd")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        abort(400)
    if not isinstance(body, dict):
        abort(400)
    return body


def ingest_rules() -> IngestRules:
    """The ingest settings of the running config."""
    config = current_app.config["FAULTLINE"]
    return IngestRules(
        caps=config["ingest"]["caps"],
        allowed_hosts=tuple(config["ingest"]["allowed_hosts"]),
        scrub_patterns=tuple(config["privacy"]["scrub_patterns"]),
    )


def request_facts() -> RequestFacts:
    """The request facts the pipeline may use (never the IP)."""
    return RequestFacts(
        user_agent=request.headers.get("User-Agent", ""),
        received_at=datetime.now(UTC),
        accept_language=request.headers.get("Accept-Language", ""),
    )


def store(record) -> None:
    """Commit one record through the process's writer (raises when the database is down)."""
    current_app.extensions["faultline.writer"].write(record)


@bp.get("/track/ping")
def track_ping() -> Response:
    """`1` on the first request of this UTC day from this browser (per URL), else `0`."""
    now = datetime.now(UTC)
    # Never 304 and never 400: the body is the answer, and the query string is only the
    # browser's cache key.
    unique = ping.is_unique(request.headers.get("If-Modified-Since"), now)
    response = Response("1" if unique else "0", mimetype="text/plain")
    response.headers["Last-Modified"] = ping.last_modified(now)
    response.headers["Cache-Control"] = "no-cache, private"
    return response


@bp.post("/track/hit")
def track_hit() -> Response:
    """Store one page load, unload or custom event; 204 only once it is committed."""
    if opted_out():
        return Response(status=204)
    hit = hit_schema.load(read_json_body())
    record = build_hit(hit, request_facts(), ingest_rules())
    if not isinstance(record, Drop):
        store(record)
    return Response(status=204)


@bp.get("/track/gif/<pixel_id>.gif")
def track_pixel(pixel_id: str) -> Response:
    """A 1x1 GIF that stores one pixel hit; 404 for an unknown id (there is no open pixel)."""
    with current_app.extensions["faultline.engine"].connect() as conn:
        pixel = find_pixel(conn, pixel_id)
    if pixel is None:
        abort(404)
    if not opted_out():
        project_id, event_name, metadata = pixel
        store(build_pixel_hit(pixel_id, project_id, event_name, metadata, datetime.now(UTC)))
    response = Response(BLANK_GIF, mimetype="image/gif")
    response.headers["Cache-Control"] = PIXEL_CACHE_CONTROL
    return response


@bp.post("/track/exception")
def track_exception() -> Response:
    """Store one exception report; 204 only once it is committed."""
    if opted_out():
        return Response(status=204)
    report = exception_schema.load(read_json_body())
    record = build_exception(report, request_facts(), ingest_rules())
    if not isinstance(record, Drop):
        store(record)
    return Response(status=204)
