"""The OpenAPI description of /api/v1, built with apispec from the marshmallow schemas."""

import re
from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app, jsonify

from app.api.openapi.alerts import add_alerts
from app.api.openapi.analytics import add_analytics
from app.api.openapi.audit import add_audit
from app.api.openapi.groups import add_groups
from app.api.openapi.identities import add_identities
from app.api.openapi.parts import ERROR, ID, LIMITED, body, page, responses
from app.api.openapi.sourcemaps import add_sourcemaps
from app.api.openapi.users import add_tokens, add_users
from app.core.roles import required_scope
from app.schemas import (
    BulkTriageIn,
    DroppedArgs,
    MergeIn,
    PageArgs,
    PixelIn,
    PixelPatch,
    ProjectIn,
    SourceListArgs,
    TriageIn,
)

bp = Blueprint("openapi", __name__)

PROJECT = {"$ref": "#/components/schemas/Project"}
PIXEL = {"$ref": "#/components/schemas/Pixel"}
NO_PROJECT = {"404": "Unknown or deleted project" + LIMITED}
NO_PIXEL = {"404": "Unknown pixel" + LIMITED}


@cache
def build_spec() -> dict:
    """The OpenAPI 3 document (built once per process)."""
    spec = APISpec(
        title="Faultline API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Exception groups, triage, web analytics, projects and pixels. "
            "Authenticate with `Authorization: Bearer <token>`, or from a signed-in browser "
            "(cookie `faultline_session`; writes then need `X-CSRF-Token`, see /api/v1/csrf). "
            "Each operation names in `x-faultline-scope` the scope it needs: `read` (every "
            "role), `triage` (members and administrators) or `admin` (administrators). A "
            "session acts with its user's role; a token with its scopes, never beyond its "
            "owner's role at the time of the request, and, when it lists projects, only on "
            "those: any other project and its groups, pixels, source maps and figures answer "
            "404 as if they did not exist."
        },
    )
    spec.components.security_scheme("token", {"type": "http", "scheme": "bearer"})
    for name, schema in (
        ("Triage", TriageIn),
        ("BulkTriage", BulkTriageIn),
        ("Merge", MergeIn),
        ("ProjectIn", ProjectIn),
        ("PixelIn", PixelIn),
        ("PixelPatch", PixelPatch),
    ):
        spec.components.schema(name, schema=schema)
    spec.components.schema(
        "Error",
        {
            "type": "object",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {"type": "object"},
                    },
                }
            },
        },
    )
    spec.components.schema(
        "Project",
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "dsn": {"type": "string"},
                "created_at": {"type": "string"},
            },
        },
    )
    spec.components.schema(
        "Pixel",
        {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "project": {"type": "integer"},
                "name": {"type": "string"},
                "event_name": {"type": "string"},
                "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                "url": {"type": "string"},
                "created_at": {"type": "string"},
            },
        },
    )
    group_id = {**ID, "name": "group_id"}
    pixel_id = {"in": "path", "required": True, "name": "pixel_id", "schema": {"type": "string"}}
    project_id = {**ID, "name": "project_id"}
    spec.path(
        "/api/v1/health",
        operations={
            "get": {
                "summary": "Liveness",
                "security": [],
                "responses": {"200": {"description": "OK"}},
            }
        },
    )
    spec.path(
        "/api/v1/ready",
        operations={
            "get": {
                "summary": "Readiness: the database answers",
                "security": [],
                "responses": {
                    "200": {"description": "Ready"},
                    "503": {
                        "description": "Database unavailable",
                        "content": {"application/json": {"schema": ERROR}},
                    },
                },
            }
        },
    )
    add_groups(spec, group_id)
    spec.path(
        "/api/v1/projects",
        operations={
            "get": {
                "summary": "List projects (a project-limited token's only)",
                "parameters": [{"in": "query", "schema": PageArgs}],
                "responses": responses(page(PROJECT)),
            },
            "post": {
                "summary": "Create a project",
                "requestBody": body("ProjectIn"),
                "responses": responses(PROJECT, "201"),
            },
        },
    )
    spec.path(
        "/api/v1/projects/{project_id}",
        operations={
            "get": {
                "summary": "A project",
                "parameters": [project_id],
                "responses": responses(PROJECT, errors=NO_PROJECT),
            },
            "patch": {
                "summary": "Rename a project",
                "parameters": [project_id],
                "requestBody": body("ProjectIn"),
                "responses": responses(PROJECT, errors=NO_PROJECT),
            },
            "delete": {
                "summary": "Delete a project",
                "parameters": [project_id],
                "responses": {"204": {"description": "Deleted"}},
            },
        },
    )
    spec.path(
        "/api/v1/projects/{project_id}/rotate-key",
        operations={
            "post": {
                "summary": "Give a project a new DSN key (SDKs with the old one get 403)",
                "parameters": [project_id],
                "responses": responses(PROJECT, errors=NO_PROJECT),
            }
        },
    )
    dropped_item = {
        "type": "object",
        "properties": {
            "category": {"type": "string", "description": "error, session, transaction, ..."},
            "reason": {
                "type": "string",
                "description": "unsupported, malformed, filtered, too_large",
            },
            "count": {"type": "integer"},
        },
    }
    spec.path(
        "/api/v1/projects/{project_id}/dropped",
        operations={
            "get": {
                "summary": "Envelope items a project's SDKs sent that were accepted, not stored",
                "description": "Counts per category and reason, summed over the UTC days from "
                "`since` (today minus `days` - 1) to today; the largest first.",
                "parameters": [project_id, {"in": "query", "schema": DroppedArgs}],
                "responses": responses(
                    {
                        "type": "object",
                        "properties": {
                            "since": {"type": "string", "format": "date"},
                            "items": {"type": "array", "items": dropped_item},
                        },
                    },
                    errors=NO_PROJECT,
                ),
            }
        },
    )
    spec.path(
        "/api/v1/sources",
        operations={
            "get": {
                "summary": "List sources (a project-limited token's projects' only)",
                "parameters": [{"in": "query", "schema": SourceListArgs}],
                "responses": responses(page({"type": "object"}), errors=NO_PROJECT),
            }
        },
    )
    spec.path(
        "/api/v1/projects/{project_id}/pixels",
        operations={
            "get": {
                "summary": "Pixels of a project",
                "parameters": [project_id],
                "responses": responses(
                    {"type": "object", "properties": {"items": {"type": "array", "items": PIXEL}}},
                    errors=NO_PROJECT,
                ),
            },
            "post": {
                "summary": "Create a pixel",
                "parameters": [project_id],
                "requestBody": body("PixelIn"),
                "responses": responses(PIXEL, "201", NO_PROJECT),
            },
        },
    )
    spec.path(
        "/api/v1/pixels/{pixel_id}",
        operations={
            "get": {
                "summary": "A pixel",
                "parameters": [pixel_id],
                "responses": responses(PIXEL, errors=NO_PIXEL),
            },
            "patch": {
                "summary": "Change a pixel",
                "parameters": [pixel_id],
                "requestBody": body("PixelPatch"),
                "responses": responses(PIXEL, errors=NO_PIXEL),
            },
            "delete": {
                "summary": "Delete a pixel",
                "parameters": [pixel_id],
                "responses": responses(None, "204", NO_PIXEL),
            },
        },
    )
    add_analytics(spec, group_id, project_id)
    add_users(spec)
    add_tokens(spec)
    add_identities(spec)
    add_audit(spec)
    add_alerts(spec)
    add_sourcemaps(spec)
    document = spec.to_dict()
    document["security"] = [{"token": []}, {"session": []}]
    _mark_scopes(document["paths"])
    return document


def _mark_scopes(paths: dict) -> None:
    """Name on each operation the scope its route declares, read from the routes themselves
    so the document cannot drift from what is enforced."""
    for rule in current_app.url_map.iter_rules():
        scope = required_scope(current_app.view_functions[rule.endpoint])
        if not rule.endpoint.startswith("api.") or scope is None:
            continue
        operations = paths.get(re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), {})
        for method in rule.methods:
            if method.lower() in operations:
                operations[method.lower()]["x-faultline-scope"] = scope


@bp.get("/api/v1/openapi.json")
def openapi():
    """Serve the OpenAPI document (public: it describes, it reveals no data)."""
    return jsonify(build_spec())
