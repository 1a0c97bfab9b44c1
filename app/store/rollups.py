"""Rollup writes, in the same transaction as the raw rows they summarise. Never commits.

Each stored hit or exception adds to its 15-minute slot, to one row per dimension of its day
and, for an unload, to its day's duration histogram (app/core/traffic.py says what).
"""

import functools
from collections import defaultdict
from datetime import datetime

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from app import raw_sql
from app.core.timegrid import SLOT, floor
from app.core.traffic import Contribution, Counts, exception_contribution, hit_contribution
from app.models import DurationBin, ExceptionEvent, Hit, TrafficDimension, TrafficSlot

MEASURES = tuple(Counts().as_row())
_KEYS = ("id", "project_id", "source_id", "received_at", "path", "browser", "browser_version")
HIT_COLUMNS = (
    *_KEYS,
    *("kind", "unique_visit", "unique_page", "referrer_host", "referrer_group", "country"),
    *("language", "os", "device", "utm_source", "utm_medium", "utm_campaign", "event_name"),
    *("release", "duration_ms"),
)
EXCEPTION_COLUMNS = (*_KEYS, "os", "device", "release")


class RollupStatements:
    """Prebuilt upserts of one dialect: insert a cell or add to it."""

    def __init__(self, dialect: str) -> None:
        self.slot = _adding_upsert(dialect, TrafficSlot.__table__, MEASURES)
        self.dimension = _adding_upsert(dialect, TrafficDimension.__table__, MEASURES)
        self.duration = _adding_upsert(dialect, DurationBin.__table__, ("count", "total_ms"))


def _adding_upsert(dialect: str, table, measures: tuple[str, ...]):
    insert = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(table)
    keys = [column.name for column in table.primary_key.columns]
    return insert.on_conflict_do_update(
        index_elements=keys,
        set_={name: table.c[name] + insert.excluded[name] for name in measures},
    )


@functools.cache
def _statements(dialect: str) -> RollupStatements:
    return RollupStatements(dialect)


def add_to_rollups(
    conn: Connection, entries: list[tuple[int, int, datetime, Contribution, int | None]]
) -> None:
    """Add (project id, source id, received at, contribution, duration) entries to the
    rollups, cells of a batch summed first and written in a fixed order (no deadlocks)."""
    if not entries:
        return
    slots: dict[tuple, Counts] = defaultdict(Counts)
    dimensions: dict[tuple, Counts] = defaultdict(Counts)
    durations: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for project_id, source_id, received_at, contribution, duration in entries:
        slots[project_id, floor(received_at, SLOT), source_id].add(contribution.slot)
        day = received_at.date()
        for dimension, value in contribution.dimensions.items():
            dimensions[project_id, dimension, day, value].add(contribution.slot)
        if contribution.duration_bin is not None:
            cell = durations[project_id, day, contribution.duration_bin]
            cell[0] += 1
            cell[1] += duration
    sql = _statements(conn.dialect.name)
    raw_sql.execute(
        conn,
        sql.slot,
        [
            {"project_id": key[0], "slot": key[1], "source_id": key[2], **counts.as_row()}
            for key, counts in sorted(slots.items())
        ],
    )
    if dimensions:
        raw_sql.execute(
            conn,
            sql.dimension,
            [
                {
                    "project_id": key[0],
                    "dimension": key[1],
                    "day": key[2],
                    "value": key[3],
                    **counts.as_row(),
                }
                for key, counts in sorted(dimensions.items())
            ],
        )
    if durations:
        raw_sql.execute(
            conn,
            sql.duration,
            [
                {"project_id": key[0], "day": key[1], "bin": key[2], "count": n, "total_ms": total}
                for key, (n, total) in sorted(durations.items())
            ],
        )


def rebuild_rollups(conn: Connection, batch: int = 5000) -> int:
    """Recompute every rollup from the raw hits and exception events still kept (after an
    upgrade that adds rollups, or a restore); returns how many rows were read."""
    for model in (TrafficSlot, TrafficDimension, DurationBin):
        conn.execute(delete(model))
    read = 0
    for table, names, contribution in (
        (Hit.__table__, HIT_COLUMNS, hit_contribution),
        (ExceptionEvent.__table__, EXCEPTION_COLUMNS, exception_contribution),
    ):
        # Named columns only: the migration that first runs this must not ask for columns
        # that later revisions add.
        columns = [table.c[name] for name in names]
        last_id = 0
        while True:
            rows = conn.execute(
                select(*columns).where(table.c.id > last_id).order_by(table.c.id).limit(batch)
            ).all()
            if not rows:
                break
            add_to_rollups(
                conn,
                [
                    (
                        row.project_id,
                        row.source_id,
                        row.received_at,
                        contribution(row),
                        getattr(row, "duration_ms", None),
                    )
                    for row in rows
                    if row.source_id is not None
                ],
            )
            last_id, read = rows[-1].id, read + len(rows)
    return read
