"""Triage writes: status changes, ignore expiry and merges. Never commits."""

from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from app.core.alerting import Facts
from app.models import (
    ExceptionEvent,
    ExceptionGroup,
    GroupDay,
    GroupTransition,
    Release,
)
from app.store.alert_firings import Change, record_changes
from app.store.exceptions import SYSTEM_ACTOR, add_transition, clear_triage_fields, upsert


def apply_triage(
    session: Session, group: ExceptionGroup, change: dict, actor: str, now: datetime
) -> None:
    """Resolve, ignore or reopen one group, and write the history entry."""
    status = change["status"]
    if status == "unresolved":
        if group.status != "unresolved":
            _set(session, group, clear_triage_fields())
            add_transition(session, group.id, "reopened", actor, now)
        return
    values = clear_triage_fields()
    values.update(status=status, regressed=False, regressed_at=None)
    detail: dict = {}
    if status == "resolved":
        resolve_in = change.get("resolve_in", "now")
        values["resolved_at"] = now
        if resolve_in == "now":
            values["resolution_kind"] = "now"
        elif resolve_in == "next_release":
            values["resolution_kind"] = "next_release"
            values["resolution_release"] = latest_release(session, group.project_id)
        else:
            values["resolution_kind"] = "release"
            values["resolution_release"] = resolve_in
        detail = {"in": resolve_in}
    else:
        until = change.get("ignore_until") or {}
        values["ignored_at"] = now
        if "events" in until:
            values["ignore_until_count"] = group.event_count + until["events"]
            detail = {"events": until["events"]}
        elif "until" in until:
            values["ignore_until_time"] = until["until"]
            detail = {"until": until["until"].isoformat()}
    _set(session, group, values)
    add_transition(session, group.id, status, actor, now, detail or None)


def latest_release(session: Session, project_id: int) -> str | None:
    """The newest release seen in a project (by first sighting)."""
    return session.scalar(
        select(Release.version)
        .where(Release.project_id == project_id)
        .order_by(Release.first_seen.desc(), Release.id.desc())
        .limit(1)
    )


def expire_ignores(session: Session, now: datetime) -> None:
    """Return to unresolved every group whose ignore-until time has passed."""
    expired = session.execute(
        select(
            ExceptionGroup.id,
            ExceptionGroup.project_id,
            ExceptionGroup.environment,
            ExceptionGroup.last_release,
        ).where(ExceptionGroup.status == "ignored", ExceptionGroup.ignore_until_time <= now)
    ).all()
    if not expired:
        return
    ids = [row.id for row in expired]
    session.execute(
        update(ExceptionGroup).where(ExceptionGroup.id.in_(ids)).values(**clear_triage_fields())
    )
    for group_id in ids:
        add_transition(session, group_id, "unignored", SYSTEM_ACTOR, now)
    # An ignore that ran out is news like one an event ended: the ignore_ended rules hear it.
    record_changes(
        session.connection(),
        [
            Change(
                row.project_id,
                row.id,
                "unignored",
                now,
                Facts(row.environment, row.last_release, None, None),
                row.last_release,
            )
            for row in expired
        ],
    )


def merge_groups(
    session: Session, groups: list[ExceptionGroup], actor: str, now: datetime
) -> ExceptionGroup:
    """Fold groups into the one with the most events: events, counts, days and history move,
    and later events of an absorbed fingerprint land in the survivor."""
    survivor = max(groups, key=lambda group: (group.event_count, -group.id))
    absorbed = [group for group in groups if group.id != survivor.id]
    absorbed_ids = [group.id for group in absorbed]
    days = session.execute(
        select(GroupDay.day, func.sum(GroupDay.count))
        .where(GroupDay.group_id.in_(absorbed_ids))
        .group_by(GroupDay.day)
    ).all()
    for day, count in days:
        statement = upsert(session, GroupDay.__table__).values(
            group_id=survivor.id, day=day, count=count
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["group_id", "day"],
                set_={"count": GroupDay.__table__.c.count + count},
            )
        )
    session.execute(delete(GroupDay).where(GroupDay.group_id.in_(absorbed_ids)))
    for model in (ExceptionEvent, GroupTransition):
        session.execute(
            update(model).where(model.group_id.in_(absorbed_ids)).values(group_id=survivor.id)
        )
    # Absorbed rows stay as pointers (their fingerprints keep routing to the survivor), and
    # so do the rows they had absorbed before.
    session.execute(
        update(ExceptionGroup)
        .where(
            or_(
                ExceptionGroup.id.in_(absorbed_ids),
                ExceptionGroup.merged_into_id.in_(absorbed_ids),
            )
        )
        .values(merged_into_id=survivor.id)
    )
    everyone = [survivor, *absorbed]
    releases_by_time = sorted((g.first_seen, g.first_release) for g in everyone if g.first_release)
    latest_releases = sorted((g.last_seen, g.last_release) for g in everyone if g.last_release)
    _set(
        session,
        survivor,
        {
            "event_count": sum(g.event_count for g in everyone),
            "first_seen": min(g.first_seen for g in everyone),
            "last_seen": max(g.last_seen for g in everyone),
            "first_release": releases_by_time[0][1] if releases_by_time else None,
            "last_release": latest_releases[-1][1] if latest_releases else None,
        },
    )
    session.flush()
    add_transition(session, survivor.id, "merged", actor, now, {"absorbed": absorbed_ids})
    return survivor


def _set(session: Session, group: ExceptionGroup, values: dict) -> None:
    for key, value in values.items():
        setattr(group, key, value)
    session.flush()
