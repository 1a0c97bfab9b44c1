"""Breakdowns: top values of every dimension with visitors, page views and events.

Unfiltered, each breakdown reads its own rollup for whole days, and one statement reads the
raw rows of a window's ragged edges for all of them. Filtered, that one statement reads the
whole window (the rollups hold one dimension at a time).
"""

from sqlalchemy import String, and_, case, cast, func, literal_column, select, union_all
from sqlalchemy.orm import Session

from app.core.timegrid import DAY, Window, split
from app.core.traffic import BREAKDOWN_DIMENSIONS, Counts
from app.models import ExceptionEvent, Hit, Project, Source
from app.stats.summary import (
    SLOTS,
    Scope,
    dimension_counts,
    dimension_expression,
    hits_where,
    slot_grouped,
    totals,
)

# Breakdowns that are not a rollup dimension: grouped by the hit's own column.
ID_BREAKDOWNS = {"sources": "source_id", "projects": "project_id"}
NAMES = (*BREAKDOWN_DIMENSIONS, *ID_BREAKDOWNS)


def breakdowns(
    session: Session, scope: Scope, window: Window, names: tuple[str, ...], limit: int
) -> dict[str, list[dict]]:
    """The top `limit` rows of each named breakdown."""
    if not names:
        return {}
    if scope.conditions:
        cells = _raw_cells(session, scope, window, names)
    else:
        # Rollups for the whole days; one grouped scan per ragged edge serves every breakdown.
        cut = split(window, DAY, scope.raw_since)
        cells = {name: {} for name in names}
        if cut.rollup:
            day_totals = totals(session, scope, cut.rollup)
            for name in names:
                cells[name] = _rollup_cells(session, scope, cut.rollup, name, day_totals)
        for edge in cut.raw:
            for name, edge_cells in _raw_cells(session, scope, edge, names).items():
                for key, counts in edge_cells.items():
                    cells[name].setdefault(key, Counts()).add(counts)
    return {name: _top(name, _named(session, name, cells[name]), scope, limit) for name in names}


def _rollup_cells(
    session: Session, scope: Scope, days: Window, name: str, day_totals: Counts
) -> dict:
    if name in BREAKDOWN_DIMENSIONS:
        return dimension_counts(session, scope, days, BREAKDOWN_DIMENSIONS[name], day_totals)
    column = ID_BREAKDOWNS[name]
    return slot_grouped(
        session,
        scope,
        days,
        SLOTS.c[column],
        getattr(Hit, column),
        getattr(ExceptionEvent, column),
    )


def _raw_cells(session: Session, scope: Scope, window: Window, names) -> dict:
    # One statement: the rows that pass are read once into a common table expression, and
    # each breakdown is a GROUP BY over it, so the database does all the counting.
    load = Hit.kind == "load"
    keys = [
        dimension_expression(Hit, BREAKDOWN_DIMENSIONS[name])
        if name in BREAKDOWN_DIMENSIONS
        else cast(getattr(Hit, ID_BREAKDOWNS[name]), String)
        for name in names
    ]
    passing = (
        select(
            *(key.label(f"k{index}") for index, key in enumerate(keys)),
            case((and_(load, Hit.unique_visit), 1), else_=0).label("visitor"),
            case((and_(load, Hit.unique_page), 1), else_=0).label("page_visitor"),
            case((load, 1), else_=0).label("pageview"),
            case((Hit.kind.in_(("custom", "pixel")), 1), else_=0).label("event"),
        )
        .where(Hit.kind != "unload", *hits_where(session, scope, window))
        .cte("passing")
    )
    branches = [
        select(
            literal_column(str(index)).label("breakdown"),
            passing.c[f"k{index}"].label("key"),
            func.sum(passing.c.visitor).label("visitors"),
            func.sum(passing.c.page_visitor).label("page_visitors"),
            func.sum(passing.c.pageview).label("pageviews"),
            func.sum(passing.c.event).label("events"),
        ).group_by(passing.c[f"k{index}"])
        for index in range(len(names))
    ]
    cells: dict[str, dict] = {name: {} for name in names}
    for row in session.execute(union_all(*branches)):
        name = names[int(row.breakdown)]
        key = int(row.key) if name in ID_BREAKDOWNS else row.key
        cells[name][key] = Counts(
            visitors=int(row.visitors),
            page_visitors=int(row.page_visitors),
            pageviews=int(row.pageviews),
            events=int(row.events),
        )
    return cells


def _named(session: Session, name: str, cells: dict) -> dict:
    if name not in ID_BREAKDOWNS:
        return cells
    model, label = (Source, Source.key) if name == "sources" else (Project, Project.name)
    names = dict(session.execute(select(model.id, label).where(model.id.in_(list(cells)))).all())
    named: dict = {}
    for key, counts in cells.items():
        named.setdefault(names.get(key, ""), Counts()).add(counts)
    return named


def _top(name: str, cells: dict, scope: Scope, limit: int) -> list[dict]:
    page_visitors = name == "pages" or scope.counts_page_visitors
    rows = [
        {
            "key": key,
            "visitors": counts.page_visitors if page_visitors else counts.visitors,
            "pageviews": counts.pageviews,
            "events": counts.events,
        }
        for key, counts in cells.items()
        if (counts.events if name == "event_names" else counts.pageviews + counts.events)
    ]
    order = "events" if name == "event_names" else "pageviews"
    rows.sort(key=lambda row: (-row[order], -row["events"], row["key"]))
    return rows[:limit]
