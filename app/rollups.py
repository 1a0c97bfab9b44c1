"""Rollup writes, in the same transaction as the raw rows they summarise. Never commits.

Each stored hit or exception adds to its 15-minute slot, to one row per dimension of its day
and, for an unload, to its day's duration histogram (app/core/traffic.py says what).
"""

import functools
from collections import defaultdict
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from app.core.timegrid import SLOT, floor
from app.core.traffic import Contribution, Counts
from app.models import DurationBin, TrafficDimension, TrafficSlot

MEASURES = tuple(Counts().as_row())


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
    conn.execute(
        sql.slot,
        [
            {"project_id": key[0], "slot": key[1], "source_id": key[2], **counts.as_row()}
            for key, counts in sorted(slots.items())
        ],
    )
    if dimensions:
        conn.execute(
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
        conn.execute(
            sql.duration,
            [
                {"project_id": key[0], "day": key[1], "bin": key[2], "count": n, "total_ms": total}
                for key, (n, total) in sorted(durations.items())
            ],
        )
