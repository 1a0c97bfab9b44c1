"""Counts of envelope items accepted and not stored, per project, day, category and reason:
added by ingest, read by the project's API. Never commits."""

import functools
from datetime import date

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.core.sentry_event import DroppedItems
from app.models import DroppedItem
from app.store.cache import IngestCache

DROPPED = DroppedItem.__table__


@functools.cache
def _add_counts(dialect: str):
    # Built once per dialect, as the other ingest statements are (app/store/statements.py).
    insert = (sqlite if dialect == "sqlite" else postgresql).insert(DROPPED)
    statement = insert.values(
        project_id=bindparam("project_id"),
        day=bindparam("day"),
        category=bindparam("category"),
        reason=bindparam("reason"),
        count=bindparam("n"),
    )
    return statement.on_conflict_do_update(
        index_elements=["project_id", "day", "category", "reason"],
        set_={"count": DROPPED.c.count + statement.excluded.count},
    )


def save_dropped(
    conn: Connection, _cache: IngestCache, records: list[DroppedItems], _auto_register_cap: int
) -> list[bool]:
    """Add a batch's counts, summed per cell first and written in a fixed order (no
    deadlocks between concurrent writers)."""
    cells: dict[tuple, int] = {}
    for record in records:
        for (category, reason), count in record.counts.items():
            key = (record.project_id, record.day, category, reason)
            cells[key] = cells.get(key, 0) + count
    for (project_id, day, category, reason), count in sorted(cells.items()):
        conn.execute(
            _add_counts(conn.dialect.name),
            {
                "project_id": project_id,
                "day": day,
                "category": category,
                "reason": reason,
                "n": count,
            },
        )
    return [True] * len(records)


def dropped_counts(session: Session, project_id: int, since: date) -> list[dict]:
    """A project's dropped items since a day, per category and reason, most first."""
    total = func.sum(DroppedItem.count)
    rows = session.execute(
        select(DroppedItem.category, DroppedItem.reason, total)
        .where(DroppedItem.project_id == project_id, DroppedItem.day >= since)
        .group_by(DroppedItem.category, DroppedItem.reason)
        .order_by(total.desc(), DroppedItem.category, DroppedItem.reason)
    ).all()
    return [
        {"category": category, "reason": reason, "count": int(count)}
        for category, reason, count in rows
    ]
