"""The audit log part of the OpenAPI description."""

from apispec import APISpec


def add_audit(spec: APISpec) -> None:
    """Add the /audit path."""
