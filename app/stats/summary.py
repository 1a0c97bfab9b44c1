"""Stats answers: summary, time series, breakdowns and errors per 1,000 page views.

Unfiltered questions read the rollups for the aligned middle of a window and raw rows only for
its ragged edges (under a slot or a day). Filtered ones read raw rows, since a rollup holds one
dimension at a time; retention bounds how far back they can go.
"""

from copy import copy
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.core.filters import Condition
from app.core.timegrid import DAY, INTERVALS, SLOT, Window, bucket_starts, split
from app.core.traffic import (
    DIMENSION_ATTRIBUTES,
    EXCEPTION_DIMENSIONS,
    Counts,
    bounce_rate,
    median_from_bins,
)
from app.models import DurationBin, ExceptionEvent, Hit, TrafficSlot
from app.stats.sql import (
    bucket_index,
    dimension_rollup,
    duration_bin_sql,
    exception_filter,
    exceptions_can_filter,
    hit_filter,
    hit_measures,
    in_projects,
    in_rollup_projects,
    in_window,
    rollup_measures,
)
from app.store.rollups import MEASURES

SLOTS = TrafficSlot.__table__


@dataclass(frozen=True)
class Scope:
    """What a stats question is about: projects (None: all), a filter, and the oldest time
    raw rows are still kept for."""

    project_ids: list[int] | None
    conditions: tuple[Condition, ...] = ()
    raw_since: datetime | None = None

    @property
    def counts_page_visitors(self) -> bool:
        """A filter on the path counts visitors of the page, not of the site."""
        return any(condition.field == "path" for condition in self.conditions)

    @property
    def knows_exceptions(self) -> bool:
        """Whether exceptions can be counted under the filter."""
        return exceptions_can_filter(self.conditions)


def counts_of(row) -> Counts:
    """The measures of a result row."""
    return Counts(**{name: int(getattr(row, name) or 0) for name in MEASURES})


def hits_where(session: Session, scope: Scope, window: Window) -> list:
    return [
        in_window(Hit.received_at, window.start, window.end),
        in_projects(Hit.project_id, scope.project_ids),
        hit_filter(session, scope.conditions),
    ]


def exceptions_where(session: Session, scope: Scope, window: Window) -> list:
    return [
        in_window(ExceptionEvent.received_at, window.start, window.end),
        in_projects(ExceptionEvent.project_id, scope.project_ids),
        exception_filter(session, scope.conditions),
    ]


def _keyed(columns: list, key) -> tuple:
    # A key of None asks for one total: no key column and no GROUP BY.
    return (columns, ()) if key is None else ([key.label("key"), *columns], (key,))


def _raw_grouped(session: Session, scope: Scope, window: Window, hit_key, exception_key):
    """Raw counts grouped by a key expression over hits and, when it applies, exceptions."""
    cells: dict = {}
    columns, group = _keyed(hit_measures(), hit_key)
    query = select(*columns).where(*hits_where(session, scope, window)).group_by(*group)
    _merge(cells, session.execute(query))
    if scope.knows_exceptions and (hit_key is None or exception_key is not None):
        columns, group = _keyed([func.count().label("n")], exception_key)
        query = select(*columns).where(*exceptions_where(session, scope, window))
        for row in session.execute(query.group_by(*group)):
            cells.setdefault(getattr(row, "key", None), Counts()).exceptions += row.n
    return cells


def _merge(cells: dict, rows) -> None:
    for row in rows:
        cells.setdefault(getattr(row, "key", None), Counts()).add(counts_of(row))


