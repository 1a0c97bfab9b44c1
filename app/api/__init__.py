"""The protected JSON API under /api/v1, one module per resource, and its OpenAPI description."""

from app.api import groups, pixels, projects, stats, tokens, users  # noqa: F401  (routes on bp)
from app.api.blueprint import bp
from app.api.openapi import bp as openapi_bp

__all__ = ["bp", "openapi_bp"]
