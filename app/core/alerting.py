"""Alert decisions, pure: which rules an event's change sets off, the cool-down, the rate
thresholds, the retry backoff, and how a channel's due deliveries are packed into messages.

A digest is decided when deliveries are sent, not when they are written: a channel gets a
message for what is due at once unless it had one less than `digest_seconds` ago, in which
case everything due waits for that window to end and goes out as one message. Once tried, a
message's make-up is frozen (its deliveries carry its key), so a retry or a resend after a
crash carries the same idempotency key and the same alerts.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

# The group transition recorded at ingest -> the rule kind it sets off.
CHANGE_RULES = {"created": "new_group", "regressed": "regression", "unignored": "ignore_ended"}
RATE_KINDS = ("event_rate", "view_rate")
KINDS = (*CHANGE_RULES.values(), *RATE_KINDS)
FILTER_KEYS = ("environment", "release", "handled", "level")
# An event without a level (every tracker report) is an error, as Sentry's default says.
DEFAULT_LEVEL = "error"
MAX_RETRY_SECONDS = 3600


@dataclass(frozen=True)
class Rule:
    """The parts of an alert rule a decision reads."""

    id: int
    kind: str
    filters: dict
    channel_ids: tuple[int, ...]
    cooldown_minutes: int
    muted: bool = False
    threshold: float | None = None
    window_minutes: int | None = None
    page: str | None = None


@dataclass(frozen=True)
class Facts:
    """What an event says about itself, for the rules' filters."""

    environment: str | None
    release: str | None
    handled: bool | None
    level: str | None


def passes_filters(filters: dict, facts: Facts) -> bool:
    """Whether an event matches every filter a rule sets (an unset filter matches all)."""
    for key in FILTER_KEYS:
        wanted = filters.get(key)
        if wanted is None:
            continue
        value = (facts.level or DEFAULT_LEVEL) if key == "level" else getattr(facts, key)
        if value != wanted:
            return False
    return True


def rules_for_change(rules: tuple[Rule, ...], change: str, facts: Facts) -> list[Rule]:
    """The unmuted rules that a group's change (created, regressed, unignored) sets off."""
    kind = CHANGE_RULES.get(change)
    return [
        rule
        for rule in rules
        if rule.kind == kind and not rule.muted and passes_filters(rule.filters, facts)
    ]


def may_fire(last_fired_at: datetime | None, now: datetime, cooldown_minutes: int) -> bool:
    """Whether a rule may fire again for a group (or page): its cool-down has run out."""
    return last_fired_at is None or now - last_fired_at >= timedelta(minutes=cooldown_minutes)


def per_thousand(errors: int, views: int) -> float | None:
    """Errors per 1,000 page views; None without views (the rate is not known)."""
    return round(errors * 1000 / views, 2) if views > 0 else None


def event_rate_exceeded(threshold: float | None, count: int) -> bool:
    """More than `threshold` events in the window."""
    return threshold is not None and count > threshold


def view_rate_exceeded(threshold: float | None, errors: int, views: int) -> bool:
    """More than `threshold` errors per 1,000 page views in the window."""
    rate = per_thousand(errors, views)
    return threshold is not None and rate is not None and rate > threshold


def retry_delay(attempts: int, base_seconds: int) -> timedelta:
    """How long to wait after the `attempts`-th failure: doubling from the base, at most 1 h."""
    exponent = min(max(attempts - 1, 0), 32)
    return timedelta(seconds=min(MAX_RETRY_SECONDS, base_seconds * 2**exponent))


@dataclass(frozen=True)
class Pending:
    """A due delivery as the digest planner sees it."""

    id: int
    channel_id: int
    idempotency_key: str
    digest_key: str | None = None


@dataclass(frozen=True)
class Message:
    """One message to one channel: its idempotency key and the deliveries it carries."""

    channel_id: int
    key: str
    delivery_ids: tuple[int, ...]
    retry: bool = False


@dataclass
class Plan:
    """What to send now, and the deliveries that wait for their channel's window to end."""

    messages: list[Message] = field(default_factory=list)
    deferred: dict[int, datetime] = field(default_factory=dict)


def plan_messages(
    pending: list[Pending],
    last_message_at: dict[int, datetime],
    now: datetime,
    digest_seconds: int,
) -> Plan:
    """Pack due deliveries into messages: each frozen message again as it was, and per
    channel one new message of all the rest, unless that channel had a message less than
    `digest_seconds` ago (or has a retry now): then they wait until the window ends."""
    plan = Plan()
    frozen: dict[tuple[int, str], list[int]] = {}
    fresh: dict[int, list[Pending]] = {}
    for item in sorted(pending, key=lambda p: p.id):
        if item.digest_key is not None:
            frozen.setdefault((item.channel_id, item.digest_key), []).append(item.id)
        else:
            fresh.setdefault(item.channel_id, []).append(item)
    for (channel_id, key), ids in frozen.items():
        plan.messages.append(Message(channel_id, key, tuple(ids), retry=True))
    retried = {channel_id for channel_id, _ in frozen}
    window = timedelta(seconds=digest_seconds)
    for channel_id, items in fresh.items():
        last = now if channel_id in retried else last_message_at.get(channel_id)
        if last is not None and now < last + window:
            for item in items:
                plan.deferred[item.id] = last + window
            continue
        ids = tuple(item.id for item in items)
        plan.messages.append(Message(channel_id, items[0].idempotency_key, ids))
    return plan