def slot_grouped(session: Session, scope: Scope, window: Window, slot_key, hit_key, exc_key):
    """Counts grouped by a key: 15-minute rollups in the middle, raw rows at the edges."""
    if scope.conditions:
        return _raw_grouped(session, scope, window, hit_key, exc_key)
    cut = split(window, SLOT, scope.raw_since)
    cells: dict = {}
    if cut.rollup:
        columns, group = _keyed(rollup_measures(SLOTS), slot_key)
        query = select(*columns).where(
            in_window(SLOTS.c.slot, cut.rollup.start, cut.rollup.end),
            in_rollup_projects(SLOTS.c.project_id, scope.project_ids),
        )
        _merge(cells, session.execute(query.group_by(*group)))
    for edge in cut.raw:
        for key, counts in _raw_grouped(session, scope, edge, hit_key, exc_key).items():
            cells.setdefault(key, Counts()).add(counts)
    return cells


def totals(session: Session, scope: Scope, window: Window) -> Counts:
    """Every measure summed over the window."""
    cells = slot_grouped(session, scope, window, None, None, None)
    total = Counts()
    for counts in cells.values():
        total.add(counts)
    return total


def summary(session: Session, scope: Scope, window: Window) -> dict:
    """Visitors, page views, events, exceptions, bounce rate and median time on page."""
    if scope.conditions:
        total, bins = _raw_summary(session, scope, window)
    else:
        total, bins = totals(session, scope, window), _duration_bins(session, scope, window)
    return {
        "visitors": total.page_visitors if scope.counts_page_visitors else total.visitors,
        "pageviews": total.pageviews,
        "events": total.events,
        "exceptions": total.exceptions if scope.knows_exceptions else None,
        "bounce_rate": bounce_rate(total.bounces, total.unloads),
        "median_duration_ms": median_from_bins(bins),
    }


def _raw_summary(session: Session, scope: Scope, window: Window) -> tuple[Counts, list]:
    # One scan for every measure and the duration histogram: unloads are grouped by their
    # bin, everything else falls in the group without one.
    bin_key = case((Hit.kind == "unload", duration_bin_sql(Hit.duration_ms)), else_=None)
    rows = session.execute(
        select(
            bin_key.label("bin"),
            *hit_measures(),
            func.coalesce(func.sum(Hit.duration_ms), 0).label("total_ms"),
        )
        .where(*hits_where(session, scope, window))
        .group_by(bin_key)
    )
    total, bins = Counts(), []
    for row in rows:
        total.add(counts_of(row))
        if row.bin is not None:
            bins.append((int(row.bin), int(row.unloads), int(row.total_ms)))
    if scope.knows_exceptions:
        total.exceptions = session.scalar(
            select(func.count()).where(*exceptions_where(session, scope, window))
        )
    return total, bins


def _duration_bins(session: Session, scope: Scope, window: Window) -> list:
    """(bin, count, sum of values) rows: day histograms in the middle, raw unloads at the
    ragged edges."""
    bins: list[tuple[int, int, int]] = []
    cut = split(window, DAY, scope.raw_since)
    if cut.rollup:
        table = DurationBin.__table__
        rows = session.execute(
            select(table.c.bin, func.sum(table.c.count), func.sum(table.c.total_ms))
            .where(
                table.c.day >= cut.rollup.start.date(),
                table.c.day < cut.rollup.end.date(),
                in_rollup_projects(table.c.project_id, scope.project_ids),
            )
            .group_by(table.c.bin)
        )
        # PostgreSQL sums bigints as numeric: back to int before any arithmetic.
        bins.extend((int(start), int(count), int(total)) for start, count, total in rows)
    for edge in cut.raw:
        binned = duration_bin_sql(Hit.duration_ms)
        rows = session.execute(
            select(binned, func.count(), func.sum(Hit.duration_ms))
            .where(Hit.kind == "unload", *hits_where(session, scope, edge))
            .group_by(binned)
        )
        bins.extend((int(start), int(count), int(total)) for start, count, total in rows)
    return bins


