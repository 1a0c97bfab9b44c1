"""The accounts part of the OpenAPI description: who is calling, the CSRF token, users and
API tokens."""

from apispec import APISpec

from app.api.openapi.parts import ID, page, responses
from app.core.roles import ROLES, SCOPES
from app.schemas import PageArgs, TokenIn, UserIn, UserPatch

USER = {"$ref": "#/components/schemas/User"}
TOKEN = {"$ref": "#/components/schemas/Token"}
NOT_ADMIN = {"403": "Not an administrator, or a session write without X-CSRF-Token"}
NOT_ADMIN_TOKEN = {
    "403": "A token without the admin scope, or a session write without X-CSRF-Token"
}


def _responses(status: str, schema: dict | None, *extra: tuple[str, str]) -> dict:
    return responses(schema, status, NOT_ADMIN | dict(extra))


def add_users(spec: APISpec) -> None:
    """Add the session security scheme and the me, csrf and users paths."""
    spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "faultline_session"}
    )
    spec.components.schema("UserIn", schema=UserIn)
    spec.components.schema("UserPatch", schema=UserPatch)
    spec.components.schema(
        "User",
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "email": {"type": "string", "format": "email"},
                "role": {"type": "string", "enum": list(ROLES)},
                "is_admin": {"type": "boolean", "description": "role is admin"},
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
            "role": {"type": "string", "enum": list(ROLES), "description": "users only"},
            "name": {"type": "string", "description": "tokens only"},
            "user_id": {
                "type": "integer",
                "nullable": True,
                "description": "tokens only: the owner (null: an operator token)",
            },
            "is_admin": {"type": "boolean", "description": "holds the admin scope"},
            "scopes": {
                "type": "array",
                "items": {"type": "string", "enum": list(SCOPES)},
                "description": "what the caller may do now (a token's, cut to its owner's role)",
            },
            "project_ids": {
                "type": "array",
                "items": {"type": "integer"},
                "nullable": True,
                "description": "tokens only: the projects it is limited to (null: all)",
            },
        },
    }
    users_page = page(USER)
    user_id = {**ID, "name": "user_id"}
    spec.path(
        "/api/v1/me",
        operations={"get": {"summary": "Who is calling", "responses": responses(me)}},
    )
    spec.path(
        "/api/v1/csrf",
        operations={
            "get": {
                "summary": "The CSRF token of this browser session",
                "description": "A browser session sends it as `X-CSRF-Token` with every POST, "
                "PUT, PATCH and DELETE. API tokens need none (`token` is null).",
                "responses": responses(
                    {
                        "type": "object",
                        "properties": {"token": {"type": "string", "nullable": True}},
                    }
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
                "description": "`role` is admin, member (the default) or viewer; `is_admin: "
                "true` is still understood as role admin.",
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
            "patch": {
                "summary": "Change an account's role (administrators)",
                "description": "Its browser sessions and API tokens act with the new role from "
                "their next request. An identity provider's sign-in sets the role from the "
                "access rules again.",
                "parameters": [user_id],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "UserPatch"}},
                },
                "responses": _responses(
                    "200",
                    USER,
                    ("404", "Unknown user"),
                    ("409", "It would leave no administrator"),
                ),
            },
            "delete": {
                "summary": "Delete an account, its sessions and tokens (administrators)",
                "parameters": [user_id],
                "responses": _responses(
                    "204",
                    None,
                    ("404", "Unknown user"),
                    ("409", "That is your own account, or the last administrator"),
                ),
            },
        },
    )


def add_tokens(spec: APISpec) -> None:
    """Add the API token paths: everyone their own tokens, administrators everyone's."""
    spec.components.schema("TokenIn", schema=TokenIn)
    spec.components.schema(
        "Token",
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "prefix": {"type": "string", "description": "the first characters, to tell apart"},
                "owner": {
                    "type": "object",
                    "nullable": True,
                    "description": "null: an operator token made on the command line, which "
                    "acts as an administrator",
                    "properties": {"id": {"type": "integer"}, "email": {"type": "string"}},
                },
                "scopes": {
                    "type": "array",
                    "items": {"type": "string", "enum": list(SCOPES)},
                    "description": "its own; it never does more than its owner's role allows",
                },
                "project_ids": {
                    "type": "array",
                    "items": {"type": "integer"},
                    "nullable": True,
                    "description": "the projects it is limited to (null: all)",
                },
                "created_at": {"type": "string", "format": "date-time"},
                "expires_at": {"type": "string", "format": "date-time", "nullable": True},
                "last_used_at": {
                    "type": "string",
                    "format": "date-time",
                    "nullable": True,
                    "description": "updated at most once a minute",
                },
                "expired": {"type": "boolean"},
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
                "summary": "List API tokens: every one for administrators, else your own",
                "parameters": [{"in": "query", "schema": PageArgs}],
                "responses": responses(
                    page(TOKEN), "200", NOT_ADMIN_TOKEN | {"400": "Invalid cursor or limit"}
                ),
            },
            "post": {
                "summary": "Create an API token of your own",
                "description": "Without `scopes`, all that your role allows; `project_ids` "
                "(absent or null: every project) must be live projects; `expires_in_days` "
                "(absent or null: never). A request made with a token (which must hold admin) "
                "makes one for that token's owner, on at most its projects.",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "TokenIn"}},
                },
                "responses": responses(
                    created,
                    "201",
                    NOT_ADMIN_TOKEN
                    | {"400": "Invalid input, unknown projects, or beyond your role"},
                ),
            },
        },
    )
    spec.path(
        "/api/v1/tokens/{token_id}",
        operations={
            "delete": {
                "summary": "Revoke an API token: your own, or any for administrators",
                "parameters": [token_id],
                "responses": responses(
                    None, "204", NOT_ADMIN_TOKEN | {"404": "Unknown token, or not yours"}
                ),
            }
        },
    )
