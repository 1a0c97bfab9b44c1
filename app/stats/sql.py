"""SQL building blocks of the stats: measures of raw rows, filters, time buckets.

Raw rows are read only for what the rollups cannot answer: the ragged edges of a window
(less than a slot or a day) and filtered questions (see app/stats/summary.py).
"""

from datetime import datetime

from sqlalchemy import BigInteger, and_, case, cast, func, literal, or_, select, true
from sqlalchemy.orm import Session

from app.core.filters import PAGE_VIEW_FIELDS, Condition
from app.core.traffic import (
    BIN_BITS,
    BIN_EXACT_BELOW,
    BOUNCE_MAX_MS,
    BOUNCE_MIN_MS,
    DIMENSION_ATTRIBUTES,
    EXCEPTION_DIMENSIONS,
)
from app.models import ExceptionEvent, Hit, Project, Source, TrafficDimension

# Filter field -> column, for hits and for exception events (which lack some fields): the
# dimensions, plus the bare browser version.
HIT_FIELDS = {
    field: getattr(Hit, attribute)
    for field, attribute in (*DIMENSION_ATTRIBUTES.items(), ("browser_version", "browser_version"))
}
EXCEPTION_FIELDS = {
    field: getattr(ExceptionEvent, field)
    for field in (*EXCEPTION_DIMENSIONS, "browser_version")
    if field != "version"
}


def _flag(condition) -> object:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def hit_measures() -> list:
    """The additive measures of raw hits, as aggregate columns named like Counts fields."""
    load = Hit.kind == "load"
    unload = Hit.kind == "unload"
    return [
        _flag(and_(load, Hit.unique_visit)).label("visitors"),
        _flag(and_(load, Hit.unique_page)).label("page_visitors"),
        _flag(load).label("pageviews"),
        _flag(Hit.kind.in_(("custom", "pixel"))).label("events"),
        literal(0).label("exceptions"),
        _flag(unload).label("unloads"),
        _flag(and_(unload, Hit.duration_ms.between(BOUNCE_MIN_MS, BOUNCE_MAX_MS))).label("bounces"),
    ]


def duration_bin_sql(column) -> object:
    """app.core.traffic.duration_bin in SQL: the top 7 significant bits of a duration."""
    whens = [(column < BIN_EXACT_BELOW, column)]
    # Durations stop at a day (under 2**27 ms); literals stay within 32-bit integers.
    for bits in range(BIN_BITS + 1, 28):
        shift = bits - BIN_BITS
        whens.append((column < 1 << bits, column.op(">>")(shift).op("<<")(shift)))
    return case(*whens, else_=column)


def rollup_measures(table) -> list:
    """The summed measures of a rollup table."""
    names = ("visitors", "page_visitors", "pageviews", "events", "exceptions", "unloads", "bounces")
    return [func.coalesce(func.sum(table.c[name]), 0).label(name) for name in names]


def in_window(column, start: datetime, end: datetime) -> object:
    """start <= column < end."""
    return and_(column >= start, column < end)


def in_projects(column, project_ids: list[int] | None) -> object:
    """The scope's projects (None: every project) on a raw table, read by time."""
    return true() if project_ids is None else column.in_(project_ids)


def in_rollup_projects(column, project_ids: list[int] | None) -> object:
    """The scope's projects on a rollup table: its key starts with the project, so "every
    project" is spelled as the list of them, letting the database seek per project instead
    of reading the whole table for each question."""
    return column.in_(select(Project.id) if project_ids is None else project_ids)


def exceptions_can_filter(conditions: tuple[Condition, ...]) -> bool:
    """True when exception events carry every field the filter tests."""
    return all(c.field in EXCEPTION_FIELDS or c.field in ("source", "project") for c in conditions)


def hit_filter(session: Session, conditions: tuple[Condition, ...]) -> object:
    """The filter as a condition on hits."""
    return and_(true(), *(_condition(session, c, Hit) for c in conditions))


def exception_filter(session: Session, conditions: tuple[Condition, ...]) -> object:
    """The filter as a condition on exception events (call exceptions_can_filter first)."""
    return and_(true(), *(_condition(session, c, ExceptionEvent) for c in conditions))


def _condition(session: Session, condition: Condition, model) -> object:
    if condition.field == "source":
        return _membership(session, condition, model.source_id, Source.id, Source.key, False)
    if condition.field == "project":
        return _membership(session, condition, model.project_id, Project.id, Project.name, True)
    fields = HIT_FIELDS if model is Hit else EXCEPTION_FIELDS
    test = text_test(session, fields[condition.field], condition)
    if condition.field in PAGE_VIEW_FIELDS and condition.op == "==" and condition.value == "":
        test = and_(test, Hit.kind.in_(("load", "unload")))
    return test


def _membership(session, condition, foreign_key, key, name, fold_case: bool) -> object:
    # Sources and projects are tested by key or name, then matched by id.
    if fold_case:
        name = func.lower(name)
        condition = Condition(condition.field, condition.op, condition.value.lower())
    positive = Condition(
        condition.field, "==" if condition.op == "!=" else condition.op, condition.value
    )
    ids = select(key).where(text_test(session, name, positive))
    return foreign_key.not_in(ids) if condition.op == "!=" else foreign_key.in_(ids)


def text_test(session: Session, column, condition: Condition) -> object:
    """A condition on a text column; a missing value equals ""."""
    value = condition.value
    if condition.op == "==":
        return or_(column.is_(None), column == "") if value == "" else column == value
    if condition.op == "!=":
        if value == "":
            return and_(column.is_not(None), column != "")
        return or_(column.is_(None), column != value)
    if value == "":
        return column.is_not(None) if condition.op == "startsWith" else true()
    # Case-sensitive on both databases (SQLite's LIKE folds ASCII case; PostgreSQL's not).
    if condition.op == "startsWith":
        return func.substr(column, 1, len(value)) == value
    position = func.instr if session.get_bind().dialect.name == "sqlite" else func.strpos
    return position(column, value) > 0


def bucket_index(session: Session, column, origin: datetime, step_seconds: int) -> object:
    """Which bucket of `step_seconds` from `origin` a timestamp column falls in (origin is
    at or before every row asked about)."""
    origin_epoch = int(origin.timestamp())
    if session.get_bind().dialect.name == "sqlite":
        epoch = cast(func.strftime("%s", column), BigInteger)
    else:
        epoch = cast(func.floor(func.extract("epoch", column)), BigInteger)
    return (epoch - origin_epoch) // step_seconds


def dimension_rollup(dimension: str, project_ids: list[int] | None, first_day, last_day):
    """Rows of one dimension's rollup over whole days [first_day, last_day]."""
    table = TrafficDimension.__table__
    return (
        select(table.c.value, *rollup_measures(table))
        .where(
            table.c.dimension == dimension,
            table.c.day.between(first_day, last_day),
            in_rollup_projects(table.c.project_id, project_ids),
        )
        .group_by(table.c.value)
    )
