"""The few pages that are not ingest or API: the tracker script, robots.txt, the favicon, the
index."""

import functools
import hashlib
from pathlib import Path

from flask import Blueprint, Response, redirect, request, send_file, url_for

from app.access.signin import browser_session, page

bp = Blueprint("site", __name__)
STATIC = Path(__file__).resolve().parents[1] / "static"
TRACKER = STATIC / "tracker.js"


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


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The icon the pages link to, for clients that ask for /favicon.ico without reading them."""
    return send_file(STATIC / "favicon.svg", mimetype="image/svg+xml", max_age=86400)


@bp.get("/")
def index() -> Response:
    """The dashboard when signed in, else the sign-in page."""
    signed_in = browser_session()
    if signed_in is None:
        return redirect(url_for("auth.login_form"))
    return page(
        "dashboard.html",
        email=signed_in.email,
        is_admin=signed_in.is_admin,
        csrf_token=signed_in.csrf_token,
    )
