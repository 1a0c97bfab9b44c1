"""The alerts part of the OpenAPI description: rules, channels (with the send test), a project's
deliveries and the alerts fired for a group."""

from apispec import APISpec

from app.alerts.schemas import (
    CHANNEL_KINDS,
    RULE_KINDS,
    ChannelIn,
    ChannelPatch,
    DeliveryListArgs,
    RuleIn,
    RulePatch,
)
from app.api.openapi.parts import ID, body, page, responses
from app.schemas import PageArgs

RULE = {"$ref": "#/components/schemas/AlertRule"}
CHANNEL = {"$ref": "#/components/schemas/AlertChannel"}
STATES = ["pending", "sent", "given_up"]
NO_PROJECT = {"404": "Unknown project"}
NO_RULE = {"404": "Unknown alert rule"}
NO_CHANNEL = {"404": "Unknown alert channel"}
MEMBERS = {"403": "A viewer (rules are managed by members and administrators)"}
ADMINS = {"403": "Not an administrator (channels hold recipients and secrets)"}
TIME = {"type": "string", "format": "date-time"}
MAYBE_TIME = {**TIME, "nullable": True}
NAMED = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "kind": {"type": "string"},
    },
}
ATTEMPT = {
    "type": "object",
    "properties": {
        "at": TIME,
        "ok": {"type": "boolean"},
        "detail": {"type": "string", "description": "e.g. HTTP 500, connection refused, 250 OK"},
    },
}
DELIVERY = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "channel": {
            "allOf": [NAMED, {"type": "object", "properties": {"format": {"type": "string"}}}]
        },
        "state": {"type": "string", "enum": STATES},
        "created_at": TIME,
        "due_at": {**TIME, "description": "when the next attempt may run"},
        "sent_at": MAYBE_TIME,
        "digest_key": {
            "type": "string",
            "nullable": True,
            "description": "deliveries with the same key went out as one digest message",
        },
        "attempts": {"type": "array", "items": ATTEMPT},
    },
}
REASON = {
    "type": "object",
    "description": "why it fired, e.g. count, window_minutes, per_1k, release",
}


def _schemas(spec: APISpec) -> None:
    for name, schema in (
        ("AlertRuleIn", RuleIn),
        ("AlertRulePatch", RulePatch),
        ("AlertChannelIn", ChannelIn),
        ("AlertChannelPatch", ChannelPatch),
    ):
        spec.components.schema(name, schema=schema)
    spec.components.schema(
        "AlertRule",
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "project": {"type": "integer"},
                "name": {"type": "string"},
                "kind": {"type": "string", "enum": list(RULE_KINDS)},
                "threshold": {
                    "type": "number",
                    "nullable": True,
                    "description": "event_rate: more than N events; view_rate: more than X "
                    "errors per 1,000 page views",
                },
                "window_minutes": {"type": "integer", "nullable": True},
                "page": {"type": "string", "nullable": True},
                "filters": {
                    "type": "object",
                    "properties": {
                        "environment": {"type": "string"},
                        "release": {"type": "string"},
                        "handled": {"type": "boolean"},
                        "level": {"type": "string"},
                    },
                },
                "channel_ids": {"type": "array", "items": {"type": "integer"}},
                "cooldown_minutes": {"type": "integer"},
                "muted": {"type": "boolean"},
                "created_at": TIME,
                "updated_at": TIME,
            },
        },
    )
    spec.components.schema(
        "AlertChannel",
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "project": {"type": "integer"},
                "name": {"type": "string"},
                "kind": {"type": "string", "enum": list(CHANNEL_KINDS)},
                "target": {
                    "description": "email: the addresses; webhook: the URL (shown as "
                    "scheme://host/… to those who may not manage channels)",
                    "oneOf": [
                        {"type": "array", "items": {"type": "string", "format": "email"}},
                        {"type": "string"},
                    ],
                },
                "format": {"type": "string", "enum": ["email", "json", "slack", "discord"]},
                "timeout_seconds": {"type": "integer"},
                "created_at": TIME,
            },
        },
    )


def _with_secret(schema: dict) -> dict:
    secret = {
        "type": "string",
        "description": "the webhook's HMAC-SHA256 signing key: in this answer only",
    }
    return {"allOf": [schema, {"type": "object", "properties": {"secret": secret}}]}


