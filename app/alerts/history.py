"""What alerting did, as the API shows it: a project's recent deliveries with every attempt and
its outcome, and the alerts fired for one group. Reads only; pages are bounded."""

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ExceptionGroup
from app.models.alerts import AlertAttempt, AlertChannel, AlertDelivery, AlertFiring, AlertRule
from app.paging import encode_cursor, iso


def _rule(rule: AlertRule) -> dict:
    return {"id": rule.id, "name": rule.name, "kind": rule.kind}


def _channel(channel: AlertChannel) -> dict:
    return {"id": channel.id, "name": channel.name, "kind": channel.kind, "format": channel.format}


def _attempts(session: Session, delivery_ids: list[int]) -> dict[int, list[dict]]:
    by_delivery = defaultdict(list)
    if delivery_ids:
        rows = session.scalars(
            select(AlertAttempt)
            .where(AlertAttempt.delivery_id.in_(delivery_ids))
            .order_by(AlertAttempt.at, AlertAttempt.id)
        )
        for attempt in rows:
            by_delivery[attempt.delivery_id].append(
                {"at": iso(attempt.at), "ok": attempt.ok, "detail": attempt.detail}
            )
    return by_delivery


def _delivery(delivery: AlertDelivery, channel: AlertChannel, attempts: list[dict]) -> dict:
    return {
        "id": delivery.id,
        "channel": _channel(channel),
        "state": delivery.state,
        "created_at": iso(delivery.created_at),
        "due_at": iso(delivery.due_at),
        "sent_at": iso(delivery.sent_at),
        "digest_key": delivery.digest_key,
        "attempts": attempts,
    }


def recent_deliveries(
    session: Session, project_id: int, before_id: int | None, limit: int, state: str | None = None
) -> dict:
    """A page of a project's deliveries, newest first, each with its rule, channel, group and
    attempts; `before_id` continues after the previous page."""
    query = (
        select(AlertDelivery, AlertFiring, AlertRule, AlertChannel, ExceptionGroup)
        .join(AlertFiring, AlertDelivery.firing_id == AlertFiring.id)
        .join(AlertRule, AlertFiring.rule_id == AlertRule.id)
        .join(AlertChannel, AlertDelivery.channel_id == AlertChannel.id)
        .outerjoin(ExceptionGroup, AlertFiring.group_id == ExceptionGroup.id)
        .where(AlertRule.project_id == project_id)
        .order_by(AlertDelivery.id.desc())
    )
    if state is not None:
        query = query.where(AlertDelivery.state == state)
    if before_id is not None:
        query = query.where(AlertDelivery.id < before_id)
    rows = session.execute(query.limit(limit + 1)).all()
    page = rows[:limit]
    attempts = _attempts(session, [row[0].id for row in page])
    items = [
        {
            **_delivery(delivery, channel, attempts[delivery.id]),
            "rule": _rule(rule),
            "group": {"id": group.id, "title": group.title} if group is not None else None,
            "fired_at": iso(firing.fired_at),
            "reason": firing.reason,
        }
        for delivery, firing, rule, channel, group in page
    ]
    more = len(rows) > limit
    return {"items": items, "next_cursor": encode_cursor(None, page[-1][0].id) if more else None}


def group_firings(session: Session, group_id: int, before_id: int | None, limit: int) -> dict:
    """A page of the alerts fired for a group, newest first, each with its rule and the state
    of its delivery to every channel."""
    query = (
        select(AlertFiring, AlertRule)
        .join(AlertRule, AlertFiring.rule_id == AlertRule.id)
        .where(AlertFiring.group_id == group_id)
        .order_by(AlertFiring.id.desc())
    )
    if before_id is not None:
        query = query.where(AlertFiring.id < before_id)
    rows = session.execute(query.limit(limit + 1)).all()
    page = rows[:limit]
    deliveries = defaultdict(list)
    firing_ids = [firing.id for firing, _rule_row in page]
    if firing_ids:
        found = session.execute(
            select(AlertDelivery, AlertChannel)
            .join(AlertChannel, AlertDelivery.channel_id == AlertChannel.id)
            .where(AlertDelivery.firing_id.in_(firing_ids))
            .order_by(AlertDelivery.id)
        ).all()
        attempts = _attempts(session, [delivery.id for delivery, _channel_row in found])
        for delivery, channel in found:
            deliveries[delivery.firing_id].append(
                _delivery(delivery, channel, attempts[delivery.id])
            )
    items = [
        {
            "id": firing.id,
            "rule": _rule(rule),
            "fired_at": iso(firing.fired_at),
            "reason": firing.reason,
            "deliveries": deliveries[firing.id],
        }
        for firing, rule in page
    ]
    more = len(rows) > limit
    return {"items": items, "next_cursor": encode_cursor(None, page[-1][0].id) if more else None}
