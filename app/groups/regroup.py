"""Moving stored groups to a new fingerprint version without silently splitting or merging them.

A new grouping algorithm gives new keys. Left alone, the next event of every old group would
open a new group (a silent split). `regroup` re-keys each group from its stored events
instead: the key most of its events now get becomes the group's key, every other new key its
events get points at it (so they stay together), and events get their new fingerprints. When
a new key is already another group's, the two are NOT merged: the group keeps its old key and
version, and a `regroup_conflict` entry in both histories says so; merging is left to a person.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.core.engines import event_engine
from app.core.fingerprint import Fingerprint
from app.core.frames import Frame
from app.models import ExceptionEvent, ExceptionGroup
from app.store.exceptions import SYSTEM_ACTOR, add_transition

# (type, message, frames, override, engine): app.core.fingerprint.compute or a test's.
Compute = Callable[[str, str, list[Frame], list[str] | None, str | None], Fingerprint]
BATCH = 1000


@dataclass
class RegroupReport:
    """What a regroup run did, for the command's output and for tests."""

    rekeyed: int = 0
    unchanged: int = 0
    pointers: int = 0
    without_events: int = 0
    conflicts: list[tuple[int, int]] = field(default_factory=list)


def regroup(session: Session, compute: Compute, version: int, now: datetime) -> RegroupReport:
    """Re-key every live group whose fingerprint version is older than `version`."""
    report = RegroupReport()
    stale = session.scalars(
        select(ExceptionGroup)
        .where(
            ExceptionGroup.fingerprint_version < version,
            ExceptionGroup.merged_into_id.is_(None),
        )
        .order_by(ExceptionGroup.id)
    ).all()
    for group in stale:
        _regroup_one(session, group, compute, version, now, report)
    return report


def _regroup_one(session, group, compute, version, now, report: RegroupReport) -> None:
    keys: Counter = Counter()
    bases: dict[str, list[str]] = {}
    new_key_of: dict[int, str] = {}
    rows = session.execute(
        select(
            ExceptionEvent.id,
            ExceptionEvent.exc_type,
            func.coalesce(ExceptionEvent.message_template, ExceptionEvent.message),
            ExceptionEvent.frames,
            ExceptionEvent.fingerprint_override,
            ExceptionEvent.platform,
            ExceptionEvent.browser,
            ExceptionEvent.os,
        ).where(ExceptionEvent.group_id == group.id)
    ).yield_per(BATCH)
    for event_id, exc_type, message, frames, override, *agent in rows:
        grouping = [Frame.from_dict(f) for f in frames]
        result = compute(exc_type, message, grouping, override, event_engine(*agent))
        keys[result.hash] += 1
        bases.setdefault(result.hash, result.basis)
        new_key_of[event_id] = result.hash
    if not keys:
        report.without_events += 1  # nothing to recompute from (events past retention)
        return
    primary = keys.most_common(1)[0][0]
    if primary == group.fingerprint:
        report.unchanged += 1
    else:
        owner = owner_of(session, group.project_id, primary)
        if owner is not None and owner != group.id:
            _record_conflict(session, group, owner, primary, version, now, report)
            return
        group.fingerprint = primary
        report.rekeyed += 1
    group.fingerprint_version = version
    group.fingerprint_basis = bases[primary]
    session.flush()
    for key in keys:
        if key != primary and owner_of(session, group.project_id, key) is None:
            session.add(pointer_row(group, key, version))
            report.pointers += 1
    session.flush()
    by_key: dict[str, list[int]] = {}
    for event_id, key in new_key_of.items():
        by_key.setdefault(key, []).append(event_id)
    for key, event_ids in by_key.items():
        for start in range(0, len(event_ids), BATCH):
            session.execute(
                update(ExceptionEvent)
                .where(ExceptionEvent.id.in_(event_ids[start : start + BATCH]))
                .values(fingerprint=key)
            )
    add_transition(session, group.id, "regrouped", SYSTEM_ACTOR, now, {"version": version})


def owner_of(session: Session, project_id: int, key: str) -> int | None:
    """The live group a fingerprint lands in (through a pointer row), if any."""
    row = session.execute(
        select(ExceptionGroup.id, ExceptionGroup.merged_into_id).where(
            ExceptionGroup.project_id == project_id, ExceptionGroup.fingerprint == key
        )
    ).first()
    if row is None:
        return None
    return row.merged_into_id or row.id


def pointer_row(group: ExceptionGroup, key: str, version: int) -> ExceptionGroup:
    """A row that routes a fingerprint's future events to `group`."""
    return ExceptionGroup(
        project_id=group.project_id,
        fingerprint=key,
        fingerprint_version=version,
        fingerprint_basis=[],
        title=group.title,
        exc_type=group.exc_type,
        culprit=group.culprit,
        status="unresolved",
        regressed=False,
        event_count=0,
        first_seen=group.first_seen,
        last_seen=group.first_seen,
        merged_into_id=group.id,
    )


def _record_conflict(session, group, owner: int, key: str, version, now, report) -> None:
    report.conflicts.append((group.id, owner))
    detail = {"version": version, "key": key}
    add_transition(
        session, group.id, "regroup_conflict", SYSTEM_ACTOR, now, {**detail, "other_group": owner}
    )
    add_transition(
        session, owner, "regroup_conflict", SYSTEM_ACTOR, now, {**detail, "other_group": group.id}
    )
