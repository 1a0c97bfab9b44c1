"""Ingest writes: sources, releases, events, the group upsert and daily counts. Never commits.

The hot path runs on a SQLAlchemy Core connection with statements built once per dialect:
building and cache-keying a statement costs more CPU than SQLite takes to run it.
"""

import functools
import secrets
import time
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import Connection, Integer, String, bindparam, case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core import triage
from app.core.pipeline import ExceptionRecord
from app.models import (
    ExceptionEvent,
    ExceptionGroup,
    GroupDay,
    GroupTransition,
    Project,
    Release,
    Source,
    UTCDateTime,
)

SYSTEM_ACTOR = "system"
GROUPS = ExceptionGroup.__table__


def dialect_name(executor: Session | Connection) -> str:
    """`sqlite` or `postgresql` for a session or a connection."""
    bind = executor.get_bind() if isinstance(executor, Session) else executor
    return bind.dialect.name


def upsert(executor: Session | Connection, table):
    """The dialect's INSERT that supports ON CONFLICT (SQLite and PostgreSQL alike)."""
    return (sqlite if dialect_name(executor) == "sqlite" else postgresql).insert(table)


def new_public_key() -> str:
    """A random DSN public key (32 hex characters, like Sentry's)."""
    return secrets.token_hex(16)


def create_project(session: Session, name: str, now: datetime | None = None) -> Project:
    """Add a project with a fresh DSN key."""
    project = Project(name=name, public_key=new_public_key(), created_at=now or datetime.now(UTC))
    session.add(project)
    session.flush()
    return project


