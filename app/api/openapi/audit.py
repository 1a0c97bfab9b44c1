"""The audit log part of the OpenAPI description."""

from apispec import APISpec

from app.api.openapi.parts import page, responses
from app.schemas import ACTOR_KINDS, AuditArgs

ENTRY = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "at": {"type": "string", "format": "date-time"},
        "action": {
            "type": "string",
            "description": "dotted, e.g. group.resolve, project.rotate_key, signin.failure",
        },
        "actor": {
            "type": "object",
            "properties": {
                "kind": {"type": "string", "enum": list(ACTOR_KINDS)},
                "user_id": {"type": "integer", "nullable": True},
                "label": {"type": "string", "description": "e.g. user:ada@example.org"},
            },
        },
        "via": {
            "type": "string",
            "nullable": True,
            "description": "session:<first 12 hex of the session key> or token:<id>; "
            "null for the command line and failed sign-ins",
        },
        "target": {
            "type": "object",
            "nullable": True,
            "properties": {
                "type": {"type": "string", "nullable": True},
                "id": {"type": "string", "nullable": True},
            },
        },
        "detail": {"type": "object", "description": "what changed; never a request body"},
    },
}


def add_audit(spec: APISpec) -> None:
    """Add the /audit path."""
    spec.components.schema("AuditEntry", ENTRY)
    spec.path(
        "/api/v1/audit",
        operations={
            "get": {
                "summary": "The audit log, newest first (administrators)",
                "description": "Every administrative and triage action and every sign-in, "
                "with who, when, what and through which session or token; never an IP "
                "address. `action` is one action or a prefix ending in `.` (`group.`); "
                "`actor` is a user id; `since` <= at < `until` (ISO 8601 or epoch ms).",
                "parameters": [{"in": "query", "schema": AuditArgs}],
                "responses": responses(
                    page({"$ref": "#/components/schemas/AuditEntry"}),
                    errors={
                        "400": "Invalid filter, cursor or limit",
                        "403": "Not an administrator, or a token limited to some projects",
                    },
                ),
            }
        },
    )
