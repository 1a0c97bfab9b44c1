"""One place that turns every error into one response shape.

The protected API answers `{"error": {"code", "message"}}`; public ingest answers a short
fixed text that never echoes what the client sent.
"""

import logging

from flask import Flask, jsonify, request
from marshmallow import ValidationError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

log = logging.getLogger("faultline")
RETRY_AFTER_DB_DOWN = "30"


class ApiError(Exception):
    """A client error on the protected API with a code and a human message."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields


def not_found(what: str) -> ApiError:
    """The 404 for a missing resource, e.g. `not_found("Project")`."""
    return ApiError(404, "not_found", f"{what} not found.")


def _is_public() -> bool:
    # `/track/*` is answered by the ingest app before Flask; the other public paths are the
    # unversioned `/api/` ones that Sentry SDKs speak to.
    path = request.path
    return path.startswith("/api/") and not path.startswith("/api/v1/")


# Fixed phrases only: nothing from the request may come back (reflection, log forging).
PUBLIC_TEXT = {
    400: "bad request",
    404: "not found",
    405: "method not allowed",
    413: "payload too large",
    415: "unsupported media type",
    429: "too many requests",
    503: "unavailable",
}


def public_response(status: int, headers: dict | None = None) -> Response:
    """A public endpoint's short answer for a status: a fixed phrase, never an echo."""
    text = PUBLIC_TEXT.get(status, "error") + "\n"
    return Response(text, status, headers, content_type="text/plain; charset=utf-8")


def public_error(error: Exception, where: str) -> Response:
    """The public answer to an error raised while serving `where` (a method and route)."""
    if isinstance(error, ValidationError):
        return public_response(400)
    if isinstance(error, HTTPException):
        headers = {"Retry-After": str(retry_after(error))} if error.code == 429 else None
        return public_response(error.code or 500, headers)
    if isinstance(error, OperationalError):
        # Never a 2xx without a commit: tell the client to come back instead.
        log.error("database unavailable: %s", type(error.orig).__name__)
        return public_response(503, {"Retry-After": RETRY_AFTER_DB_DOWN})
    log.exception("unhandled error on %s", where)
    return public_response(500)


def _where() -> str:
    return f"{request.method} {request.url_rule}"


def _api_response(status: int, code: str, message: str, fields=None, headers=None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on the app."""

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError):
        return _api_response(error.status, error.code, error.message, error.fields)

    @app.errorhandler(ValidationError)
    def _validation(error: ValidationError):
        if _is_public():
            return public_error(error, _where())
        return _api_response(400, "invalid", "The request is not valid.", error.messages)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if _is_public():
            return public_error(error, _where())
        headers = {"Retry-After": str(retry_after(error))} if error.code == 429 else {}
        code = (error.name or "error").lower().replace(" ", "_")
        return _api_response(
            error.code or 500, code, error.description or error.name, None, headers
        )

    @app.errorhandler(OperationalError)
    def _database_down(error: OperationalError):
        if _is_public():
            return public_error(error, _where())
        log.error("database unavailable: %s", type(error.orig).__name__)
        headers = {"Retry-After": RETRY_AFTER_DB_DOWN}
        return _api_response(503, "unavailable", "The database is unavailable.", None, headers)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if _is_public():
            return public_error(error, _where())
        log.exception("unhandled error on %s", _where())
        return _api_response(500, "internal", "Something went wrong on our side.")


def retry_after(error: HTTPException) -> int:
    """Seconds until the limit that refused a request lets it through (429 Retry-After)."""
    seconds = getattr(error, "retry_after", None)
    if seconds is None:
        limit = getattr(error, "limit", None)
        seconds = getattr(getattr(limit, "limit", None), "get_expiry", lambda: 60)()
    return max(1, int(seconds))
