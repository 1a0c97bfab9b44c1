"""The protected JSON API under /api/v1, one module per resource, and its OpenAPI description."""

from app.api import (  # noqa: F401  (routes on bp)
    alerts,
    audit,
    groups,
    identities,
    pixels,
    projects,
    sourcemaps,
    stats,
    tokens,
    users,
)
from app.api.blueprint import bp
from app.api.openapi import bp as openapi_bp

__all__ = ["bp", "openapi_bp"]
