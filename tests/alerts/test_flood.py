"""No floods and no waiting: a burst of 10,000 new groups sends a handful of messages per
channel, and a webhook that hangs does not slow ingest."""

import threading
import time

from sqlalchemy import func, select

from app.models import AlertDelivery, AlertFiring
from tests.alerts.arrange import (
    Clock,
    add_channel,
    add_rule,
    alert_app,
    new_bug,
    shop_project,
    store,
    worker,
)
from tests.alerts.receivers import MailReceiver, WebhookReceiver
from tests.api.test_privacy import personal_report
from tests.conftest import post_exception

BURST = 10_000


def test_ten_thousand_new_groups_send_a_handful_of_messages(make_app, config):
    hook, smtp = WebhookReceiver(), MailReceiver()
    try:
        mail = {"host": "127.0.0.1", "port": smtp.port, "security": "none", "user": ""}
        app = alert_app(
            make_app,
            alerts__digest_seconds=60,
            alerts__smtp={**mail, "password": "", "from": "alerts@example.com"},
        )
        project = shop_project(app)
        channels = [
            add_channel(app, project, "webhook", hook.url, "json"),
            add_channel(app, project, "email", "team@example.com", "email"),
        ]
        add_rule(app, project, "new_group", channels)
        for _ in range(BURST // 1000):
            store(app, [new_bug(config) for _ in range(1000)])
        clock = Clock()
        sender = worker(app, clock)
        for _ in range(60):  # five minutes of rounds, five seconds apart
            clock.advance(5)
            sender.run_once()
    finally:
        hook.stop()
        smtp.stop()
    with app.extensions["faultline.sessionmaker"]() as session:
        assert session.scalar(select(func.count()).select_from(AlertFiring)) == BURST
        states = dict(
            session.execute(
                select(AlertDelivery.state, func.count()).group_by(AlertDelivery.state)
            ).all()
        )
    assert states == {"sent": 2 * BURST}
    bodies = hook.bodies()
    assert 1 <= len(bodies) <= 5 and 1 <= len(smtp.mails) <= 5
    assert sum(body["total"] for body in bodies) == BURST
    assert all(len(body["alerts"]) <= 25 for body in bodies)


def test_a_hanging_webhook_does_not_slow_ingest(make_app, config):
    hook = WebhookReceiver(hold_first=True)
    app = alert_app(make_app, alerts__poll_seconds=1)
    project = shop_project(app)
    channel = add_channel(app, project, "webhook", hook.url, "json", timeout_seconds=20)
    add_rule(app, project, "new_group", [channel])
    store(app, [new_bug(config)])
    sender = worker(app)
    thread = threading.Thread(target=sender.run, daemon=True)
    thread.start()
    try:
        assert hook.arrived.wait(10), "the worker never sent"
        client = app.test_client()
        started = time.monotonic()
        for number in range(50):
            body = {**personal_report(), "ty": f"Hang{number}Error"}
            assert post_exception(client, body).status_code == 204
        elapsed = time.monotonic() - started
        assert hook.release.is_set() is False  # the worker is still waiting on the webhook
    finally:
        sender.stop()
        hook.stop()
        thread.join(30)
    assert elapsed < 5, elapsed
    with app.extensions["faultline.sessionmaker"]() as session:
        assert session.scalar(select(func.count()).select_from(AlertFiring)) == 51
