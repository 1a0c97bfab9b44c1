"""Alerts fired longer ago than `retention.days` go with the raw events, deliveries and
attempts with them; newer ones stay."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.models import AlertAttempt, AlertDelivery, AlertFiring
from app.store.retention import purge_expired
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


def counts(app) -> tuple[int, int, int]:
    with app.extensions["faultline.sessionmaker"]() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (AlertFiring, AlertDelivery, AlertAttempt)
        )


def test_old_alerts_are_purged_with_their_deliveries_and_attempts(make_app, config):
    app = alert_app(make_app)
    project = shop_project(app)
    channel = add_channel(app, project, "webhook", "http://127.0.0.1:9/closed", "json")
    add_rule(app, project, "new_group", [channel])
    now = datetime.now(UTC)
    store(app, [new_bug(config, at=now - timedelta(days=100)), new_bug(config, at=now)])
    worker(app, Clock()).run_once()  # the port is closed: one failed attempt each
    assert counts(app) == (2, 2, 2)
    purge_expired(app.extensions["faultline.engine"], 90, now)
    assert counts(app) == (1, 1, 1)
