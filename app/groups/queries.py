"""Reads behind the group API: a group's details, its breakdowns, history and events."""

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.symbolicate import MAPPED_PLATFORMS, frame_view
from app.models import ExceptionEvent, ExceptionGroup, GroupDay, GroupTransition, Source
from app.paging import decode_cursor, encode_cursor, iso

BREAKDOWNS = ("browser", "os", "device", "release", "environment", "path")
TREND_DAYS = 30
BREAKDOWN_ROWS = 10
HISTORY_ROWS = 100
# Only Sentry SDK events carry these: a "(none)" row for every tracker report says nothing.
WITHOUT_NONE = {"environment"}


def group_summary(group: ExceptionGroup) -> dict:
    """The fields of a group shown in lists."""
    return {
        "id": group.id,
        "project": group.project_id,
        "title": group.title,
        "type": group.exc_type,
        "culprit": group.culprit,
        "status": group.status,
        "regressed": group.regressed,
        "regressed_at": iso(group.regressed_at),
        "count": group.event_count,
        "first_seen": iso(group.first_seen),
        "last_seen": iso(group.last_seen),
        "first_release": group.first_release,
        "last_release": group.last_release,
        "fingerprint": group.fingerprint,
        "fingerprint_version": group.fingerprint_version,
        "environment": group.environment,
        "platform": group.platform,
    }


def group_detail(session: Session, group: ExceptionGroup, today: date) -> dict:
    """Everything the group page needs: triage state, latest event, trend, breakdowns, history."""
    latest = session.scalars(
        select(ExceptionEvent)
        .where(ExceptionEvent.group_id == group.id)
        .order_by(ExceptionEvent.id.desc())
        .limit(1)
    ).first()
    detail = group_summary(group)
    detail.update(
        grouping=explain_grouping(group, latest),
        resolution={
            "resolved_at": iso(group.resolved_at),
            "kind": group.resolution_kind,
            "release": group.resolution_release,
        },
        ignore={
            "ignored_at": iso(group.ignored_at),
            "until": iso(group.ignore_until_time),
            "until_count": group.ignore_until_count,
        },
        latest_event=event_dict(session, latest) if latest else None,
        trend=_trend(session, group.id, today),
        breakdowns={name: _breakdown(session, group.id, name) for name in BREAKDOWNS},
        history=_history(session, group.id),
    )
    return detail


def explain_grouping(group: ExceptionGroup, latest: ExceptionEvent | None) -> dict:
    """Why events share this group: the parts the fingerprint was computed from."""
    parts: dict = {"type": None, "frames": [], "message": None, "custom": []}
    for entry in group.fingerprint_basis or []:
        kind, _, value = entry.partition(":")
        if kind == "frame":
            module, _, function = value.rpartition(":")
            parts["frames"].append({"module": module or None, "function": function or None})
        elif kind in ("type", "message"):
            parts[kind] = value
        else:
            parts["custom"].append(entry)
    return {
        "fingerprint": group.fingerprint,
        "version": group.fingerprint_version,
        "basis": group.fingerprint_basis,
        **parts,
        "method": "frames" if parts["frames"] else "message" if parts["message"] else "custom",
        "override": latest.fingerprint_override if latest else None,
    }


def _trend(session: Session, group_id: int, today: date) -> list[dict]:
    start = today - timedelta(days=TREND_DAYS - 1)
    counts = dict(
        session.execute(
            select(GroupDay.day, GroupDay.count).where(
                GroupDay.group_id == group_id, GroupDay.day >= start
            )
        ).all()
    )
    days = (start + timedelta(days=offset) for offset in range(TREND_DAYS))
    return [{"day": day.isoformat(), "count": counts.get(day, 0)} for day in days]


def _breakdown(session: Session, group_id: int, name: str) -> list[dict]:
    column = getattr(ExceptionEvent, name)
    conditions = [ExceptionEvent.group_id == group_id]
    if name in WITHOUT_NONE:
        conditions.append(column.is_not(None))
    rows = session.execute(
        select(column, func.count().label("n"))
        .where(*conditions)
        .group_by(column)
        .order_by(func.count().desc(), column)
        .limit(BREAKDOWN_ROWS)
    ).all()
    return [{"value": value if value is not None else "", "count": n} for value, n in rows]


def _history(session: Session, group_id: int) -> list[dict]:
    rows = session.scalars(
        select(GroupTransition)
        .where(GroupTransition.group_id == group_id)
        .order_by(GroupTransition.at.desc(), GroupTransition.id.desc())
        .limit(HISTORY_ROWS)
    ).all()
    return [
        {"kind": row.kind, "at": iso(row.at), "actor": row.actor, "detail": row.detail}
        for row in rows
    ]


def list_events(session: Session, group_id: int, cursor: str | None, limit: int) -> dict:
    """One page of a group's events, newest first."""
    query = select(ExceptionEvent).where(ExceptionEvent.group_id == group_id)
    if cursor:
        _, row_id = decode_cursor(cursor, None)
        query = query.where(ExceptionEvent.id < row_id)
    rows = session.scalars(query.order_by(ExceptionEvent.id.desc()).limit(limit + 1)).all()
    items = [event_dict(session, row) for row in rows[:limit]]
    next_cursor = encode_cursor(None, rows[limit - 1].id) if len(rows) > limit else None
    return {"items": items, "next_cursor": next_cursor}


def event_dict(session: Session, event: ExceptionEvent) -> dict:
    """An event as the API shows it."""
    source = session.get(Source, event.source_id) if event.source_id else None
    return {
        "id": event.event_id,
        "received_at": iso(event.received_at),
        "type": event.exc_type,
        "message": event.message,
        "stack": event.stack,
        "frames": [frame_view(f, event.platform in MAPPED_PLATFORMS) for f in event.frames],
        "handled": event.handled,
        "release": event.release,
        "source": source.key if source else None,
        "path": event.path,
        "browser": event.browser,
        "browser_version": event.browser_version,
        "os": event.os,
        "device": event.device,
        "metadata": event.extra,
        "fingerprint": event.fingerprint,
        "fingerprint_override": event.fingerprint_override,
        # What a Sentry SDK reported beside the exception; null for tracker reports.
        "platform": event.platform,
        "environment": event.environment,
        "level": event.level,
        "logger": event.logger,
        "transaction": event.transaction_name,
        "url": event.url,
        "sdk": (
            {"name": event.sdk_name, "version": event.sdk_version}
            if event.sdk_name or event.sdk_version
            else None
        ),
        "tags": event.tags,
        "contexts": event.contexts,
        "chain": event.chain,
    }
