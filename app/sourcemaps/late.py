"""Maps that arrive late: events stored before their map are mapped when it is uploaded, and
moved onto the mapped fingerprint (in Sentry they stay minified).

Only events within retention are looked at, and only those with a frame that found no map (or
was stored unlooked-up, its project having no maps then).

Per old group and new key: a group whose every stored event moves to a key nobody owns is
re-keyed in place (its triage and history stay) with a pointer row for the old key, the way
`faultline regroup` keeps old keys routing; a group that moves wholly onto another group's
key is merged into it; a part of a group moves to the key's group, new or existing.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import Text, cast, func, or_, select, update
from sqlalchemy.orm import Session

from app.core import fingerprint as fp
from app.core.engines import event_engine
from app.core.frames import Frame
from app.core.sourcemap import NO_MAP
from app.core.symbolicate import MAPPED_PLATFORMS, awaits_map, symbolicate
from app.groups.regroup import owner_of, pointer_row
from app.groups.triage import merge_groups
from app.models import ExceptionEvent, ExceptionGroup, GroupDay
from app.sourcemaps.resolver import MapResolver
from app.store.exceptions import SYSTEM_ACTOR, add_transition, upsert

BATCH = 500


def remap_after_upload(
    session: Session, project_id: int, now: datetime, retention_days: int = 90
) -> dict:
    """Map the project's stored events that had no map, regroup them; what moved."""
    resolver = MapResolver(session.get_bind())
    conn = session.connection()
    since = now - timedelta(days=retention_days)
    moves: dict[tuple[int, str], list[tuple[int, list[dict], list[str], str | None]]]
    moves = defaultdict(list)
    last_id = 0
    while True:
        rows = session.execute(
            select(
                ExceptionEvent.id,
                ExceptionEvent.group_id,
                ExceptionEvent.exc_type,
                func.coalesce(ExceptionEvent.message_template, ExceptionEvent.message),
                ExceptionEvent.frames,
                ExceptionEvent.fingerprint_override,
                ExceptionEvent.release,
                ExceptionEvent.platform,
                ExceptionEvent.browser,
                ExceptionEvent.os,
            )
            .where(
                ExceptionEvent.project_id == project_id,
                ExceptionEvent.received_at >= since,
                ExceptionEvent.id > last_id,
                or_(
                    ExceptionEvent.platform.is_(None),
                    ExceptionEvent.platform.in_([p for p in MAPPED_PLATFORMS if p]),
                ),
                # A frame that found no map, or one stored unlooked-up (no maps back then).
                or_(
                    cast(ExceptionEvent.frames, Text).like(f"%{NO_MAP}%"),
                    cast(ExceptionEvent.frames, Text).not_like('%"mapped"%'),
                ),
            )
            .order_by(ExceptionEvent.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for event_id, group_id, exc_type, message, frames, override, release, *agent in rows:
            remapped = _remap(resolver, conn, project_id, release, frames)
            if remapped is None:
                continue
            grouping = [Frame.from_dict(data) for data in remapped]
            engine = event_engine(*agent)
            key = fp.compute(exc_type, message, grouping, override, engine)
            culprit = fp.culprit(grouping, exc_type, engine)
            moves[group_id, key.hash].append((event_id, remapped, key.basis, culprit))
        last_id = rows[-1][0]
    groups_changed = 0
    for (group_id, key), events in sorted(moves.items()):
        session.execute(
            update(ExceptionEvent),
            [{"id": e[0], "frames": e[1], "fingerprint": key} for e in events],
        )
        groups_changed += _move(session, project_id, group_id, key, events, now)
    session.flush()
    return {"events": sum(len(e) for e in moves.values()), "groups": groups_changed}


def _remap(resolver, conn, project_id: int, release, frames: list[dict]) -> list[dict] | None:
    """The event's frames mapped again, or None when no new map explains any of them."""
    if not any(awaits_map(f) for f in frames):
        return None
    minified = [Frame.from_dict({k: v for k, v in f.items() if k != "original"}) for f in frames]
    debug_ids = {f["filename"]: f["debug_id"] for f in frames if f.get("debug_id")}
    locate = resolver.locator(project_id, release, conn)
    stored, _used = symbolicate(minified, locate, debug_ids)
    # Only a frame that had no map and has one now counts: another upload must not rewrite
    # events whose other scripts (a CDN's jQuery) stay unmapped.
    newly = any(
        awaits_map(old) and new.get("mapped") for old, new in zip(frames, stored, strict=True)
    )
    return stored if newly else None


def _move(session: Session, project_id: int, group_id: int, key: str, events, now) -> int:
    group = session.get(ExceptionGroup, group_id)
    if group is None or group.fingerprint == key:
        return 0
    basis, culprit = events[0][2], events[0][3]
    stored = session.scalar(select(func.count()).where(ExceptionEvent.group_id == group_id))
    owner = owner_of(session, project_id, key)
    if owner == group_id:
        return 0  # the key already routes here (a pointer row): only the frames changed
    whole = stored == len(events)
    if owner is None and whole:
        old = group.fingerprint
        group.fingerprint, group.fingerprint_basis = key, basis
        group.fingerprint_version, group.culprit = fp.FINGERPRINT_VERSION, culprit
        session.flush()
        session.add(pointer_row(group, old, fp.FINGERPRINT_VERSION))
        add_transition(session, group.id, "symbolicated", SYSTEM_ACTOR, now, {"events": stored})
        return 1
    if owner is not None and whole:
        target = session.get(ExceptionGroup, owner)
        survivor = merge_groups(session, [target, group], SYSTEM_ACTOR, now)
        survivor.culprit = culprit
        return 1
    target = session.get(ExceptionGroup, owner) if owner is not None else None
    if target is None:
        target = _new_group(group, key, basis, culprit)
        session.add(target)
        session.flush()
    _move_events(session, group, target, [e[0] for e in events])
    add_transition(session, target.id, "symbolicated", SYSTEM_ACTOR, now, {"from_group": group.id})
    return 1


def _new_group(group: ExceptionGroup, key: str, basis: list[str], culprit) -> ExceptionGroup:
    return ExceptionGroup(
        project_id=group.project_id,
        fingerprint=key,
        fingerprint_version=fp.FINGERPRINT_VERSION,
        fingerprint_basis=basis,
        title=group.title,
        exc_type=group.exc_type,
        culprit=culprit,
        status="unresolved",
        regressed=False,
        event_count=0,
        first_seen=group.first_seen,  # set from the moved events by _move_events
        last_seen=group.last_seen,
        first_release=group.first_release,
        last_release=group.last_release,
        platform=group.platform,
        environment=group.environment,
    )


def _move_events(session: Session, source: ExceptionGroup, target, event_ids: list[int]) -> None:
    """Move some events between live groups with their counts and days."""
    rows = session.execute(
        select(ExceptionEvent.received_at).where(ExceptionEvent.id.in_(event_ids))
    ).all()
    days: dict = defaultdict(int)
    for (received_at,) in rows:
        days[received_at.date()] += 1
    session.execute(
        update(ExceptionEvent).where(ExceptionEvent.id.in_(event_ids)).values(group_id=target.id)
    )
    for day, count in days.items():
        session.execute(
            update(GroupDay)
            .where(GroupDay.group_id == source.id, GroupDay.day == day)
            .values(count=GroupDay.count - count)
        )
        statement = upsert(session, GroupDay.__table__).values(
            group_id=target.id, day=day, count=count
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["group_id", "day"],
                set_={"count": GroupDay.__table__.c.count + count},
            )
        )
    times = [r[0] for r in rows]
    if target.event_count == 0:
        target.first_seen, target.last_seen = min(times), max(times)
    else:
        target.first_seen = min(target.first_seen, *times)
        target.last_seen = max(target.last_seen, *times)
    source.event_count = max(0, source.event_count - len(rows))
    target.event_count += len(rows)
    session.flush()
