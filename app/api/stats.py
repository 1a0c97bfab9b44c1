"""Web analytics: summary, series and breakdowns, and errors per 1,000 page views."""

from datetime import UTC, datetime, timedelta

from flask import current_app, jsonify

from app.api.blueprint import bp, query_args
from app.api.groups import load_group
from app.api.projects import load_project, visible_projects
from app.core.filters import FilterError, parse_filter
from app.core.roles import READ, requires
from app.core.timegrid import EPOCH, Window, choose_interval, default_window
from app.db import get_session, read_at_once
from app.errors import ApiError
from app.paging import iso
from app.schemas import ErrorsPerPageviewArgs, StatsArgs
from app.stats.breakdowns import NAMES, breakdowns
from app.stats.error_rates import errors_per_pageview, group_pages
from app.stats.summary import (
    Scope,
    earliest,
    summary,
    timeseries,
)

BREAKDOWNS = NAMES
RATE_DIMENSIONS = {"page": "path", "browser": "browser", "release": "release"}


def _scope(session, args: dict, now: datetime) -> Scope:
    # Without `project`, a project-limited token's answers cover its projects only.
    project_ids = visible_projects()
    if "project" in args:
        project_ids = [load_project(session, args["project"]).id]
    try:
        conditions = parse_filter(args.get("filter"))
    except FilterError as error:
        raise ApiError(400, "invalid_filter", str(error)) from None
    days = current_app.config["FAULTLINE"]["retention"]["days"]
    return Scope(project_ids, conditions, now - timedelta(days=days))


def _window(session, args: dict, scope: Scope, now: datetime) -> Window:
    if "from_" not in args and "to" not in args:
        return default_window(now)
    end = args.get("to", now)
    start = args.get("from_", end - timedelta(days=7))
    if start == EPOCH:
        # from=0: everything there is, from the first stored slot.
        start = earliest(session, scope.project_ids) or end
    if start >= end:
        raise ApiError(400, "invalid_range", "from must be before to.")
    return Window(start, end)


def _range(window: Window, interval: str | None = None) -> dict:
    found = {"from": iso(window.start), "to": iso(window.end)}
    return found if interval is None else {**found, "interval": interval}


@bp.get("/stats")
@requires(READ)
def stats():
    """Summary, time series and breakdowns of a window, beside the previous window."""
    args = StatsArgs().load(query_args())
    session, now = get_session(), datetime.now(UTC)
    scope = _scope(session, args, now)
    window = _window(session, args, scope, now)
    interval = choose_interval(window, args.get("interval"))
    wanted = BREAKDOWNS
    if "breakdowns" in args:
        wanted = tuple(name.strip() for name in args["breakdowns"].split(",") if name.strip())
        unknown = [name for name in wanted if name not in BREAKDOWNS]
        if unknown:
            raise ApiError(
                400,
                "invalid_breakdown",
                f"Unknown breakdown {unknown[0]!r}; they are: {', '.join(BREAKDOWNS)}.",
            )
    limit, half = args["limit"], len(wanted) // 2
    # Two halves of the breakdowns: they are the largest part of a filtered payload.
    current, previous, series, *halves = read_at_once(
        [
            lambda reader: summary(reader, scope, window),
            lambda reader: summary(reader, scope, window.previous()),
            lambda reader: timeseries(reader, scope, window, interval),
            lambda reader: breakdowns(reader, scope, window, wanted[:half], limit),
            lambda reader: breakdowns(reader, scope, window, wanted[half:], limit),
        ]
    )
    return jsonify(
        range=_range(window, interval),
        summary=current,
        previous_summary=previous,
        **series,
        breakdowns={name: found[name] for found in halves for name in found},
    )


@bp.get("/stats/errors-per-pageview")
@requires(READ)
def stats_errors_per_pageview():
    """Page views, exceptions and exceptions per 1,000 page views by page, browser or release."""
    args = ErrorsPerPageviewArgs().load(query_args())
    session, now = get_session(), datetime.now(UTC)
    scope = _scope(session, args, now)
    if not scope.knows_exceptions:
        raise ApiError(
            400,
            "invalid_filter",
            "Exceptions carry only path, browser, browser_version, os, device, release, "
            "source and project; filter on those here.",
        )
    window = _window(session, args, scope, now)
    rows = errors_per_pageview(session, scope, window, RATE_DIMENSIONS[args["by"]], args["limit"])
    return jsonify(range=_range(window), by=args["by"], items=rows)


@bp.get("/groups/<int:group_id>/pages")
@requires(READ)
def group_pages_get(group_id: int):
    """The pages an exception group happens on, with its rate per 1,000 views of each page."""
    args = StatsArgs(only=("from_", "to", "limit")).load(query_args())
    session, now = get_session(), datetime.now(UTC)
    group = load_group(session, group_id)
    scope = _scope(session, {"project": group.project_id}, now)
    window = _window(session, args, scope, now)
    items = group_pages(session, scope, window, group.id, args["limit"])
    return jsonify(range=_range(window), items=items)
