"""Public ingest (hostile ground): CORS, size cap, rate limit, DNT/GPC, validate, store, 204.

The Sentry SDKs' endpoints (`/api/<project_id>/envelope/` and `/store/`, app/sentry/) are
served here too, under the same limits.

`/track/*` is served by this small WSGI app in front of Flask, much as Sentry keeps ingest
(Relay) apart from its web app: these endpoints use none of Flask's request machinery
(sessions, blueprint hooks, the app-wide rate limits, teardown), which cost a tracked event
more CPU than storing it. Every other path goes on to Flask.
"""

import base64
import functools
import logging
import re
from datetime import UTC, datetime

from limits import parse_many
from werkzeug.exceptions import MethodNotAllowed, NotFound, TooManyRequests, abort
from werkzeug.wrappers import Request, Response

from app.core import ping
from app.core.hits import build_hit, build_pixel_hit
from app.core.json_body import json_object
from app.core.pipeline import Drop, IngestRules, RequestFacts, build_exception
from app.errors import public_error
from app.extensions import address_key, client_address
from app.schemas import ExceptionReportIn, HitIn
from app.sentry import endpoints as sentry
from app.store.hits import find_pixel

log = logging.getLogger("faultline.ingest")
PREFIX = "/track/"
JSON_TYPES = ("application/json", "text/plain", "")
# The 1x1 transparent GIF of every pixel answer (43 bytes).
BLANK_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
PIXEL_CACHE_CONTROL = "no-store, no-cache, must-revalidate, private"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
    # The tracker backs off for as long as a 429 asks; a cross-origin page can read only
    # the headers named here.
    "Access-Control-Expose-Headers": "Retry-After",
}


class NoContent:
    """The answer to nearly every tracked request (204), sent without building a response
    object: werkzeug's cost a tenth of a stored hit."""

    status = "204 No Content"

    def __init__(self, cors: dict[str, str]) -> None:
        self.headers = (("Cache-Control", "no-store"), *cors.items())


# A stored report needs only the origin header: the others matter to the preflight (methods,
# request headers, how long to cache it) and to a 429 (the Retry-After it lets pages read),
# and the server checks and sends each header of every response.
NO_CONTENT = NoContent({"Access-Control-Allow-Origin": "*"})
PREFLIGHT = NoContent(CORS_HEADERS)
# Path -> (endpoint, methods); the pixel's path carries its id. Every route takes OPTIONS.
ROUTES = {
    "/track/ping": ("track_ping", ("GET", "HEAD")),
    "/track/hit": ("track_hit", ("POST",)),
    "/track/exception": ("track_exception", ("POST",)),
}
PIXEL_PATH = re.compile(r"/track/gif/([^/]{1,64})\.gif")
exception_schema = ExceptionReportIn()
hit_schema = HitIn()


def route(path: str, method: str) -> tuple[str, dict]:
    """The endpoint and arguments of a `/track/*` request; 404 or 405 when there is none."""
    found = ROUTES.get(path)
    if found is None:
        pixel = PIXEL_PATH.fullmatch(path)
        if pixel is None:
            raise NotFound()
        found, arguments = ("track_pixel", ("GET", "HEAD")), {"pixel_id": pixel[1]}
    else:
        arguments = {}
    endpoint, methods = found
    if method not in methods and method != "OPTIONS":
        raise MethodNotAllowed(valid_methods=[*methods, "OPTIONS"])
    return endpoint, arguments


