"""The accounts part of the OpenAPI description: who is calling, the CSRF token, users and
API tokens."""

from apispec import APISpec

from app.api.openapi.parts import ID, page, responses
from app.schemas import PageArgs, TokenIn, UserIn

USER = {"$ref": "#/components/schemas/User"}
TOKEN = {"$ref": "#/components/schemas/Token"}
NOT_ADMIN = {"403": "Not an administrator, or a session write without X-CSRF-Token"}


def _responses(status: str, schema: dict | None, *extra: tuple[str, str]) -> dict:
    return responses(schema, status, NOT_ADMIN | dict(extra))


def add_users(spec: APISpec) -> None:
    """Add the session security scheme and the me, csrf and users paths."""
    spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "faultline_session"}
    )
    spec.components.schema("UserIn", schema=UserIn)
    spec.components.schema(
        "User",
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "email": {"type": "string", "format": "email"},
                "is_admin": {"type": "boolean"},
                "created_at": {"type": "string", "format": "date-time"},
                "last_login_at": {"type": "string", "format": "date-time", "nullable": True},
            },
        },
    )
    me = {
        "type": "object",
        "properties": {
            "kind": {"type": "string", "enum": ["user", "token"]},
            "id": {"type": "integer", "description": "users only"},
            "email": {"type": "string", "description": "users only"},
            "name": {"type": "string", "description": "tokens only"},
            "is_admin": {"type": "boolean", "description": "always true for tokens"},
        },
    }
    users_page = page(USER)
    user_id = {**ID, "name": "user_id"}
    spec.path(
        "/api/v1/me",
        operations={"get": {"summary": "Who is calling", "responses": _responses("200", me)}},
    )
    spec.path(
        "/api/v1/csrf",
        operations={
            "get": {
                "summary": "The CSRF token of this browser session",
                "description": "A browser session sends it as `X-CSRF-Token` with every POST, "
                "PUT, PATCH and DELETE. API tokens need none (`token` is null).",
                "responses": _responses(
                    "200",
                    {
                        "type": "object",
                        "properties": {"token": {"type": "string", "nullable": True}},
                    },
                ),
            }
        },
    )
    spec.path(
        "/api/v1/users",
        operations={
            "get": {
                "summary": "List local accounts (administrators)",
                "parameters": [{"in": "query", "schema": PageArgs}],
                "responses": _responses("200", users_page, ("400", "Invalid cursor or limit")),
            },
            "post": {
                "summary": "Create a local account (administrators)",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "UserIn"}},
                },
                "responses": _responses(
                    "201", USER, ("400", "Invalid input"), ("409", "The email is taken")
                ),
            },
        },
    )
    spec.path(
        "/api/v1/users/{user_id}",
        operations={
            "delete": {
                "summary": "Delete a local account and end its sessions (administrators)",
                "parameters": [user_id],
                "responses": _responses(
                    "204", None, ("404", "Unknown user"), ("409", "That is your own account")
                ),
            }
        },
    )


def add_tokens(spec: APISpec) -> None:
    """Add the API token paths (administrators)."""
    spec.components.schema("TokenIn", schema=TokenIn)
    spec.components.schema(
        "Token",
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "prefix": {"type": "string", "description": "the first characters, to tell apart"},
                "created_at": {"type": "string", "format": "date-time"},
            },
        },
    )
    created = {
        "allOf": [
            TOKEN,
            {
                "type": "object",
                "properties": {
                    "token": {
                        "type": "string",
                        "description": "the secret: shown in this answer only, stored hashed",
                    }
                },
            },
        ]
    }
    token_id = {"in": "path", "name": "token_id", "required": True, "schema": {"type": "integer"}}
    spec.path(
        "/api/v1/tokens",
        operations={
            "get": {
                "summary": "List API tokens (administrators)",
                "parameters": [{"in": "query", "schema": PageArgs}],
                "responses": _responses("200", page(TOKEN), ("400", "Invalid cursor or limit")),
            },
            "post": {
                "summary": "Create an API token (administrators)",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "TokenIn"}},
                },
                "responses": _responses("201", created, ("400", "Invalid input")),
            },
        },
    )
    spec.path(
        "/api/v1/tokens/{token_id}",
        operations={
            "delete": {
                "summary": "Revoke an API token (administrators)",
                "parameters": [token_id],
                "responses": _responses("204", None, ("404", "Unknown token")),
            }
        },
    )
