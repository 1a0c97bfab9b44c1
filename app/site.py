"""The few public pages that are not ingest: the tracker script, robots.txt, the index."""

import functools
import hashlib
from pathlib import Path

from flask import Blueprint, Response, request

bp = Blueprint("site", __name__)
TRACKER = Path(__file__).resolve().parent / "static" / "tracker.js"


@functools.cache
def _tracker() -> tuple[bytes, str]:
    # Read once per process: the file only changes with a deploy, which restarts the process.
    body = TRACKER.read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:32]


@bp.get("/tracker.js")
def tracker() -> Response:
    """The tracker script: cacheable for an hour, revalidated by its strong ETag."""
    body, etag = _tracker()
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = Response(body, mimetype="application/javascript")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/robots.txt")
def robots() -> Response:
    """Keep crawlers out of the whole instance."""
    return Response("User-agent: *\nDisallow: /\n", mimetype="text/plain")


@bp.get("/")
def index() -> Response:
    """A plain landing text until the dashboard exists."""
    return Response(
        "Faultline is running. The API lives under /api/v1 (see /api/v1/openapi.json).\n",
        mimetype="text/plain",
    )