def _rules(spec: APISpec, project_id: dict) -> None:
    rule_id = {**ID, "name": "rule_id"}
    spec.path(
        "/api/v1/projects/{project_id}/alert-rules",
        operations={
            "get": {
                "summary": "A project's alert rules",
                "parameters": [project_id],
                "responses": responses(
                    {"type": "object", "properties": {"items": {"type": "array", "items": RULE}}},
                    errors=NO_PROJECT,
                ),
            },
            "post": {
                "summary": "Create an alert rule (members and administrators)",
                "description": "Rate kinds need `threshold` and `window_minutes`; the others "
                "refuse them. `channel_ids` must be channels of the same project.",
                "parameters": [project_id],
                "requestBody": body("AlertRuleIn"),
                "responses": responses(RULE, "201", NO_PROJECT | MEMBERS),
            },
        },
    )
    spec.path(
        "/api/v1/alert-rules/{rule_id}",
        operations={
            "get": {
                "summary": "An alert rule",
                "parameters": [rule_id],
                "responses": responses(RULE, errors=NO_RULE),
            },
            "patch": {
                "summary": 'Change, mute (`{"muted": true}`) or unmute an alert rule',
                "parameters": [rule_id],
                "requestBody": body("AlertRulePatch"),
                "responses": responses(RULE, errors=NO_RULE | MEMBERS),
            },
            "delete": {
                "summary": "Delete an alert rule and what it fired",
                "parameters": [rule_id],
                "responses": responses(None, "204", NO_RULE | MEMBERS),
            },
        },
    )


def _channels(spec: APISpec, project_id: dict) -> None:
    channel_id = {**ID, "name": "channel_id"}
    spec.path(
        "/api/v1/projects/{project_id}/alert-channels",
        operations={
            "get": {
                "summary": "A project's alert channels (never their secrets)",
                "parameters": [project_id],
                "responses": responses(
                    {
                        "type": "object",
                        "properties": {"items": {"type": "array", "items": CHANNEL}},
                    },
                    errors=NO_PROJECT,
                ),
            },
            "post": {
                "summary": "Create an alert channel (administrators)",
                "description": "A webhook gets a generated secret unless one is given; the "
                "answer shows it, later reads never do.",
                "parameters": [project_id],
                "requestBody": body("AlertChannelIn"),
                "responses": responses(_with_secret(CHANNEL), "201", NO_PROJECT | ADMINS),
            },
        },
    )
    spec.path(
        "/api/v1/alert-channels/{channel_id}",
        operations={
            "get": {
                "summary": "An alert channel",
                "parameters": [channel_id],
                "responses": responses(CHANNEL, errors=NO_CHANNEL),
            },
            "patch": {
                "summary": "Change an alert channel (administrators)",
                "parameters": [channel_id],
                "requestBody": body("AlertChannelPatch"),
                "responses": responses(_with_secret(CHANNEL), errors=NO_CHANNEL | ADMINS),
            },
            "delete": {
                "summary": "Delete an alert channel; its rules stop sending to it",
                "parameters": [channel_id],
                "responses": responses(None, "204", NO_CHANNEL | ADMINS),
            },
        },
    )
    spec.path(
        "/api/v1/alert-channels/{channel_id}/test",
        operations={
            "post": {
                "summary": "Send a test message through a channel now (administrators)",
                "description": "A receiver that refuses or cannot be reached is `ok: false` "
                "with what happened in `detail`, not an error status.",
                "parameters": [channel_id],
                "responses": responses(
                    {
                        "type": "object",
                        "properties": {"ok": {"type": "boolean"}, "detail": {"type": "string"}},
                    },
                    errors=NO_CHANNEL | ADMINS,
                ),
            }
        },
    )


def add_alerts(spec: APISpec) -> None:
    """Add the alert rules, channels and deliveries paths."""
    _schemas(spec)
    project_id = {**ID, "name": "project_id"}
    _rules(spec, project_id)
    _channels(spec, project_id)
    spec.path(
        "/api/v1/projects/{project_id}/alert-deliveries",
        operations={
            "get": {
                "summary": "A project's alert deliveries, newest first, with their attempts",
                "parameters": [project_id, {"in": "query", "schema": DeliveryListArgs}],
                "responses": responses(
                    page(
                        {
                            "allOf": [
                                DELIVERY,
                                {
                                    "type": "object",
                                    "properties": {
                                        "rule": NAMED,
                                        "group": {
                                            "type": "object",
                                            "nullable": True,
                                            "properties": {
                                                "id": {"type": "integer"},
                                                "title": {"type": "string"},
                                            },
                                        },
                                        "fired_at": TIME,
                                        "reason": REASON,
                                    },
                                },
                            ]
                        }
                    ),
                    errors=NO_PROJECT,
                ),
            }
        },
    )
    spec.path(
        "/api/v1/groups/{group_id}/alerts",
        operations={
            "get": {
                "summary": "The alerts fired for a group, newest first",
                "parameters": [{**ID, "name": "group_id"}, {"in": "query", "schema": PageArgs}],
                "responses": responses(
                    page(
                        {
                            "type": "object",
                            "properties": {
                                "id": {"type": "integer"},
                                "rule": NAMED,
                                "fired_at": TIME,
                                "reason": REASON,
                                "deliveries": {"type": "array", "items": DELIVERY},
                            },
                        }
                    ),
                    errors={"404": "Unknown group"},
                ),
            }
        },
    )