class IngestApp:
    """The `/track/*` endpoints as a WSGI app; any other path goes to the wrapped Flask app."""

    def __init__(self, flask_app, limiter) -> None:
        config = flask_app.config["FAULTLINE"]
        self.flask_wsgi = flask_app.wsgi_app
        self.max_body_bytes = config["ingest"]["max_body_bytes"]
        self.honour_dnt = config["ingest"]["honour_dnt"]
        self.trust_proxy = config["web"]["trust_proxy"]
        self.secret = flask_app.config["SECRET_KEY"]
        self.rules = IngestRules(
            caps=config["ingest"]["caps"],
            allowed_hosts=tuple(config["ingest"]["allowed_hosts"]),
            scrub_patterns=tuple(config["privacy"]["scrub_patterns"]),
        )
        # One bucket per address over all of /track/* (ping, hit, exception, gif), not one
        # per route: a page view costs three requests, and a flood should not get a fresh
        # allowance per route. The limits live in flask-limiter's storage and strategy.
        limits = config["ratelimit"]
        self.limits = parse_many(
            f"{limits['tracking_per_minute']}/minute;{limits['tracking_burst']}/second"
        )
        self.rate_limiter = limiter.limiter
        self.storage_errors = limiter.storage.base_exceptions
        self.writer = flask_app.extensions["faultline.writer"]
        self.engine = flask_app.extensions["faultline.engine"]
        self.maps = flask_app.extensions["faultline.maps"]
        self.build_exception = functools.partial(build_exception, maps=self.maps.maps_for)
        self.sentry = sentry.SentryIngest(
            self.writer, self.engine, self.maps, self.rules, self.refused_for, self.opted_out
        )

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX):
            if path.startswith("/api/") and (found := sentry.PATH.fullmatch(path)):
                request = Request(environ)
                request.max_content_length = sentry.MAX_RAW_BYTES
                response = self.sentry(request, int(found[1]), found[2])
                return response(environ, start_response)
            return self.flask_wsgi(environ, start_response)
        request = Request(environ)
        request.max_content_length = self.max_body_bytes
        endpoint = None
        try:
            endpoint, arguments = route(request.path, request.method)
            response = self.dispatch(request, endpoint, arguments)
        except Exception as error:
            # The log names the endpoint, never the path or query the client sent.
            response = public_error(error, f"{request.method} {endpoint or PREFIX}")
        if isinstance(response, NoContent):
            start_response(response.status, list(response.headers))
            return []
        response.headers.update(CORS_HEADERS)
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response(environ, start_response)

    def dispatch(self, request: Request, endpoint: str, arguments: dict) -> Response | NoContent:
        """Answer a preflight, apply the limits and the size cap, then call the endpoint."""
        if request.method == "OPTIONS":
            return PREFLIGHT
        if (wait := self.refused_for(request)) is not None:
            raise TooManyRequests(retry_after=wait)
        # Refuse oversized bodies from the header, before reading a byte; a body without a
        # length is cut by the same limit while it is read (werkzeug raises 413).
        if request.content_length is not None and request.content_length > self.max_body_bytes:
            abort(413)
        return getattr(self, endpoint)(request, **arguments)

    def refused_for(self, request: Request) -> int | None:
        """Seconds to wait when this address is over a `/track/*` limit, else None."""
        address = client_address(request.headers, request.remote_addr, self.trust_proxy)
        key = address_key(self.secret, address)
        try:
            for limit in self.limits:
                if not self.rate_limiter.hit(limit, key, "track"):
                    return limit.get_expiry()
        except self.storage_errors:
            # The limits' storage (Redis) is unreachable: an event is worth more than a limit.
            log.warning("rate-limit storage unavailable: /track/* is not limited meanwhile")
        return None

    def opted_out(self, request: Request) -> bool:
        """True when the browser asks not to be tracked (DNT or Global Privacy Control)."""
        if not self.honour_dnt:
            return False
        return request.headers.get("DNT") == "1" or request.headers.get("Sec-GPC") == "1"

    def read_json_body(self, request: Request) -> dict:
        """The body as a JSON object, sent as application/json or text/plain; 400 otherwise."""
        if (request.mimetype or "") not in JSON_TYPES:
            abort(415)
        cap = self.max_body_bytes
        # A chunked body has no length to check up front: read up to the cap, then one more
        # byte tells an over-long body (werkzeug raises 413 past its limit) from one that fits.
        raw = request.stream.read(cap)
        if len(raw) == cap and request.stream.read(1):
            abort(413)
        body = json_object(raw)
        if body is None:
            abort(400)
        return body

    @staticmethod
    def request_facts(request: Request) -> RequestFacts:
        """The request facts the pipeline may use (never the IP)."""
        return RequestFacts(
            user_agent=request.headers.get("User-Agent", ""),
            received_at=datetime.now(UTC),
            accept_language=request.headers.get("Accept-Language", ""),
        )

    def track_ping(self, request: Request) -> Response:
        """`1` on the first request of this UTC day from this browser (per URL), else `0`."""
        now = datetime.now(UTC)
        # Never 304 and never 400: the body is the answer, and the query string is only the
        # browser's cache key.
        unique = ping.is_unique(request.headers.get("If-Modified-Since"), now)
        response = Response("1" if unique else "0", mimetype="text/plain")
        response.headers["Last-Modified"] = ping.last_modified(now)
        response.headers["Cache-Control"] = "no-cache, private"
        return response

    def track_hit(self, request: Request) -> NoContent:
        """Store one page load, unload or custom event; 204 only once it is committed."""
        return self.store_report(request, hit_schema, build_hit)

    def track_pixel(self, request: Request, pixel_id: str) -> Response:
        """A 1x1 GIF that stores one pixel hit; 404 for an unknown id (there is no open pixel)."""
        with self.engine.connect() as conn:
            pixel = find_pixel(conn, pixel_id)
        if pixel is None:
            abort(404)
        if not self.opted_out(request):
            project_id, event_name, metadata = pixel
            now = datetime.now(UTC)
            self.writer.write(build_pixel_hit(pixel_id, project_id, event_name, metadata, now))
        response = Response(BLANK_GIF, mimetype="image/gif")
        response.headers["Cache-Control"] = PIXEL_CACHE_CONTROL
        return response

    def track_exception(self, request: Request) -> NoContent:
        """Store one exception report; 204 only once it is committed."""
        return self.store_report(request, exception_schema, self.build_exception)

    def store_report(self, request: Request, schema, build) -> NoContent:
        """Validate a JSON report, build its record and store it unless the browser opted out
        or the pipeline drops it; the 204 comes only after the commit."""
        if not self.opted_out(request):
            body = schema.load(self.read_json_body(request))
            record = build(body, self.request_facts(request), self.rules)
            if not isinstance(record, Drop):
                self.writer.write(record)
        return NO_CONTENT
