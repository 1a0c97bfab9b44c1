"""Rate rules, checked by the worker: more than N events of a group in M minutes, and more
than X errors per 1,000 page views of the project or of one page."""

import pytest
from sqlalchemy import select

from app.models import AlertFiring
from tests.alerts.arrange import (
    add_channel,
    add_rule,
    alert_app,
    report,
    shop_project,
    store,
    worker,
)
from tests.alerts.receivers import WebhookReceiver
from tests.conftest import payload, post_hit


@pytest.fixture
def hook():
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()


def reasons(app) -> list[tuple[int | None, dict]]:
    with app.extensions["faultline.sessionmaker"]() as session:
        rows = session.scalars(select(AlertFiring).order_by(AlertFiring.id))
        return [(row.group_id, row.reason) for row in rows]


def test_more_than_n_events_in_the_window_fires_once_per_cool_down(make_app, config, hook):
    app = alert_app(make_app)
    project = shop_project(app)
    channel = add_channel(app, project, "webhook", hook.url, "json")
    add_rule(app, project, "event_rate", [channel], threshold=3, window_minutes=10)
    store(app, [report(config) for _ in range(4)] + [report(config, ty="Rare") for _ in range(3)])
    sender = worker(app)
    sender.run_once()
    sender.run_once()
    (fired,) = reasons(app)
    assert fired[1] == {"count": 4, "window_minutes": 10}
    (body,) = hook.bodies()
    assert body["alerts"][0]["kind"] == "event_rate"
    assert body["alerts"][0]["group"]["title"].startswith("TypeError")


@pytest.mark.parametrize(
    ("page", "threshold", "fires"),
    [
        (None, 30, True),
        (None, 50, False),
        ("/checkout/cart", 150, True),
        ("/checkout/cart", 250, False),
        ("/about", 1, False),
    ],
)
def test_errors_per_thousand_views(make_app, config, hook, page, threshold, fires):
    app = alert_app(make_app)
    project = shop_project(app)
    channel = add_channel(app, project, "webhook", hook.url, "json")
    add_rule(
        app, project, "view_rate", [channel], threshold=threshold, window_minutes=60, page=page
    )
    client = app.test_client()
    for number in range(100):  # 100 views: 20 of the cart page
        where = "/checkout/cart" if number % 5 == 0 else f"/products/{number}"
        body = payload("hit_load", u=f"https://shop.example.com{where}")
        assert post_hit(client, body).status_code == 204
    store(app, [report(config) for _ in range(4)])  # the cart page's error: 40 per 1,000 views
    worker(app).run_once()
    fired = reasons(app)
    assert bool(fired) is fires
    if fires:
        ((group_id, reason),) = fired
        views = 20 if page else 100
        assert group_id is None
        assert (reason["errors"], reason["views"]) == (4, views)
        assert hook.bodies()[0]["alerts"][0]["per_1k"] == 4000 / views