class IngestCache:
    """Per-process memo of source ids and known releases, so that most events need three
    statements. Entries expire, so a source moved to another project is seen within a TTL;
    a deleted project surfaces as an IntegrityError, after which the caller clears it."""

    def __init__(self, ttl_seconds: float = 30.0, max_entries: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.sources: dict[str, tuple[int, int, float]] = {}
        self.releases: set[tuple[int, str]] = set()

    def source(self, key: str) -> tuple[int, int] | None:
        """Cached (source id, project id), if fresh."""
        entry = self.sources.get(key)
        if entry is None or entry[2] < time.monotonic():
            return None
        return entry[0], entry[1]

    def remember_source(self, key: str, ids: tuple[int, int]) -> None:
        """Cache a source lookup."""
        if len(self.sources) >= self.max_entries:
            self.sources.clear()
        self.sources[key] = (*ids, time.monotonic() + self.ttl)

    def release_known(self, project_id: int, version: str) -> bool:
        """True when this process already stored the release."""
        return (project_id, version) in self.releases

    def remember_release(self, project_id: int, version: str) -> None:
        """Note a stored release."""
        if len(self.releases) >= self.max_entries:
            self.releases.clear()
        self.releases.add((project_id, version))

    def clear(self) -> None:
        """Forget everything (after a write failed on a stale entry)."""
        self.sources.clear()
        self.releases.clear()


class Statements:
    """The ingest statements of one dialect, with bind parameters filled per event."""

    def __init__(self, dialect: str) -> None:
        insert_for = sqlite.insert if dialect == "sqlite" else postgresql.insert
        groups, days = GROUPS, GroupDay.__table__
        seen_at = bindparam("received_at", type_=UTCDateTime())
        release = bindparam("release", type_=String())
        self.source_by_key = select(Source.id, Source.project_id).where(
            Source.key == bindparam("key")
        )
        self.count_auto_registered = (
            select(func.count()).select_from(Source).where(Source.auto_registered.is_(True))
        )
        self.insert_project = Project.__table__.insert().returning(Project.id)
        self.insert_source = Source.__table__.insert().returning(Source.id)
        self.insert_release = (
            insert_for(Release.__table__)
            .values(project_id=bindparam("project_id"), version=release, first_seen=seen_at)
            .on_conflict_do_nothing(index_elements=["project_id", "version"])
        )
        count = bindparam("n", type_=Integer())
        first_seen = bindparam("first_seen", type_=UTCDateTime())
        last_seen = bindparam("last_seen", type_=UTCDateTime())
        first_release = bindparam("first_release", type_=String())
        last_release = bindparam("last_release", type_=String())
        bump = {
            "event_count": groups.c.event_count + count,
            "last_seen": case(
                (groups.c.last_seen < last_seen, last_seen), else_=groups.c.last_seen
            ),
            "last_release": func.coalesce(last_release, groups.c.last_release),
            "first_release": func.coalesce(groups.c.first_release, first_release),
        }
        returning = (
            groups.c.id,
            groups.c.merged_into_id,
            groups.c.event_count,
            groups.c.status,
            groups.c.resolved_at,
            groups.c.resolution_kind,
            groups.c.resolution_release,
            groups.c.ignore_until_time,
            groups.c.ignore_until_count,
        )
        self.bump_group = (
            update(groups).where(groups.c.id == bindparam("group_id")).values(bump)
        ).returning(*returning)
        new_group = {
            name: bindparam(name)
            for name in (
                "project_id",
                "fingerprint",
                "fingerprint_version",
                "fingerprint_basis",
                "title",
                "exc_type",
                "culprit",
            )
        }
        # One statement creates the group or counts the events in it; concurrent first events
        # of a new fingerprint meet on the unique key and yield one group with an exact count.
        self.upsert_group = (
            insert_for(groups)
            .values(
                **new_group,
                status="unresolved",
                regressed=False,
                event_count=count,
                first_seen=first_seen,
                last_seen=last_seen,
                first_release=first_release,
                last_release=last_release,
            )
            .on_conflict_do_update(index_elements=["project_id", "fingerprint"], set_=bump)
            .returning(*returning)
        )
        self.insert_event = ExceptionEvent.__table__.insert()
        self.count_day = (
            insert_for(days)
            .values(group_id=bindparam("group_id"), day=bindparam("day"), count=count)
            .on_conflict_do_update(
                index_elements=["group_id", "day"], set_={"count": days.c.count + count}
            )
        )


@functools.cache
def _statements(dialect: str) -> Statements:
    return Statements(dialect)


def statements(conn: Connection) -> Statements:
    """The prebuilt ingest statements for the connection's database."""
    return _statements(conn.dialect.name)


def find_or_register_source(
    conn: Connection,
    cache: IngestCache,
    key: str,
    kind: str,
    auto_register_cap: int,
    now: datetime,
) -> tuple[int, int] | None:
    """(source id, project id) for a source key, registering it in a new project named after
    it on first sight; None when the auto-registration cap is reached."""
    cached = cache.source(key)
    if cached:
        return cached
    sql = statements(conn)
    found = conn.execute(sql.source_by_key, {"key": key}).first()
    if found is None:
        if conn.execute(sql.count_auto_registered).scalar_one() >= auto_register_cap:
            return None
        found = _register_source(conn, sql, key, kind, now)
    ids = (found[0], found[1])
    cache.remember_source(key, ids)
    return ids


def _register_source(conn: Connection, sql: Statements, key: str, kind: str, now: datetime):
    try:
        # Two processes may see the same new host at once: the unique key decides the winner
        # and the loser rolls back only its savepoint, then reads the winner's row.
        with conn.begin_nested():
            project_id = conn.execute(
                sql.insert_project,
                {
                    "name": key.split("://", 1)[-1],
                    "public_key": new_public_key(),
                    "created_at": now,
                },
            ).scalar_one()
            source_id = conn.execute(
                sql.insert_source,
                {
                    "project_id": project_id,
                    "key": key,
                    "kind": kind,
                    "auto_registered": True,
                    "created_at": now,
                },
            ).scalar_one()
            return source_id, project_id
    except IntegrityError:
        return conn.execute(sql.source_by_key, {"key": key}).one()


def save_exceptions(
    conn: Connection, cache: IngestCache, records: list[ExceptionRecord], auto_register_cap: int
) -> list[bool]:
    """Store a batch of events: sources registered, releases noted, each group counted once
    per batch, events inserted together, daily counts bumped, lifecycle rules applied.
    Returns, per record, whether it was stored (False: the source cap was reached)."""
    sql = statements(conn)
    placed = [
        find_or_register_source(
            conn,
            cache,
            record.source_key,
            record.source_kind,
            auto_register_cap,
            record.received_at,
        )
        for record in records
    ]
    by_group: dict[tuple[int, str], list[tuple[ExceptionRecord, int]]] = {}
    for record, source in zip(records, placed, strict=True):
        if source is not None:
            by_group.setdefault((source[1], record.fingerprint), []).append((record, source[0]))
    _note_releases(conn, cache, sql, by_group)
    rows, days = [], Counter()
    # A fixed order of row locks across concurrent writers rules out deadlocks.
    for (project_id, fingerprint), members in sorted(by_group.items()):
        group_id = _count_in_group(conn, sql, project_id, fingerprint, [m[0] for m in members])
        for record, source_id in members:
            rows.append(_event_row(record, project_id, source_id, group_id))
            days[group_id, record.received_at.date()] += 1
    if rows:
        conn.execute(sql.insert_event, rows)
    for (group_id, day), count in sorted(days.items()):
        conn.execute(sql.count_day, {"group_id": group_id, "day": day, "n": count})
    return [source is not None for source in placed]


def _note_releases(conn, cache: IngestCache, sql: Statements, by_group: dict) -> None:
    first_seen: dict[tuple[int, str], datetime] = {}
    for (project_id, _), members in by_group.items():
        for record, _ in members:
            key = (project_id, record.release)
            if record.release and (key not in first_seen or record.received_at < first_seen[key]):
                first_seen[key] = record.received_at
    for (project_id, release), seen in sorted(first_seen.items()):
        if not cache.release_known(project_id, release):
            conn.execute(
                sql.insert_release,
                {"project_id": project_id, "release": release, "received_at": seen},
            )
            cache.remember_release(project_id, release)


def _count_in_group(
    conn: Connection, sql: Statements, project_id: int, fingerprint: str, records: list
) -> int:
    first = records[0]
    releases = [record.release for record in records if record.release]
    counted = {
        "project_id": project_id,
        "fingerprint": fingerprint,
        "n": len(records),
        "first_seen": min(record.received_at for record in records),
        "last_seen": max(record.received_at for record in records),
        "first_release": releases[0] if releases else None,
        "last_release": releases[-1] if releases else None,
    }
    group = conn.execute(
        sql.upsert_group,
        {
            **counted,
            "fingerprint_version": first.fingerprint_version,
            "fingerprint_basis": first.fingerprint_basis,
            "title": first.title,
            "exc_type": first.exc_type,
            "culprit": first.culprit,
        },
    ).one()
    if group.merged_into_id is not None:
        # Only the bump's own parameters: an UPDATE would also SET any column named in them.
        bump = {key: counted[key] for key in ("n", "last_seen", "first_release", "last_release")}
        group = conn.execute(sql.bump_group, {**bump, "group_id": group.merged_into_id}).one()
    if group.event_count == len(records):
        add_transition(conn, group.id, "created", SYSTEM_ACTOR, counted["first_seen"])
    elif group.status != "unresolved":
        before = group.event_count - len(records)
        for position, record in enumerate(records, start=1):
            if _apply_lifecycle(conn, group, before + position, record, project_id):
                break
    return group.id


def _event_row(record: ExceptionRecord, project_id: int, source_id: int | None, group_id: int):
    return {
        "event_id": record.event_id,
        "project_id": project_id,
        "source_id": source_id,
        "group_id": group_id,
        "received_at": record.received_at,
        "exc_type": record.exc_type,
        "message": record.message,
        "stack": record.stack,
        "frames": record.frames,
        "handled": record.handled,
        "release": record.release,
        "path": record.path,
        "browser": record.browser,
        "browser_version": record.browser_version,
        "os": record.os,
        "device": record.device,
        "beacon": record.beacon,
        "session_id": record.session_id,
        "extra": record.extra,
        "fingerprint": record.fingerprint,
        "fingerprint_override": record.fingerprint_override,
    }


def _apply_lifecycle(
    conn: Connection, group, event_count: int, record: ExceptionRecord, project_id: int
) -> bool:
    order = None
    if record.release and group.resolution_release:
        seen = dict(
            conn.execute(
                select(Release.version, Release.first_seen).where(
                    Release.project_id == project_id,
                    Release.version.in_([record.release, group.resolution_release]),
                )
            ).all()
        )
        order = triage.compare_releases(
            record.release,
            group.resolution_release,
            seen.get(record.release),
            seen.get(group.resolution_release),
        )
    state = triage.GroupState(
        status=group.status,
        event_count=event_count,
        resolved_at=group.resolved_at,
        resolution_kind=group.resolution_kind,
        resolution_release=group.resolution_release,
        ignore_until_time=group.ignore_until_time,
        ignore_until_count=group.ignore_until_count,
    )
    outcome = triage.event_outcome(state, record.received_at, record.release, order)
    if outcome is None:
        return False
    values = clear_triage_fields()
    if outcome == "regressed":
        values.update(regressed=True, regressed_at=record.received_at)
    conn.execute(update(GROUPS).where(GROUPS.c.id == group.id).values(**values))
    add_transition(
        conn,
        group.id,
        outcome,
        SYSTEM_ACTOR,
        record.received_at,
        {"release": record.release, "event_id": record.event_id},
    )
    return True


def clear_triage_fields() -> dict:
    """The column values of a group back in the unresolved state."""
    return {
        "status": "unresolved",
        "resolved_at": None,
        "resolution_kind": None,
        "resolution_release": None,
        "ignored_at": None,
        "ignore_until_time": None,
        "ignore_until_count": None,
    }


def add_transition(
    executor: Session | Connection,
    group_id: int,
    kind: str,
    actor: str,
    at: datetime,
    detail: dict | None = None,
) -> None:
    """Append one entry to a group's history."""
    executor.execute(
        GroupTransition.__table__.insert().values(
            group_id=group_id, kind=kind, actor=actor, at=at, detail=detail
        )
    )


def purge_events(session: Session, before: datetime, batch: int = 5000) -> int:
    """Delete raw events received before a time, in batches; groups keep their counts."""
    removed = 0
    while True:
        ids = session.scalars(
            select(ExceptionEvent.id).where(ExceptionEvent.received_at < before).limit(batch)
        ).all()
        if not ids:
            return removed
        session.execute(delete(ExceptionEvent).where(ExceptionEvent.id.in_(ids)))
        removed += len(ids)
