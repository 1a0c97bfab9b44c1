"""The analytics part of the OpenAPI description: stats, error rates, sources."""

from apispec import APISpec

from app.api.openapi.parts import ID, LIMITED, body, responses
from app.schemas import ErrorsPerPageviewArgs, ProjectDeleteArgs, SourcePatch, StatsArgs

FILTER_HELP = (
    'Conditions joined by `&&`: `field == "v"`, `field != "v"`, `field.startsWith("v")`, '
    '`field.contains("v")`; `""` is a missing value. Fields: path, referrer, '
    "referrer_group, country, language, browser, browser_version, os, device, utm_source, "
    "utm_medium, utm_campaign, event, release, source, project (name, any case). A filter on "
    "path counts visitors of that page."
)


def _counts(*names: str, nullable: tuple[str, ...] = ()) -> dict:
    return {
        "type": "object",
        "properties": {name: {"type": "number", "nullable": name in nullable} for name in names},
    }


NOT_FOUND = {"404": "Unknown project or group" + LIMITED}
LIMITED_STATS = (
    " Without `project`, a token limited to some projects gets the figures of those projects; "
    "a `project` it does not list is 404."
)


def add_analytics(spec: APISpec, group_id: dict, project_id: dict) -> None:
    """Add the stats, error-rate and source paths."""
    summary = _counts(
        "visitors",
        "pageviews",
        "events",
        "exceptions",
        "bounce_rate",
        "median_duration_ms",
        nullable=("exceptions", "bounce_rate", "median_duration_ms"),
    )
    point = {
        "type": "object",
        "properties": {
            "timestamp": {"type": "string", "format": "date-time"},
            **_counts("visitors", "pageviews", "events", "exceptions")["properties"],
        },
    }
    row = {
        "type": "object",
        "properties": {
            "key": {"type": "string"},
            **_counts("visitors", "pageviews", "events")["properties"],
        },
    }
    rate = {
        "type": "object",
        "properties": {
            "key": {"type": "string"},
            **_counts("pageviews", "exceptions", "per_1k", nullable=("per_1k",))["properties"],
        },
    }
    listed = {"type": "object", "properties": {"items": {"type": "array", "items": rate}}}
    spec.path(
        "/api/v1/stats",
        operations={
            "get": {
                "summary": "Summary, time series and breakdowns beside the previous period",
                "description": "Times are ISO 8601 or epoch milliseconds; `from=0` starts at "
                "the first data. Without from/to: the last 7 days. The interval grows until "
                "there are at most 2,000 buckets. " + FILTER_HELP + LIMITED_STATS,
                "parameters": [{"in": "query", "schema": StatsArgs}],
                "responses": responses(
                    {
                        "type": "object",
                        "properties": {
                            "range": {"type": "object"},
                            "summary": summary,
                            "previous_summary": summary,
                            "timeseries": {"type": "array", "items": point},
                            "previous_timeseries": {"type": "array", "items": point},
                            "breakdowns": {
                                "type": "object",
                                "additionalProperties": {"type": "array", "items": row},
                            },
                        },
                    },
                    errors=NOT_FOUND,
                ),
            }
        },
    )
    spec.path(
        "/api/v1/stats/errors-per-pageview",
        operations={
            "get": {
                "summary": "Exceptions per 1,000 page views by page, browser or release",
                "description": FILTER_HELP + LIMITED_STATS,
                "parameters": [{"in": "query", "schema": ErrorsPerPageviewArgs}],
                "responses": responses(listed, errors=NOT_FOUND),
            }
        },
    )
    spec.path(
        "/api/v1/groups/{group_id}/pages",
        operations={
            "get": {
                "summary": "Pages a group happens on, with its rate per 1,000 views",
                "parameters": [group_id, {"in": "query", "schema": StatsArgs}],
                "responses": responses(listed, errors=NOT_FOUND),
            }
        },
    )
    spec.path(
        "/api/v1/sources/{source_id}",
        operations={
            "patch": {
                "summary": "Move a source to another project (null unassigns) or rename it",
                "parameters": [{**ID, "name": "source_id"}],
                "requestBody": body(SourcePatch),
                "responses": responses(
                    {"type": "object"},
                    errors={
                        "404": "Unknown source or project" + LIMITED,
                        "409": "A pixel's source cannot move",
                    },
                ),
            }
        },
    )
    # Registering a known path again replaces only the operations given here.
    spec.path(
        "/api/v1/projects/{project_id}",
        operations={
            "delete": {
                "summary": "Delete a project",
                "description": "Pixels are deleted; sources move to `move_sources_to` or become "
                "unassigned (their traffic is dropped until assigned); groups, events and hits "
                "stay as history.",
                "parameters": [project_id, {"in": "query", "schema": ProjectDeleteArgs}],
                "responses": responses(
                    None,
                    "204",
                    {
                        "404": "Unknown project or target" + LIMITED,
                        "409": "Sources cannot move into the deleted project",
                    },
                ),
            }
        },
    )
