"""The source map part of the OpenAPI description: upload, list, delete, and mapped frames."""

from apispec import APISpec

from app.api.openapi.parts import ID, LIMITED, responses
from app.core.sourcemap import REASONS

NO_PROJECT = {"404": "Unknown project" + LIMITED}
SOURCEMAP_FILE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": ["source_map", "minified_source"]},
        "name": {"type": "string", "description": "the script's file name"},
        "url": {"type": "string", "nullable": True, "description": "`~/path` is any origin"},
        "debug_id": {"type": "string", "nullable": True},
        "size": {"type": "integer"},
        "last_used_at": {"type": "string", "format": "date-time", "nullable": True},
    },
}
BUNDLE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "release": {"type": "string", "nullable": True},
        "origin": {"type": "string", "enum": ["cli", "api", "sentry-cli"]},
        "size": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"},
        "last_used_at": {"type": "string", "format": "date-time", "nullable": True},
        "debug_ids": {"type": "array", "items": {"type": "string"}},
        "files": {"type": "array", "items": SOURCEMAP_FILE},
    },
}
POSITION = {
    "type": "object",
    "properties": {
        "file": {"type": "string"},
        "line": {"type": "integer"},
        "column": {"type": "integer"},
        "function": {"type": "string", "nullable": True},
    },
}
# A stored frame as the event API shows it: the minified position, and what its map said.
MAPPED_FRAME = {
    "type": "object",
    "properties": {
        "function": {"type": "string", "nullable": True},
        "filename": {"type": "string", "nullable": True},
        "lineno": {"type": "integer", "nullable": True},
        "colno": {"type": "integer", "nullable": True},
        "in_app": {"type": "boolean"},
        "mapped": {"type": "boolean"},
        "original": {**POSITION, "description": "where the minified position came from"},
        "context": {
            "type": "object",
            "properties": {
                "pre": {"type": "array", "items": {"type": "string"}},
                "line": {"type": "string"},
                "post": {"type": "array", "items": {"type": "string"}},
            },
        },
        "map": {
            "type": "object",
            "properties": {
                "file_id": {"type": "integer"},
                "bundle_id": {"type": "integer"},
                "name": {"type": "string"},
                "matched_by": {"type": "string", "enum": ["debug_id", "release_url", "file_name"]},
            },
        },
        "map_note": {"type": "string"},
        "unmapped_reason": {"type": "string", "enum": sorted(REASONS)},
        "unmapped_detail": {"type": "string"},
    },
}


def add_sourcemaps(spec: APISpec) -> None:
    """Add the source map paths."""
    project_id = {**ID, "name": "project_id"}
    bundle_id = {**ID, "name": "bundle_id"}
    spec.path(
        "/api/v1/projects/{project_id}/sourcemaps",
        operations={
            "get": {
                "summary": "A project's uploaded source maps, newest bundle first",
                "parameters": [project_id],
                "responses": responses(
                    {
                        "type": "object",
                        "properties": {"bundles": {"type": "array", "items": BUNDLE}},
                    },
                    errors=NO_PROJECT,
                ),
            },
            "post": {
                "summary": "Upload source maps and the scripts they explain",
                "description": "Multipart: `file` parts (`.map`, and `.js` files whose "
                "`//# sourceMappingURL=` and `//# debugId=` comments name their maps; a map "
                "alone explains the script named by its file name minus `.map`, or by its "
                "`file`), with optional `release` and `url_prefix` (`~/assets`: any origin). "
                "A broken map stores nothing and the 400 says what is wrong. Stored events the "
                "maps explain are mapped and regrouped; `remapped` counts them.",
                "parameters": [project_id],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "release": {"type": "string"},
                                    "url_prefix": {"type": "string"},
                                    "file": {
                                        "type": "array",
                                        "items": {"type": "string", "format": "binary"},
                                    },
                                },
                                "required": ["file"],
                            }
                        }
                    },
                },
                "responses": responses(
                    {
                        "type": "object",
                        "properties": {
                            "bundle": BUNDLE,
                            "remapped": {
                                "type": "object",
                                "properties": {
                                    "events": {"type": "integer"},
                                    "groups": {"type": "integer"},
                                },
                            },
                        },
                    },
                    "201",
                    {**NO_PROJECT, "413": "A file or the upload is over its size cap"},
                ),
            },
        },
    )
    spec.path(
        "/api/v1/projects/{project_id}/sourcemaps/{bundle_id}",
        operations={
            "delete": {
                "summary": "Delete one bundle; events it mapped keep their mapped frames",
                "parameters": [project_id, bundle_id],
                "responses": responses(None, "204", {"404": "Unknown project or bundle" + LIMITED}),
            }
        },
    )
