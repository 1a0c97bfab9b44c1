"""Ingest writes: sources, releases, events, the group upsert and daily counts. Never commits.

The hot path runs on a SQLAlchemy Core connection with the statements of app/store/statements.py.
"""

from collections import Counter
from datetime import datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import raw_sql
from app.core import triage
from app.core.alerting import Facts
from app.core.pipeline import ExceptionRecord
from app.core.traffic import exception_contribution
from app.models import GroupTransition, Release, SourceMapBundle, SourceMapFile
from app.store.alert_firings import Change, record_changes
from app.store.cache import IngestCache
from app.store.event_rows import event_row
from app.store.projects import new_public_key
from app.store.rollups import add_to_rollups
from app.store.statements import GROUPS, Statements, statements

SYSTEM_ACTOR = "system"


def dialect_name(executor: Session | Connection) -> str:
    """`sqlite` or `postgresql` for a session or a connection."""
    bind = executor.get_bind() if isinstance(executor, Session) else executor
    return bind.dialect.name


def upsert(executor: Session | Connection, table):
    """The dialect's INSERT that supports ON CONFLICT (SQLite and PostgreSQL alike)."""
    return (sqlite if dialect_name(executor) == "sqlite" else postgresql).insert(table)


def find_or_register_source(
    conn: Connection,
    cache: IngestCache,
    key: str,
    kind: str,
    auto_register_cap: int,
    now: datetime,
) -> tuple[int, int] | None:
    """(source id, project id) for a source key, registering it in a new project named after
    it on first sight; None when the auto-registration cap is reached or the source is
    unassigned (its project was deleted)."""
    cached = cache.source(key)
    if cached:
        return cached if cached[1] is not None else None
    sql = statements(conn)
    found = conn.execute(sql.source_by_key, {"key": key}).first()
    if found is None:
        if conn.execute(sql.count_auto_registered).scalar_one() >= auto_register_cap:
            return None
        # Not cached before it commits: a sibling thread using these ids meanwhile would
        # point at rows its own transaction cannot see (a foreign-key error on PostgreSQL).
        source_id, project_id = _register_source(conn, sql, key, kind, now)
        return source_id, project_id
    ids = (found[0], found[1])
    cache.remember_source(key, ids)
    return ids if ids[1] is not None else None


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
    Returns, per record, whether it was stored (False: the source cap was reached); an SDK
    event stored before (a retry) counts as stored and is not stored again."""
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
        if record.project_id is None
        else find_or_add_sdk_source(conn, cache, record.source_key, record.project_id, record)
        for record in records
    ]
    repeated = _repeated_sdk_events(conn, sql, records)
    by_group: dict[tuple[int, str], list[tuple[ExceptionRecord, int]]] = {}
    for position, (record, source) in enumerate(zip(records, placed, strict=True)):
        if source is not None and position not in repeated:
            by_group.setdefault((source[1], record.fingerprint), []).append((record, source[0]))
    _note_releases(conn, cache, sql, by_group)
    rows, days, rollup_entries, changes = [], Counter(), [], []
    # A fixed order of row locks across concurrent writers rules out deadlocks.
    for (project_id, fingerprint), members in sorted(by_group.items()):
        group_id, change = _count_in_group(
            conn, sql, project_id, fingerprint, [m[0] for m in members]
        )
        if change is not None:
            changes.append(_change(project_id, group_id, *change))
        for record, source_id in members:
            rows.append(event_row(record, project_id, source_id, group_id))
            days[group_id, record.received_at.date()] += 1
            rollup_entries.append(
                (project_id, source_id, record.received_at, exception_contribution(record), None)
            )
    if rows:
        raw_sql.execute(conn, sql.insert_event, rows)
        add_to_rollups(conn, rollup_entries)
    for (group_id, day), count in sorted(days.items()):
        raw_sql.execute(conn, sql.count_day, {"group_id": group_id, "day": day, "n": count})
    _note_maps_used(conn, cache, records)
    if changes:
        record_changes(conn, changes)
    return [source is not None for source in placed]


def _change(project_id: int, group_id: int, kind: str, record: ExceptionRecord) -> Change:
    facts = Facts(record.environment, record.release, record.handled, record.level)
    return Change(project_id, group_id, kind, record.received_at, facts, record.release)


def _note_maps_used(conn: Connection, cache: IngestCache, records: list[ExceptionRecord]) -> None:
    """Set `last_used_at` on the maps (and their bundles) that explained these events, at most
    once a minute per map and process: the settings page shows it, nothing needs it exact."""
    due = {
        file_id: record.received_at
        for record in records
        for file_id in record.maps_used
        if cache.map_use_due(file_id)
    }
    if not due:
        return
    at = max(due.values())
    conn.execute(update(SourceMapFile).where(SourceMapFile.id.in_(due)).values(last_used_at=at))
    bundles = select(SourceMapFile.bundle_id).where(SourceMapFile.id.in_(due))
    conn.execute(
        update(SourceMapBundle).where(SourceMapBundle.id.in_(bundles)).values(last_used_at=at)
    )


def find_or_add_sdk_source(
    conn: Connection, cache: IngestCache, key: str, project_id: int, record: ExceptionRecord
) -> tuple[int, int]:
    """(source id, project id) of the source an SDK's events count under in the rollups: one
    per project, added on its first event. The DSN chose the project, so a moved or
    unassigned source never reroutes them."""
    cached = cache.source(key)
    if cached is None:
        sql = statements(conn)
        found = conn.execute(sql.source_by_key, {"key": key}).first()
        if found is None:
            try:
                with conn.begin_nested():
                    source_id = conn.execute(
                        sql.insert_source,
                        {
                            "project_id": project_id,
                            "key": key,
                            "kind": record.source_kind,
                            "auto_registered": False,
                            "created_at": record.received_at,
                        },
                    ).scalar_one()
                return source_id, project_id  # cached once committed, like any new source
            except IntegrityError:
                found = conn.execute(sql.source_by_key, {"key": key}).one()
        cached = (found[0], found[1])
        cache.remember_source(key, cached)
    return cached[0], project_id


def _repeated_sdk_events(conn: Connection, sql: Statements, records: list) -> set[int]:
    """Positions of SDK events whose id is stored already or came earlier in the batch: an
    SDK retries with the same event id, and a retry must store nothing new."""
    seen: set[str] = set()
    repeated = set()
    for at, record in enumerate(records):
        if record.project_id is None:
            continue  # tracker reports get a fresh id each
        event_id = record.event_id
        if event_id in seen or raw_sql.execute(conn, sql.event_by_id, {"event_id": event_id}):
            repeated.add(at)
        seen.add(event_id)
    return repeated


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
) -> tuple[int, tuple[str, ExceptionRecord] | None]:
    """The group's id, and its change (transition, the event that made it) if it had one."""
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
    # Only the bump's own parameters: an UPDATE would also SET any column named in them.
    platforms = [record.platform for record in records if record.platform]
    environments = [record.environment for record in records if record.environment]
    counted["last_platform"] = platforms[-1] if platforms else None
    counted["last_environment"] = environments[-1] if environments else None
    bump = {
        key: counted[key]
        for key in (
            "n",
            "last_seen",
            "first_release",
            "last_release",
            "last_platform",
            "last_environment",
        )
    }
    # Nearly every event joins a group that exists: an UPDATE binds six values where the
    # upsert binds thirteen and builds the whole new row (its JSON basis too) before it
    # meets the conflict.
    group = raw_sql.execute(
        conn,
        sql.bump_fingerprint,
        {**bump, "group_project": project_id, "group_fingerprint": fingerprint},
    ) or raw_sql.execute(
        conn,
        sql.upsert_group,
        {
            **counted,
            "fingerprint_version": first.fingerprint_version,
            "fingerprint_basis": first.fingerprint_basis,
            "title": first.title,
            "exc_type": first.exc_type,
            "culprit": first.culprit,
        },
    )
    if group.merged_into_id is not None:
        group = raw_sql.execute(conn, sql.bump_group, {**bump, "group_id": group.merged_into_id})
    if group.event_count == len(records):
        add_transition(conn, group.id, "created", SYSTEM_ACTOR, counted["first_seen"])
        return group.id, ("created", first)
    if group.status != "unresolved":
        before = group.event_count - len(records)
        for position, record in enumerate(records, start=1):
            outcome = _apply_lifecycle(conn, group, before + position, record, project_id)
            if outcome is not None:
                return group.id, (outcome, record)
    return group.id, None


def _apply_lifecycle(
    conn: Connection, group, event_count: int, record: ExceptionRecord, project_id: int
) -> str | None:
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
        return None
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
    return outcome


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
