"""The identities part of the OpenAPI description."""

from apispec import APISpec

from app.api.openapi.parts import ID, body, responses
from app.schemas import IdentityIn

IDENTITY = {"$ref": "#/components/schemas/Identity"}
NOT_ADMIN = {"403": "Not an administrator, or a session write without X-CSRF-Token"}


def add_identities(spec: APISpec) -> None:
    """Add the /users/{user_id}/identities paths."""
    spec.components.schema("IdentityIn", schema=IdentityIn)
    spec.components.schema(
        "Identity",
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "user_id": {"type": "integer"},
                "provider": {
                    "type": "string",
                    "nullable": True,
                    "description": "the configured provider with this issuer (null when "
                    "none is configured any more)",
                },
                "issuer": {"type": "string"},
                "subject": {"type": "string", "description": "the ID token's sub claim"},
                "created_at": {"type": "string", "format": "date-time"},
                "last_login_at": {"type": "string", "format": "date-time", "nullable": True},
            },
        },
    )
    user_id = {**ID, "name": "user_id"}
    unknown_user = {"404": "Unknown user"}
    spec.path(
        "/api/v1/users/{user_id}/identities",
        operations={
            "get": {
                "summary": "The identity-provider identities of a user (administrators)",
                "parameters": [user_id],
                "responses": responses(
                    {
                        "type": "object",
                        "properties": {"items": {"type": "array", "items": IDENTITY}},
                    },
                    "200",
                    NOT_ADMIN | unknown_user,
                ),
            },
            "post": {
                "summary": "Link an identity to a user (administrators)",
                "description": "Sign-in never links an identity to an existing account by "
                "its email address; an administrator does it here. The subject is the `sub` "
                "claim the provider gives that person.",
                "parameters": [user_id],
                "requestBody": body({"$ref": "#/components/schemas/IdentityIn"}),
                "responses": responses(
                    IDENTITY,
                    "201",
                    NOT_ADMIN
                    | unknown_user
                    | {
                        "400": "Invalid body or unknown provider",
                        "409": "That identity already signs in as a user",
                    },
                ),
            },
        },
    )
    spec.path(
        "/api/v1/users/{user_id}/identities/{identity_id}",
        operations={
            "delete": {
                "summary": "Unlink an identity; the sessions it started end (administrators)",
                "parameters": [user_id, {**ID, "name": "identity_id"}],
                "responses": responses(
                    None, "204", NOT_ADMIN | {"404": "Unknown user or identity"}
                ),
            }
        },
    )
