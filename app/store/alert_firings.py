"""Alerts decided at ingest: the groups a batch created, regressed or unignored are matched
against their project's rules, and what fires is written as firings and outbox rows in the
batch's own transaction. Nothing is sent here (the worker sends) and nothing commits.

Rules are read once per project per few seconds per process: most batches change no group
and never look, and a project without rules costs one cached lookup per change.
"""

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from app.core.alerting import Facts, Rule, may_fire, rules_for_change
from app.models import AlertChannel, AlertDelivery, AlertFiring, AlertRule

log = logging.getLogger("faultline")
RULES_TTL_SECONDS = 5.0


@dataclass(frozen=True)
class Change:
    """A group's change in a batch and the event that made it."""

    project_id: int
    group_id: int
    kind: str  # a transition: created, regressed or unignored
    at: datetime
    facts: Facts
    release: str | None


class RuleCache:
    """A project's rules (channel ids narrowed to its live channels), kept a few seconds."""

    def __init__(self, ttl_seconds: float = RULES_TTL_SECONDS) -> None:
        self.ttl = ttl_seconds
        self._lock = threading.Lock()
        self._rules: dict[int, tuple[float, tuple[Rule, ...]]] = {}

    def rules(self, conn: Connection, project_id: int) -> tuple[Rule, ...]:
        """The project's rules, read again once the cached copy is older than the TTL."""
        entry = self._rules.get(project_id)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        rules = load_rules(conn, project_id)
        with self._lock:
            self._rules[project_id] = (time.monotonic() + self.ttl, rules)
        return rules

    def forget(self, project_id: int | None = None) -> None:
        """Drop one project's rules (or all): the API calls this after a change, so this
        process sees it at once and the others within the TTL."""
        with self._lock:
            if project_id is None:
                self._rules.clear()
            else:
                self._rules.pop(project_id, None)


RULES = RuleCache()


def load_rules(conn: Connection, project_id: int) -> tuple[Rule, ...]:
    """Every rule of a project, each naming only channels of that project that exist."""
    channels = set(
        conn.scalars(select(AlertChannel.id).where(AlertChannel.project_id == project_id))
    )
    rows = conn.execute(
        select(AlertRule).where(AlertRule.project_id == project_id).order_by(AlertRule.id)
    ).all()
    return tuple(
        Rule(
            id=row.id,
            kind=row.kind,
            filters=row.filters or {},
            channel_ids=tuple(c for c in row.channel_ids or () if c in channels),
            cooldown_minutes=row.cooldown_minutes,
            muted=row.muted,
            threshold=row.threshold,
            window_minutes=row.window_minutes,
            page=row.page,
        )
        for row in rows
    )


def record_changes(conn: Connection, changes: list[Change]) -> None:
    """Fire the rules the batch's changes set off, in a savepoint: an alert that cannot be
    written (a rule or channel deleted a moment ago) must never cost the events their place."""
    wanted = [
        (change, rule)
        for change in changes
        for rule in rules_for_change(
            RULES.rules(conn, change.project_id), change.kind, change.facts
        )
    ]
    if not wanted:
        return
    try:
        with conn.begin_nested():
            for change, rule in wanted:
                # A new group has no firing yet: only a regression or an ended ignore looks.
                if change.kind != "created" and not may_fire(
                    last_fired_at(conn, rule.id, change.group_id), change.at, rule.cooldown_minutes
                ):
                    continue
                reason = {"change": change.kind, "release": change.release}
                fire(conn, rule, change.group_id, change.at, reason)
    except Exception:  # the events are kept; only these alerts are lost, and logged
        RULES.forget(changes[0].project_id)
        log.exception("alerts: could not record firings for project %s", changes[0].project_id)


def last_fired_at(conn: Connection, rule_id: int, group_id: int | None) -> datetime | None:
    """When a rule last fired for a group (None: for the project or page), if ever."""
    group = AlertFiring.group_id.is_(None) if group_id is None else AlertFiring.group_id == group_id
    return conn.scalar(
        select(AlertFiring.fired_at)
        .where(AlertFiring.rule_id == rule_id, group)
        .order_by(AlertFiring.fired_at.desc())
        .limit(1)
    )


def fire(conn: Connection, rule: Rule, group_id: int | None, at: datetime, reason: dict) -> int:
    """Write a firing and one pending delivery per channel of the rule; the firing's id."""
    firing_id = conn.execute(
        insert(AlertFiring)
        .values(rule_id=rule.id, group_id=group_id, fired_at=at, reason=reason)
        .returning(AlertFiring.id)
    ).scalar_one()
    if rule.channel_ids:
        conn.execute(
            insert(AlertDelivery),
            [
                {
                    "firing_id": firing_id,
                    "channel_id": channel_id,
                    "idempotency_key": uuid.uuid4().hex,
                    "state": "pending",
                    "created_at": at,
                    "due_at": at,
                    "attempts": 0,
                }
                for channel_id in rule.channel_ids
            ],
        )
    return firing_id
