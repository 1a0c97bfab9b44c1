"""The alerts part of the OpenAPI description."""

from apispec import APISpec


def add_alerts(spec: APISpec) -> None:
    """Add the alert rules, channels and deliveries paths."""
