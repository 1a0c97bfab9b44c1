"""The exception group part of the OpenAPI description: list, detail, events, triage, merge."""

from apispec import APISpec

from app.api.openapi.parts import body, page, responses
from app.core.triage import STATUSES
from app.groups.listing import LIST_TREND_DAYS, RATE_DAYS
from app.schemas import GroupListArgs, PageArgs

GROUP = {"$ref": "#/components/schemas/Group"}


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
                )
            },
        },
    )
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
                "responses": responses(page(listed, counts=counts)),
            },
            "patch": {
                "summary": "Triage many groups",
                "requestBody": body("BulkTriage"),
                "responses": responses(page(GROUP)),
            },
        },
    )
    spec.path(
        "/api/v1/groups/{group_id}",
        operations={
            "get": {
                "summary": "Group detail",
                "parameters": [group_id],
                "responses": responses(GROUP),
            },
            "patch": {
                "summary": "Triage a group",
                "parameters": [group_id],
                "requestBody": body("Triage"),
                "responses": responses(GROUP),
            },
        },
    )
    spec.path(
        "/api/v1/groups/{group_id}/events",
        operations={
            "get": {
                "summary": "Events of a group",
                "parameters": [group_id, {"in": "query", "schema": PageArgs}],
                "responses": responses(page({"type": "object"})),
            }
        },
    )
    spec.path(
        "/api/v1/groups/merge",
        operations={
            "post": {
                "summary": "Merge groups",
                "requestBody": body("Merge"),
                "responses": responses(GROUP),
            }
        },
    )
