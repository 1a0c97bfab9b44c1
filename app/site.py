"""The few public pages that are not ingest: robots.txt and the static index."""

from flask import Blueprint, Response

bp = Blueprint("site", __name__)


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
