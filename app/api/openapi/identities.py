"""The identities part of the OpenAPI description."""

from apispec import APISpec


def add_identities(spec: APISpec) -> None:
    """Add the /users/{user_id}/identities paths."""
