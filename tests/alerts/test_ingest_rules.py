"""Ingest decides: which rules a new, regressed or unignored group sets off (filters, mute,
cool-down), written with the event; a rule or channel that vanished never costs an event."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.groups.triage import apply_triage, expire_ignores
from app.models import AlertChannel, AlertDelivery, AlertFiring, ExceptionEvent, ExceptionGroup
from tests.alerts.arrange import add_channel, add_rule, alert_app, report, shop_project, store

HOOK = "http://127.0.0.1:9/never-called"


def firings(app) -> list[tuple[int, int | None, str | None]]:
    """(rule id, group id, change) of every firing, oldest first."""
    with app.extensions["faultline.sessionmaker"]() as session:
        rows = session.scalars(select(AlertFiring).order_by(AlertFiring.id))
        return [(f.rule_id, f.group_id, f.reason.get("change")) for f in rows]


def triage(app, change: dict, at: datetime) -> None:
    """Resolve or ignore the only group, as the API would."""
    with app.extensions["faultline.sessionmaker"]() as session:
        group = session.scalars(select(ExceptionGroup)).one()
        apply_triage(session, group, change, "tester", at)
        session.commit()


@pytest.fixture
def shop(make_app):
    app = alert_app(make_app)
    project = shop_project(app)
    return app, project, add_channel(app, project, "webhook", HOOK, "json")


@pytest.mark.parametrize(
    ("filters", "event", "fires"),
    [
        ({}, {}, True),
        ({"environment": "production"}, {"environment": "production"}, True),
        ({"environment": "production"}, {"environment": "staging"}, False),
        ({"environment": "production"}, {}, False),
        ({"release": "shop@2.4.1"}, {}, True),
        ({"release": "shop@9"}, {}, False),
        ({"handled": False}, {}, True),
        ({"handled": True}, {}, False),
        ({"level": "error"}, {}, True),  # a tracker report is an error
        ({"level": "fatal"}, {}, False),
        ({"level": "fatal"}, {"level": "fatal"}, True),
        ({"environment": "production", "handled": False}, {"environment": "production"}, True),
    ],
)
def test_filters_choose_the_events_that_fire(shop, config, filters, event, fires):
    app, project, channel = shop
    rule = add_rule(app, project, "new_group", [channel], filters=filters)
    store(app, [report(config, **event)])
    assert [f[0] for f in firings(app)] == ([rule] if fires else [])


def test_muted_rules_and_other_kinds_stay_quiet(shop, config):
    app, project, channel = shop
    add_rule(app, project, "new_group", [channel], muted=True)
    add_rule(app, project, "regression", [channel])
    store(app, [report(config)])
    assert firings(app) == []


def test_a_regression_fires_once_per_cool_down(shop, config):
    app, project, channel = shop
    rule = add_rule(app, project, "regression", [channel], cooldown_minutes=30)
    start = datetime.now(UTC)
    store(app, [report(config, at=start)])
    for minutes in (1, 10, 45):  # resolve, see it again: the second comes within 30 minutes
        triage(app, {"status": "resolved"}, start + timedelta(minutes=minutes))
        store(app, [report(config, at=start + timedelta(minutes=minutes, seconds=1))])
    assert [(r, change) for r, _, change in firings(app)] == [(rule, "regressed")] * 2
    with app.extensions["faultline.sessionmaker"]() as session:
        times = session.scalars(select(AlertFiring.fired_at).order_by(AlertFiring.id)).all()
    assert times[1] - times[0] == timedelta(minutes=44)


def test_resolved_in_a_release_fires_when_a_later_release_fails(shop, config):
    app, project, channel = shop
    rule = add_rule(app, project, "regression", [channel])
    store(app, [report(config, v="shop@2.4.1")])
    triage(app, {"status": "resolved", "resolve_in": "shop@2.5.0"}, datetime.now(UTC))
    store(app, [report(config, v="shop@2.4.1")])  # the old release: expected, no alert
    assert firings(app) == []
    store(app, [report(config, v="shop@2.6.0")])
    assert [(r, change) for r, _, change in firings(app)] == [(rule, "regressed")]


def test_an_ignore_that_ends_fires(shop, config):
    app, project, channel = shop
    rule = add_rule(app, project, "ignore_ended", [channel])
    store(app, [report(config)])
    triage(app, {"status": "ignored", "ignore_until": {"events": 2}}, datetime.now(UTC))
    store(app, [report(config)])
    assert firings(app) == []
    store(app, [report(config)])
    assert [(r, change) for r, _, change in firings(app)] == [(rule, "unignored")]


def test_an_ignore_whose_time_runs_out_fires_without_an_event(shop, config):
    app, project, channel = shop
    rule = add_rule(app, project, "ignore_ended", [channel])
    store(app, [report(config)])
    now = datetime.now(UTC)
    triage(app, {"status": "ignored", "ignore_until": {"until": now + timedelta(hours=1)}}, now)
    with app.extensions["faultline.sessionmaker"]() as session:
        expire_ignores(session, now + timedelta(minutes=30))
        session.commit()
    assert firings(app) == []
    with app.extensions["faultline.sessionmaker"]() as session:
        expire_ignores(session, now + timedelta(hours=2))
        session.commit()
    assert [(r, change) for r, _, change in firings(app)] == [(rule, "unignored")]
    with app.extensions["faultline.sessionmaker"]() as session:
        delivery = session.scalars(select(AlertDelivery)).one()
        assert (delivery.channel_id, delivery.state) == (channel, "pending")


def test_a_channel_deleted_a_moment_ago_costs_no_event(shop, config):
    app, project, channel = shop
    add_rule(app, project, "new_group", [channel])
    store(app, [report(config, ty="FirstError")])  # the rules are cached now
    with app.extensions["faultline.sessionmaker"]() as session:
        session.delete(session.get(AlertChannel, channel))
        session.commit()
    store(app, [report(config, ty="SecondError")])
    with app.extensions["faultline.sessionmaker"]() as session:
        assert session.scalar(select(func.count()).select_from(ExceptionEvent)) == 2
    assert len(firings(app)) in (1, 2)  # the second is lost or kept without a delivery