def series(session: Session, scope: Scope, window: Window, interval: str, origin: datetime):
    """Counts per bucket of the interval, indexed from `origin` (the first bucket's start)."""
    step = INTERVALS[interval]
    seconds = int(step.total_seconds())
    slot_key = bucket_index(session, SLOTS.c.slot, origin, seconds)
    hit_key = bucket_index(session, Hit.received_at, origin, seconds)
    exc_key = bucket_index(session, ExceptionEvent.received_at, origin, seconds)
    if step < SLOT:
        return _raw_grouped(session, scope, window, hit_key, exc_key)
    return slot_grouped(session, scope, window, slot_key, hit_key, exc_key)


def timeseries(session: Session, scope: Scope, window: Window, interval: str) -> dict:
    """The zero-filled series of the window and, aligned beside it, of the previous one."""
    starts = bucket_starts(window, INTERVALS[interval])
    shift = window.length
    current = series(session, scope, window, interval, starts[0]) if starts else {}
    previous = (
        series(session, scope, window.previous(), interval, starts[0] - shift) if starts else {}
    )

    def points(cells: dict, offset: timedelta) -> list[dict]:
        return [
            _point(start - offset, cells.get(index), scope) for index, start in enumerate(starts)
        ]

    return {
        "timeseries": points(current, timedelta(0)),
        "previous_timeseries": points(previous, shift),
    }


def _point(start: datetime, counts: Counts | None, scope: Scope) -> dict:
    counts = counts or Counts()
    return {
        "timestamp": start.isoformat().replace("+00:00", "Z"),
        "visitors": counts.page_visitors if scope.counts_page_visitors else counts.visitors,
        "pageviews": counts.pageviews,
        "events": counts.events,
        "exceptions": counts.exceptions if scope.knows_exceptions else None,
    }


def dimension_counts(
    session: Session,
    scope: Scope,
    window: Window,
    dimension: str,
    day_totals: Counts | None = None,
) -> dict:
    """Counts per value of a dimension: day rollups in the middle, raw rows at the edges.
    `day_totals`, the totals of the middle's whole days, spares a query when a caller asks
    for many dimensions of one window."""
    hit_key = dimension_expression(Hit, dimension)
    exc_key = (
        dimension_expression(ExceptionEvent, dimension)
        if dimension in EXCEPTION_DIMENSIONS
        else None
    )
    if scope.conditions:
        return _raw_grouped(session, scope, window, hit_key, exc_key)
    cut = split(window, DAY, scope.raw_since)
    cells: dict = {}
    if cut.rollup:
        last_day = (cut.rollup.end - DAY).date()
        rollup = dimension_rollup(dimension, scope.project_ids, cut.rollup.start.date(), last_day)
        # Missing values are not stored (most hits have no campaign, release or event name):
        # they are whatever the slot totals of those days hold beyond the stored values.
        missing = copy(day_totals) if day_totals is not None else totals(session, scope, cut.rollup)
        for row in session.execute(rollup):
            counts = counts_of(row)
            missing.subtract(counts)
            cells.setdefault(row.value, Counts()).add(counts)
        if missing.pageviews or missing.events or missing.exceptions:
            cells.setdefault("", Counts()).add(missing)
    for edge in cut.raw:
        for key, counts in _raw_grouped(session, scope, edge, hit_key, exc_key).items():
            cells.setdefault(key, Counts()).add(counts)
    return cells


def dimension_expression(model, dimension: str):
    """A dimension's value on hits or exception events, "" when missing (as in rollups)."""
    if dimension == "version":
        browser, version = model.browser, model.browser_version
        return case(
            (browser.is_(None), ""),
            (version.is_(None), browser),
            else_=browser + " " + version,
        )
    return func.coalesce(getattr(model, DIMENSION_ATTRIBUTES[dimension]), "")


def earliest(session: Session, project_ids: list[int] | None) -> datetime | None:
    """The start of the first slot with data in the projects."""
    return session.scalar(
        select(func.min(SLOTS.c.slot)).where(in_rollup_projects(SLOTS.c.project_id, project_ids))
    )
