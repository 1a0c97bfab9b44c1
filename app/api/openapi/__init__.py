"""The OpenAPI description of /api/v1, built with apispec from the marshmallow schemas."""

from app.api.openapi.document import bp

__all__ = ["bp"]
