"""Rate rules, checked by the worker every `alerts.rate_check_seconds`: more than N events of
one group in M minutes, or more than X errors per 1,000 page views of the project (or of one
page) over a window. What fires goes through the same firings and outbox rows as ingest's.

Errors are counted from the stored events (the rules' filters apply to them); page views of
the project from the 15-minute traffic rollups, and of one page from its stored page loads,
both from the same slot boundary so the two counts cover the same stretch.
"""

from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, func, or_, select

from app.core.alerting import (
    DEFAULT_LEVEL,
    RATE_KINDS,
    Rule,
    event_rate_exceeded,
    may_fire,
    per_thousand,
    view_rate_exceeded,
)
from app.core.timegrid import SLOT, floor
from app.models import AlertRule, ExceptionEvent, Hit, Project, TrafficSlot
from app.store.alert_firings import fire, last_fired_at, load_rules

EVENTS = ExceptionEvent.__table__.c


def check_rates(conn: Connection, now: datetime) -> int:
    """Check every unmuted rate rule of every live project; how many firings were written."""
    projects = conn.scalars(
        select(AlertRule.project_id)
        .join(Project, Project.id == AlertRule.project_id)
        .where(
            AlertRule.kind.in_(RATE_KINDS),
            AlertRule.muted.is_(False),
            Project.deleted_at.is_(None),
        )
        .distinct()
    ).all()
    fired = 0
    for project_id in sorted(projects):
        for rule in load_rules(conn, project_id):
            if (
                rule.kind in RATE_KINDS
                and not rule.muted
                and rule.window_minutes
                and _owned(conn, rule)
            ):
                check = _event_rate if rule.kind == "event_rate" else _view_rate
                fired += check(conn, project_id, rule, now)
    return fired


def _owned(conn: Connection, rule: Rule) -> bool:
    """On PostgreSQL, lock the rule for this check (skipped when another worker holds it),
    so two workers never both fire it; SQLite's write turn already makes checks take turns."""
    if conn.dialect.name != "postgresql":
        return True
    locked = select(AlertRule.id).where(AlertRule.id == rule.id).with_for_update(skip_locked=True)
    return conn.scalar(locked) is not None


def _event_filters(rule: Rule) -> list:
    filters = rule.filters
    clauses = []
    for key in ("environment", "release", "handled"):
        if filters.get(key) is not None:
            clauses.append(EVENTS[key] == filters[key])
    level = filters.get("level")
    if level is not None:
        same = EVENTS.level == level
        clauses.append(or_(same, EVENTS.level.is_(None)) if level == DEFAULT_LEVEL else same)
    return clauses


def _event_rate(conn: Connection, project_id: int, rule: Rule, now: datetime) -> int:
    since = now - timedelta(minutes=rule.window_minutes)
    count = func.count().label("n")
    rows = conn.execute(
        select(EVENTS.group_id, count)
        .where(EVENTS.project_id == project_id, EVENTS.received_at >= since, *_event_filters(rule))
        .group_by(EVENTS.group_id)
        .having(count > (rule.threshold or 0))
        .order_by(EVENTS.group_id)
    ).all()
    fired = 0
    for group_id, n in rows:
        if event_rate_exceeded(rule.threshold, n) and may_fire(
            last_fired_at(conn, rule.id, group_id), now, rule.cooldown_minutes
        ):
            reason = {"count": n, "window_minutes": rule.window_minutes}
            fire(conn, rule, group_id, now, reason)
            fired += 1
    return fired


def _view_rate(conn: Connection, project_id: int, rule: Rule, now: datetime) -> int:
    since = floor(now - timedelta(minutes=rule.window_minutes), SLOT)
    errors_where = [EVENTS.project_id == project_id, EVENTS.received_at >= since]
    if rule.page:
        errors_where.append(EVENTS.path == rule.page)
        views = conn.scalar(
            select(func.count()).where(
                and_(
                    Hit.project_id == project_id,
                    Hit.path == rule.page,
                    Hit.received_at >= since,
                    Hit.kind == "load",
                )
            )
        )
    else:
        views = conn.scalar(
            select(func.coalesce(func.sum(TrafficSlot.pageviews), 0)).where(
                TrafficSlot.project_id == project_id, TrafficSlot.slot >= since
            )
        )
    views = int(views)  # PostgreSQL sums a BIGINT as a NUMERIC (a Decimal)
    errors = conn.scalar(select(func.count()).where(*errors_where, *_event_filters(rule)))
    if not view_rate_exceeded(rule.threshold, errors, views):
        return 0
    if not may_fire(last_fired_at(conn, rule.id, None), now, rule.cooldown_minutes):
        return 0
    reason = {
        "per_1k": per_thousand(errors, views),
        "errors": errors,
        "views": views,
        "window_minutes": rule.window_minutes,
        "page": rule.page,
    }
    fire(conn, rule, None, now, reason)
    return 1
