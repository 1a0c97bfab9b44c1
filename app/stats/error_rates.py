"""Errors per 1,000 page views: by page, browser or release, and per exception group.

Both sides come from the same window and the same filter, so the rate compares like with
like; page views come from the rollups (or raw rows under a filter) like every other stat.
"""

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.core.timegrid import Window
from app.core.traffic import Counts
from app.models import ExceptionEvent
from app.stats.summary import Scope, dimension_counts, exceptions_where


def errors_per_pageview(
    session: Session, scope: Scope, window: Window, dimension: str, limit: int
) -> list[dict]:
    """Page views, exceptions and exceptions per 1,000 page views per value of a dimension,
    most exceptions first."""
    cells = dimension_counts(session, scope, window, dimension)
    rows = [
        rate_row(key, counts.pageviews, counts.exceptions)
        for key, counts in cells.items()
        if counts.exceptions or counts.pageviews
    ]
    rows.sort(key=lambda row: (-row["exceptions"], -(row["per_1k"] or 0), row["key"]))
    return rows[:limit]


def rate_row(key: str, pageviews: int, exceptions: int) -> dict:
    """One row of errors per 1,000 page views (None without page views)."""
    per_1k = round(exceptions * 1000 / pageviews, 2) if pageviews else None
    return {"key": key, "pageviews": pageviews, "exceptions": exceptions, "per_1k": per_1k}


def group_pages(
    session: Session, scope: Scope, window: Window, group_id: int, limit: int
) -> list[dict]:
    """The pages an exception group happens on, with its rate per 1,000 views of each."""
    path = func.coalesce(ExceptionEvent.path, "")
    counted = session.execute(
        select(path, func.count())
        .where(
            ExceptionEvent.group_id == group_id,
            and_(*exceptions_where(session, scope, window)),
        )
        .group_by(path)
        .order_by(func.count().desc(), path)
        .limit(limit)
    ).all()
    views = dimension_counts(session, Scope(scope.project_ids, (), scope.raw_since), window, "path")
    return [rate_row(key, views.get(key, Counts()).pageviews, count) for key, count in counted]
