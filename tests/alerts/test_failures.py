"""A receiver that fails or goes away: every try is recorded, retries back off, and the
delivery is given up after `alerts.max_attempts`."""

import itertools
from datetime import timedelta

import pytest

from app.core.alerting import retry_delay
from app.models import AlertChannel
from tests.alerts.arrange import (
    Clock,
    add_channel,
    add_rule,
    alert_app,
    attempts,
    deliveries,
    new_bug,
    shop_project,
    store,
    worker,
)
from tests.alerts.receivers import MailReceiver, WebhookReceiver
from tests.served import free_port


def run_until_settled(app, clock, rounds: int) -> None:
    """Run the worker, moving the clock to each retry as it comes due."""
    sender = worker(app, clock)
    for _ in range(rounds):
        sender.run_once()
        pending = [d for d in deliveries(app) if d.state == "pending"]
        if not pending:
            return
        clock.now = max(clock.now, min(d.due_at for d in pending))


def test_an_error_answer_is_retried_with_backoff_then_given_up(make_app, config):
    hook = WebhookReceiver(status=500)
    try:
        app = alert_app(make_app, alerts__max_attempts=4, alerts__retry_base_seconds=30)
        project = shop_project(app)
        add_rule(
            app, project, "new_group", [add_channel(app, project, "webhook", hook.url, "json")]
        )
        store(app, [new_bug(config)])
        run_until_settled(app, Clock(), rounds=10)
    finally:
        hook.stop()
    assert len(hook.requests) == 4
    tries = attempts(app)
    assert [(a.ok, a.detail) for a in tries] == [(False, "HTTP 500")] * 4
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(tries)]
    assert gaps == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    (delivery,) = deliveries(app)
    assert (delivery.state, delivery.attempts) == ("given_up", 4)
    # every try carried the same key
    assert len({headers["Idempotency-Key"] for headers, _ in hook.requests}) == 1


def test_a_receiver_that_stops_mid_run_gets_the_rest_once_it_is_back(make_app, config):
    hook = WebhookReceiver()
    app = alert_app(make_app)
    project = shop_project(app)
    channel = add_channel(app, project, "webhook", hook.url, "json")
    add_rule(app, project, "new_group", [channel])
    store(app, [new_bug(config)])
    clock = Clock()
    worker(app, clock).run_once()
    hook.stop()
    store(app, [new_bug(config)])
    clock.advance(1)
    worker(app, clock).run_once()
    failed = deliveries(app)[1]
    assert failed.state == "pending" and failed.attempts == 1
    assert attempts(app)[-1].detail == "connection refused"
    assert failed.due_at == clock.now + retry_delay(1, 30)
    back = WebhookReceiver()
    try:
        with app.extensions["faultline.sessionmaker"]() as session:
            session.get(AlertChannel, channel).target = back.url
            session.commit()
        clock.now = failed.due_at
        worker(app, clock).run_once()
    finally:
        back.stop()
    assert [d.state for d in deliveries(app)] == ["sent", "sent"]
    assert [body["idempotency_key"] for body in back.bodies()] == [failed.digest_key]
    assert [a.ok for a in attempts(app)] == [True, False, True]


def test_a_dead_smtp_server_is_retried_and_then_reached(make_app, config):
    port = free_port()
    smtp = {"host": "127.0.0.1", "port": port, "security": "none", "user": "", "password": ""}
    app = alert_app(make_app, alerts__smtp={**smtp, "from": "alerts@example.com"})
    project = shop_project(app)
    add_rule(
        app, project, "new_group", [add_channel(app, project, "email", "a@example.com", "email")]
    )
    store(app, [new_bug(config)])
    clock = Clock()
    worker(app, clock).run_once()
    assert [(a.ok, a.detail) for a in attempts(app)] == [(False, "connection refused")]
    server = MailReceiver(port)
    try:
        clock.advance(30)
        worker(app, clock).run_once()
    finally:
        server.stop()
    assert len(server.mails) == 1
    assert [a.ok for a in attempts(app)] == [False, True]
    assert deliveries(app)[0].state == "sent"


@pytest.mark.parametrize(
    ("attempt", "seconds"), [(1, 30), (2, 60), (3, 120), (8, 3600), (40, 3600)]
)
def test_backoff_doubles_up_to_an_hour(attempt, seconds):
    assert retry_delay(attempt, 30) == timedelta(seconds=seconds)
