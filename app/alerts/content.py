"""What a message says, read from stored rows only: the group (title and culprit already
scrubbed at ingest), its counts and times, the project, the latest event's environment,
release and top frame, and the rate per 1,000 page views. Nothing a report carried that the
privacy rules keep out of storage can reach a message, since only stored fields are read."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.core.alerting import per_thousand
from app.core.timegrid import SLOT, floor
from app.models import (
    AlertChannel,
    AlertDelivery,
    AlertFiring,
    AlertRule,
    ExceptionEvent,
    ExceptionGroup,
    Project,
    TrafficSlot,
)

# A group alert's rate per 1,000 views is over this last stretch.
RATE_HOURS = 1
# A digest lists this many alerts in full and counts the rest.
LISTED = 25


@dataclass(frozen=True)
class Alert:
    """One alert of a message, as every channel renders it."""

    delivery_key: str
    rule_id: int
    rule_name: str
    kind: str
    fired_at: datetime
    reason: dict
    link: str
    group_id: int | None = None
    title: str | None = None
    culprit: str | None = None
    environment: str | None = None
    release: str | None = None
    count: int | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    top_frame: str | None = None
    per_1k: float | None = None


@dataclass(frozen=True)
class Content:
    """A message to one channel: its key, the project, and the alerts (at most LISTED)."""

    key: str
    project_id: int
    project: str
    alerts: list[Alert] = field(default_factory=list)
    total: int = 0
    test: bool = False


def load_content(
    engine: Engine, key: str, delivery_ids: tuple[int, ...], base_url: str
) -> tuple[AlertChannel, Content] | None:
    """The channel and content of a message; None when its channel is gone."""
    with Session(engine) as session:
        rows = session.execute(
            select(AlertDelivery.idempotency_key, AlertFiring, AlertRule.name, AlertRule.kind)
            .join(AlertFiring, AlertFiring.id == AlertDelivery.firing_id)
            .join(AlertRule, AlertRule.id == AlertFiring.rule_id)
            .where(AlertDelivery.id.in_(delivery_ids))
            .order_by(AlertDelivery.id)
        ).all()
        channel = session.scalar(
            select(AlertChannel)
            .join(AlertDelivery, AlertDelivery.channel_id == AlertChannel.id)
            .where(AlertDelivery.id == delivery_ids[0])
        )
        if channel is None or not rows:
            return None
        project = session.get(Project, channel.project_id)
        alerts = [_alert(session, row, base_url) for row in rows[:LISTED]]
        return channel, Content(key, channel.project_id, project.name, alerts, total=len(rows))


def _alert(session: Session, row, base_url: str) -> Alert:
    key, firing, rule_name, kind = row.idempotency_key, row.AlertFiring, row.name, row.kind
    reason = dict(firing.reason or {})
    common = {
        "delivery_key": key,
        "rule_id": firing.rule_id,
        "rule_name": rule_name,
        "kind": kind,
        "fired_at": firing.fired_at,
        "reason": reason,
    }
    if firing.group_id is None:
        return Alert(link=f"{base_url}/#/issues", per_1k=reason.get("per_1k"), **common)
    group = session.get(ExceptionGroup, firing.group_id)
    latest = session.execute(
        select(ExceptionEvent.frames, ExceptionEvent.environment, ExceptionEvent.release)
        .where(ExceptionEvent.group_id == group.id)
        .order_by(ExceptionEvent.id.desc())
        .limit(1)
    ).first()
    return Alert(
        link=f"{base_url}/#/issues/{group.id}",
        group_id=group.id,
        title=group.title,
        culprit=group.culprit,
        environment=(latest.environment if latest else None) or group.environment,
        release=(latest.release if latest else None) or group.last_release,
        count=group.event_count,
        first_seen=group.first_seen,
        last_seen=group.last_seen,
        top_frame=top_frame(latest.frames) if latest else None,
        per_1k=reason.get("per_1k") or group_rate(session, group, firing.fired_at),
        **common,
    )


def top_frame(frames: list[dict]) -> str | None:
    """The innermost in-app frame as `function (file:line)`, by its original position when a
    source map explained one, else as reported."""
    in_app = [frame for frame in frames or () if frame.get("in_app", True)] or list(frames or ())
    mapped = [frame for frame in in_app if frame.get("original")]
    if mapped:
        original = mapped[0]["original"]
        return _frame_text(original.get("function"), original.get("file"), original.get("line"))
    if not in_app:
        return None
    frame = in_app[0]
    return _frame_text(frame.get("function"), frame.get("filename"), frame.get("lineno"))


def _frame_text(function: str | None, file: str | None, line: int | None) -> str:
    where = f"{file}:{line}" if file and line else file or "?"
    return f"{function or '<anonymous>'} ({where})"


def group_rate(session: Session, group: ExceptionGroup, at: datetime) -> float | None:
    """The group's events per 1,000 page views of its project over the last hour; None
    when the project has no page views then (a back end, or no tracker)."""
    since = floor(at - timedelta(hours=RATE_HOURS), SLOT)
    views = session.scalar(
        select(func.coalesce(func.sum(TrafficSlot.pageviews), 0)).where(
            TrafficSlot.project_id == group.project_id, TrafficSlot.slot >= since
        )
    )
    if not views:
        return None
    views = int(views)  # PostgreSQL sums a BIGINT as a NUMERIC (a Decimal)
    errors = session.scalar(
        select(func.count()).where(
            ExceptionEvent.project_id == group.project_id,
            ExceptionEvent.received_at >= since,
            ExceptionEvent.group_id == group.id,
        )
    )
    return per_thousand(errors, views)
