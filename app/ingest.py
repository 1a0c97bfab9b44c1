"""Public ingest (hostile ground): CORS, size cap, rate limit, DNT/GPC, validate, store, 204."""

import json
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, request

from app.core.pipeline import Drop, IngestRules, RequestFacts, build_exception
from app.extensions import limiter
from app.schemas import ExceptionReportIn

bp = Blueprint("ingest", __name__)
exception_schema = ExceptionReportIn()
JSON_TYPES = ("application/json", "text/plain", "")


def tracking_limit() -> str:
    """The per-IP limit for `/track/*`: per minute, and a burst per second."""
    limits = current_app.config["FAULTLINE"]["ratelimit"]
    return f"{limits['tracking_per_minute']}/minute;{limits['tracking_burst']}/second"


limiter.limit(tracking_limit)(bp)


@bp.before_request
def _guard() -> Response | None:
    if request.method == "OPTIONS":
        return Response(status=204)
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


@bp.post("/track/exception")
def track_exception() -> Response:
    """Store one exception report; 204 only once it is committed."""
    if opted_out():
        return Response(status=204)
    report = exception_schema.load(read_json_body())
    facts = RequestFacts(
        user_agent=request.headers.get("User-Agent", ""), received_at=datetime.now(UTC)
    )
    record = build_exception(report, facts, ingest_rules())
    if isinstance(record, Drop):
        return Response(status=204)
    current_app.extensions["faultline.writer"].write(record)
    return Response(status=204)
