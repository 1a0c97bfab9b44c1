"""The exception group part of the OpenAPI description: list, detail, events, triage, merge."""

from apispec import APISpec

from app.api.openapi.parts import LIMITED, body, page, responses
from app.api.openapi.sourcemaps import MAPPED_FRAME
from app.core.triage import STATUSES
from app.groups.listing import LIST_TREND_DAYS, RATE_DAYS
from app.groups.queries import BREAKDOWNS
from app.schemas import GroupListArgs, PageArgs

GROUP = {"$ref": "#/components/schemas/Group"}
NO_GROUP = {"404": "Unknown or merged group, or one of a deleted project" + LIMITED}
NO_GROUPS = {"404": "Some of the groups are unknown or merged" + LIMITED}
NO_PROJECT = {"404": "`project` is unknown or deleted" + LIMITED}
EVENT = {"$ref": "#/components/schemas/Event"}


def _props(*pairs: tuple[str, str]) -> dict:
    return {key: {"type": kind, "nullable": True} for key, kind in pairs}


# A Sentry SDK's frame: file, position, whether it is the app's code, and the code around it.
SDK_FRAME = {
    "type": "object",
    "properties": {
        **_props(
            ("function", "string"),
            ("filename", "string"),
            ("abs_path", "string"),
            ("module", "string"),
            ("lineno", "integer"),
            ("colno", "integer"),
            ("in_app", "boolean"),
            ("context_line", "string"),
        ),
        "pre_context": {"type": "array", "items": {"type": "string"}, "nullable": True},
        "post_context": {"type": "array", "items": {"type": "string"}, "nullable": True},
    },
}
CHAIN_ENTRY = {
    "type": "object",
    "properties": {
        **_props(("type", "string"), ("value", "string"), ("module", "string")),
        "mechanism": {
            "type": "object",
            "nullable": True,
            "description": "how the SDK caught it",
            "properties": _props(("type", "string"), ("handled", "boolean")),
        },
        "frames": {"type": "array", "items": SDK_FRAME},
    },
}


def add_groups(spec: APISpec, group_id: dict) -> None:
    """Add the Group schemas and the group paths."""
    spec.components.schema(
        "Group",
        {
            "type": "object",
            "properties": {
                key: {"type": kind}
                for key, kind in (
                    ("id", "integer"),
                    ("project", "integer"),
                    ("title", "string"),
                    ("culprit", "string"),
                    ("status", "string"),
                    ("regressed", "boolean"),
                    ("count", "integer"),
                    ("first_seen", "string"),
                    ("last_seen", "string"),
                    ("fingerprint", "string"),
                    ("environment", "string"),
                    ("platform", "string"),
                )
            },
        },
    )
    spec.components.schema(
        "Event",
        {
            "type": "object",
            "description": "One report. The fields from `platform` on are a Sentry SDK's; "
            "null for the tracker's reports.",
            "properties": {
                **_props(
                    ("id", "string"),
                    ("received_at", "string"),
                    ("type", "string"),
                    ("message", "string"),
                    ("stack", "string"),
                    ("handled", "boolean"),
                    ("release", "string"),
                    ("source", "string"),
                    ("path", "string"),
                    ("browser", "string"),
                    ("browser_version", "string"),
                    ("os", "string"),
                    ("device", "string"),
                    ("fingerprint", "string"),
                ),
                "frames": {"type": "array", "items": MAPPED_FRAME},
                "metadata": {"type": "object"},
                "fingerprint_override": {
                    "type": "array",
                    "items": {"type": "string"},
                    "nullable": True,
                },
                **_props(
                    ("platform", "string"),
                    ("environment", "string"),
                    ("level", "string"),
                    ("logger", "string"),
                    ("transaction", "string"),
                    ("url", "string"),
                ),
                "sdk": {
                    "type": "object",
                    "nullable": True,
                    "properties": _props(("name", "string"), ("version", "string")),
                },
                "tags": {
                    "type": "object",
                    "nullable": True,
                    "additionalProperties": {"type": "string"},
                },
                "contexts": {
                    "type": "object",
                    "nullable": True,
                    "additionalProperties": {"type": "object"},
                },
                "chain": {
                    "type": "array",
                    "nullable": True,
                    "description": "the exception chain, causes first and the raised one last",
                    "items": CHAIN_ENTRY,
                },
            },
        },
    )
    detail = {
        "allOf": [
            GROUP,
            {
                "type": "object",
                "properties": {
                    "latest_event": {**EVENT, "nullable": True},
                    "breakdowns": {
                        "type": "object",
                        "description": "top values per dimension: "
                        + ", ".join(BREAKDOWNS)
                        + " (environment leaves out events without one)",
                        "additionalProperties": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "value": {"type": "string"},
                                    "count": {"type": "integer"},
                                },
                            },
                        },
                    },
                },
            },
        ]
    }
    listed = {
        "allOf": [
            GROUP,
            {
                "type": "object",
                "properties": {
                    "trend": {
                        "type": "array",
                        "items": {"type": "integer"},
                        "description": f"events per UTC day, the last {LIST_TREND_DAYS} days "
                        "(today last)",
                    },
                    "per_1k": {
                        "type": "number",
                        "nullable": True,
                        "description": f"events per 1,000 page views of the project over the "
                        f"last {RATE_DAYS} days (null without page views); sort `per_1k`",
                    },
                },
            },
        ]
    }
    counts = {
        "type": "object",
        "description": "groups per status under the same filters, whatever `status` is; "
        "with `since`, also `new` (first seen since) and `regressed` (regressed since)",
        "properties": {name: {"type": "integer"} for name in (*STATUSES, "new", "regressed")},
    }
    spec.path(
        "/api/v1/groups",
        operations={
            "get": {
                "summary": "List groups",
                "parameters": [{"in": "query", "schema": GroupListArgs}],
                "description": "A token limited to some projects lists their groups only.",
                "responses": responses(page(listed, counts=counts), errors=NO_PROJECT),
            },
            "patch": {
                "summary": "Triage many groups",
                "requestBody": body("BulkTriage"),
                "responses": responses(page(GROUP), errors=NO_GROUPS),
            },
        },
    )
    spec.path(
        "/api/v1/groups/{group_id}",
        operations={
            "get": {
                "summary": "Group detail",
                "parameters": [group_id],
                "responses": responses(detail, errors=NO_GROUP),
            },
            "patch": {
                "summary": "Triage a group",
                "parameters": [group_id],
                "requestBody": body("Triage"),
                "responses": responses(GROUP, errors=NO_GROUP),
            },
        },
    )
    spec.path(
        "/api/v1/groups/{group_id}/events",
        operations={
            "get": {
                "summary": "Events of a group",
                "parameters": [group_id, {"in": "query", "schema": PageArgs}],
                "responses": responses(page(EVENT), errors=NO_GROUP),
            }
        },
    )
    spec.path(
        "/api/v1/groups/merge",
        operations={
            "post": {
                "summary": "Merge groups",
                "requestBody": body("Merge"),
                "responses": responses(GROUP, errors=NO_GROUPS),
            }
        },
    )
