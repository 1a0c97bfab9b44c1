"""Pieces every part of the OpenAPI description shares: the error shape, pages, bodies."""

ERROR = {"$ref": "#/components/schemas/Error"}
ID = {"in": "path", "required": True, "schema": {"type": "integer"}}
DEFAULT_ERRORS = {
    "400": "Invalid input",
    "401": "Neither a signed-in session nor a valid, unexpired token",
    "403": "The caller lacks the scope the route needs (`x-faultline-scope`), or a browser "
    "session wrote without X-CSRF-Token",
}
# A token limited to some projects finds every other project's data missing.
LIMITED = "; or one a project-limited token does not list"


def page(item: dict, **extra: dict) -> dict:
    """A cursor page of items, with any extra top-level properties."""
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": item},
            "next_cursor": {"type": "string", "nullable": True},
            **extra,
        },
    }


def body(schema) -> dict:
    """A required JSON request body."""
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def responses(schema: dict | None, status: str = "200", errors: dict | None = None) -> dict:
    """The success answer (JSON `schema`, or none) and the error answers, 400, 401 and 403
    always."""
    ok = {"description": "OK"}
    if schema is not None:
        ok["content"] = {"application/json": {"schema": schema}}
    error = {"content": {"application/json": {"schema": ERROR}}}
    failures = DEFAULT_ERRORS | (errors or {})
    return {status: ok, **{code: {"description": text, **error} for code, text in failures.items()}}
