"""Faultline: self-hosted, privacy-first error tracking and cookieless web analytics."""

import secrets
from typing import TYPE_CHECKING

from app.config import config_path_from_env, load_config

if TYPE_CHECKING:
    from flask import Flask


def limiter_storage_uri(url: str) -> str:
    """The limits storage for a configured URL: `memory://` means our lazy local storage."""
    if url.startswith("memory://"):
        from app.ratelimit_storage import SCHEME

        return f"{SCHEME}://"
    return url


def create_app(config: dict | None = None) -> "Flask":
    """Build the app from a loaded config (or from FAULTLINE_CONFIG / defaults)."""
    # Flask and everything below it load here, not with the package: `faultline serve`
    # imports this package in gunicorn's master, which builds no app and stays small.
    from flask import Flask

    config = config if config is not None else load_config(config_path_from_env())
    app = Flask(__name__)
    app.config["FAULTLINE"] = config
    secret = config["secret_key"]
    if not secret:
        # Development only (load_config refuses this in production): sessions and rate-limit
        # keys then last for this process. `faultline serve` warns about it; commands that only
        # build an app to print URLs (project list) sign nothing, so they stay quiet.
        secret = secrets.token_urlsafe(48)
    app.config.update(
        SECRET_KEY=secret,
        TESTING=config["mode"] == "test",
        # No API body needs more; public ingest lowers it further per request.
        MAX_CONTENT_LENGTH=1024 * 1024,
        RATELIMIT_STORAGE_URI=limiter_storage_uri(config["ratelimit"]["storage_url"]),
    )
    app.json.sort_keys = False

    from app import db, errors
    from app.access import signin
    from app.access.oidc import views as oidc_views
    from app.api import bp as api_bp
    from app.api import openapi_bp
    from app.api.sentry_cli import bp as sentry_cli_bp
    from app.core.useragent import warm_up
    from app.extensions import limiter
    from app.ingest import IngestApp
    from app.site import pages
    from app.sourcemaps.resolver import MapResolver
    from app.store import IngestCache, IngestWriter

    warm_up()  # compile the User-Agent rules before the first request, not during it

    db.init_app(app)
    app.extensions["faultline.writer"] = IngestWriter(
        app.extensions["faultline.engine"],
        IngestCache(),
        config["ingest"]["auto_register_cap"],
        config["web"]["workers"],
    )
    app.extensions["faultline.maps"] = MapResolver(app.extensions["faultline.engine"])
    limiter.init_app(app)
    errors.register_error_handlers(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(signin.bp)
    app.register_blueprint(oidc_views.bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(openapi_bp)
    app.register_blueprint(sentry_cli_bp)
    app.wsgi_app = IngestApp(app, limiter)
    return app
