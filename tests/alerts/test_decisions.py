"""The pure decisions (app/core/alerting.py): filters, cool-down and digest packing, with
property tests over random arrivals."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.alerting import (
    Facts,
    Pending,
    Rule,
    may_fire,
    per_thousand,
    plan_messages,
    rules_for_change,
    view_rate_exceeded,
)

START = datetime(2026, 12, 7, tzinfo=UTC)
FACTS = Facts(environment="production", release="1.0", handled=False, level=None)


def rule(kind="new_group", **fields) -> Rule:
    return Rule(
        id=1,
        kind=kind,
        filters=fields.pop("filters", {}),
        channel_ids=(1,),
        cooldown_minutes=fields.pop("cooldown", 60),
        **fields,
    )


@pytest.mark.parametrize(
    ("change", "kind", "fires"),
    [
        ("created", "new_group", True),
        ("regressed", "regression", True),
        ("unignored", "ignore_ended", True),
        ("created", "regression", False),
        ("regressed", "new_group", False),
        ("created", "event_rate", False),
    ],
)
def test_each_change_sets_off_its_kind(change, kind, fires):
    assert bool(rules_for_change((rule(kind),), change, FACTS)) is fires


@pytest.mark.parametrize(
    ("errors", "views", "threshold", "per_1k", "exceeded"),
    [
        (5, 1000, 4, 5.0, True),
        (4, 1000, 4, 4.0, False),
        (3, 0, 1, None, False),
        (1, 3, 100, 333.33, True),
    ],
)
def test_errors_per_thousand_views(errors, views, threshold, per_1k, exceeded):
    assert per_thousand(errors, views) == per_1k
    assert view_rate_exceeded(threshold, errors, views) is exceeded


@settings(max_examples=200, deadline=None)
@given(
    gaps=st.lists(st.integers(min_value=0, max_value=7200), min_size=1, max_size=60),
    cooldown=st.integers(min_value=0, max_value=120),
)
def test_never_two_notifications_for_one_group_inside_the_cool_down(gaps, cooldown):
    fired: list[datetime] = []
    at = START
    for gap in gaps:
        at += timedelta(seconds=gap)
        if may_fire(fired[-1] if fired else None, at, cooldown):
            fired.append(at)
    assert fired[0] == START + timedelta(seconds=gaps[0])  # the first always fires
    for earlier, later in itertools.pairwise(fired):
        assert later - earlier >= timedelta(minutes=cooldown)


deliveries = st.lists(
    st.tuples(st.integers(1, 4), st.sampled_from([None, "k1", "k2"])), min_size=1, max_size=80
)


@settings(max_examples=200, deadline=None)
@given(items=deliveries, last=st.dictionaries(st.integers(1, 4), st.integers(0, 120)))
def test_every_due_delivery_is_in_exactly_one_message_or_waits(items, last):
    pending = [Pending(i, channel, f"key{i}", key) for i, (channel, key) in enumerate(items)]
    last_at = {channel: START - timedelta(seconds=ago) for channel, ago in last.items()}
    plan = plan_messages(pending, last_at, START, 60)
    placed = [i for message in plan.messages for i in message.delivery_ids] + list(plan.deferred)
    assert sorted(placed) == [p.id for p in pending]
    by_id = {p.id: p for p in pending}
    for message in plan.messages:
        assert {by_id[i].channel_id for i in message.delivery_ids} == {message.channel_id}
    fresh = [m.channel_id for m in plan.messages if not m.retry]
    assert len(fresh) == len(set(fresh))  # one new message per channel at most
    assert all(due > START for due in plan.deferred.values())


@settings(max_examples=50, deadline=None)
@given(
    arrivals=st.lists(st.integers(0, 599), min_size=1, max_size=400),
    poll=st.integers(1, 30),
    channels=st.integers(1, 3),
)
def test_a_burst_sends_one_message_per_channel_per_window(arrivals, poll, channels):
    """Alerts arriving over ten minutes, a worker polling, sends always succeeding: every
    alert goes out once, and no channel gets two new messages inside 60 s."""
    window = 60
    queued = sorted(arrivals)
    due: dict[int, datetime] = {}
    sent: dict[int, list[datetime]] = {}
    last: dict[int, datetime] = {}
    delivered: list[int] = []
    next_id = 0
    for tick in range(0, 900, poll):
        now = START + timedelta(seconds=tick)
        while queued and queued[0] <= tick:
            for channel in range(channels):
                due[next_id] = START + timedelta(seconds=queued[0])
                sent.setdefault(channel, [])
                next_id += 1
            queued.pop(0)
        ready = [Pending(i, i % channels, f"k{i}") for i, at in due.items() if at <= now]
        plan = plan_messages(ready, last, now, window)
        for i, at in plan.deferred.items():
            due[i] = at
        for message in plan.messages:
            sent[message.channel_id].append(now)
            last[message.channel_id] = now
            delivered.extend(message.delivery_ids)
            for i in message.delivery_ids:
                del due[i]
    assert sorted(delivered) == list(range(next_id))
    for times in sent.values():
        for earlier, later in itertools.pairwise(times):
            assert later - earlier >= timedelta(seconds=window)
        assert len(times) <= 900 // window + 1
