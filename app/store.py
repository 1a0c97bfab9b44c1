"""Ingest writes: sources, releases, events, the group upsert and daily counts. Never commits."""

import secrets
from datetime import UTC, datetime

from sqlalchemy import case, delete, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core import triage
from app.core.pipeline import ExceptionRecord
from app.models import (
    ExceptionEvent,
    ExceptionGroup,
    GroupAlias,
    GroupDay,
    GroupTransition,
    Project,
    Release,
    Source,
    UTCDateTime,
)

SYSTEM_ACTOR = "system"
GROUPS = ExceptionGroup.__table__


def upsert(session: Session, table):
    """The dialect's INSERT that supports ON CONFLICT (SQLite and PostgreSQL alike)."""
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    return dialect.insert(table)


def new_public_key() -> str:
    """A random DSN public key (32 hex characters, like Sentry's)."""
    return secrets.token_hex(16)


def create_project(session: Session, name: str, now: datetime | None = None) -> Project:
    """Add a project with a fresh DSN key."""
    project = Project(name=name, public_key=new_public_key(), created_at=now or datetime.now(UTC))
    session.add(project)
    session.flush()
    return project


def find_or_register_source(
    session: Session, key: str, kind: str, auto_register_cap: int, now: datetime
) -> tuple[int, int] | None:
    """(source id, project id) for a source key, registering it in a new project named after
    it on first sight; None when the auto-registration cap is reached."""
    found = session.execute(select(Source.id, Source.project_id).where(Source.key == key)).first()
    if found:
        return found.id, found.project_id
    registered = session.scalar(
        select(func.count()).select_from(Source).where(Source.auto_registered.is_(True))
    )
    if registered >= auto_register_cap:
        return None
    try:
        # Two processes may see the same new host at once: the unique key decides the winner
        # and the loser rolls back only its savepoint, then reads the winner's row.
        with session.begin_nested():
            project = create_project(session, key.split("://", 1)[-1], now)
            source = Source(
                project_id=project.id, key=key, kind=kind, auto_registered=True, created_at=now
            )
            session.add(source)
            session.flush()
            return source.id, project.id
    except IntegrityError:
        found = session.execute(select(Source.id, Source.project_id).where(Source.key == key)).one()
        return found.id, found.project_id


def save_exception(
    session: Session, record: ExceptionRecord, project_id: int, source_id: int | None
) -> int:
    """Store one event, count it in its group (created on first sight) and apply the group's
    lifecycle rules; returns the group id."""
    now = record.received_at
    if record.release:
        session.execute(
            upsert(session, Release.__table__)
            .values(project_id=project_id, version=record.release, first_seen=now)
            .on_conflict_do_nothing(index_elements=["project_id", "version"])
        )
    group = _count_in_group(session, record, project_id)
    session.execute(
        ExceptionEvent.__table__.insert().values(
            event_id=record.event_id,
            project_id=project_id,
            source_id=source_id,
            group_id=group.id,
            received_at=now,
            exc_type=record.exc_type,
            message=record.message,
            stack=record.stack,
            frames=record.frames,
            handled=record.handled,
            release=record.release,
            path=record.path,
            browser=record.browser,
            browser_version=record.browser_version,
            os=record.os,
            device=record.device,
            beacon=record.beacon,
            session_id=record.session_id,
            extra=record.extra,
            fingerprint=record.fingerprint,
            fingerprint_override=record.fingerprint_override,
        )
    )
    day_insert = upsert(session, GroupDay.__table__).values(
        group_id=group.id, day=now.date(), count=1
    )
    session.execute(
        day_insert.on_conflict_do_update(
            index_elements=["group_id", "day"], set_={"count": GroupDay.__table__.c.count + 1}
        )
    )
    if group.event_count == 1:
        add_transition(session, group.id, "created", SYSTEM_ACTOR, now)
    elif group.status != "unresolved":
        _apply_lifecycle(session, group, record, project_id)
    return group.id


def _count_in_group(session: Session, record: ExceptionRecord, project_id: int):
    """Upsert the group keyed by (project, fingerprint) in one statement, so concurrent
    first events of a new fingerprint yield one group whose count is exact."""
    returning = (
        GROUPS.c.id,
        GROUPS.c.event_count,
        GROUPS.c.status,
        GROUPS.c.resolved_at,
        GROUPS.c.resolution_kind,
        GROUPS.c.resolution_release,
        GROUPS.c.ignore_until_time,
        GROUPS.c.ignore_until_count,
    )
    alias_of = session.scalar(
        select(GroupAlias.group_id).where(
            GroupAlias.project_id == project_id, GroupAlias.fingerprint == record.fingerprint
        )
    )
    seen_at = literal(record.received_at, UTCDateTime())
    bump = {
        "event_count": GROUPS.c.event_count + 1,
        "last_seen": case((GROUPS.c.last_seen < seen_at, seen_at), else_=GROUPS.c.last_seen),
        "last_release": func.coalesce(record.release, GROUPS.c.last_release),
        "first_release": func.coalesce(GROUPS.c.first_release, record.release),
    }
    if alias_of is not None:
        statement = update(GROUPS).where(GROUPS.c.id == alias_of).values(**bump)
        return session.execute(statement.returning(*returning)).one()
    statement = upsert(session, GROUPS).values(
        project_id=project_id,
        fingerprint=record.fingerprint,
        fingerprint_version=record.fingerprint_version,
        fingerprint_basis=record.fingerprint_basis,
        title=record.title,
        exc_type=record.exc_type,
        culprit=record.culprit,
        status="unresolved",
        regressed=False,
        event_count=1,
        first_seen=record.received_at,
        last_seen=record.received_at,
        first_release=record.release,
        last_release=record.release,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["project_id", "fingerprint"], set_=bump
    )
    return session.execute(statement.returning(*returning)).one()


def _apply_lifecycle(session: Session, group, record: ExceptionRecord, project_id: int) -> None:
    order = None
    if record.release and group.resolution_release:
        seen = dict(
            session.execute(
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
        event_count=group.event_count,
        resolved_at=group.resolved_at,
        resolution_kind=group.resolution_kind,
        resolution_release=group.resolution_release,
        ignore_until_time=group.ignore_until_time,
        ignore_until_count=group.ignore_until_count,
    )
    outcome = triage.event_outcome(state, record.received_at, record.release, order)
    if outcome is None:
        return
    values = clear_triage_fields()
    if outcome == "regressed":
        values.update(regressed=True, regressed_at=record.received_at)
    session.execute(update(GROUPS).where(GROUPS.c.id == group.id).values(**values))
    add_transition(
        session,
        group.id,
        outcome,
        SYSTEM_ACTOR,
        record.received_at,
        {"release": record.release, "event_id": record.event_id},
    )


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
    session: Session, group_id: int, kind: str, actor: str, at: datetime, detail: dict | None = None
) -> None:
    """Append one entry to a group's history."""
    session.execute(
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
