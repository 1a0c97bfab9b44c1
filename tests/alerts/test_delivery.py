"""Alerts reach real receivers: signed webhook bodies in each format, and multipart mails."""

import hashlib
import hmac
import json

import pytest

from tests.alerts.arrange import (
    add_channel,
    add_rule,
    alert_app,
    deliveries,
    new_bug,
    report,
    shop_project,
    store,
    worker,
)
from tests.alerts.receivers import MailReceiver, WebhookReceiver
from tests.api.test_privacy import FORBIDDEN, personal_report
from tests.conftest import CHROME_UA, post_exception

SECRET = "whsec-test-0123456789"


@pytest.fixture
def hook():
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def smtp():
    receiver = MailReceiver()
    yield receiver
    receiver.stop()


def test_a_new_group_is_posted_as_signed_json(make_app, config, hook):
    app = alert_app(make_app)
    project = shop_project(app)
    channel = add_channel(app, project, "webhook", hook.url, "json", secret=SECRET)
    add_rule(app, project, "new_group", [channel], name="New issues")
    store(app, [report(config, environment="production")])
    assert worker(app).run_once() == 1
    ((headers, raw),) = hook.requests
    expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert headers["X-Faultline-Signature"] == expected
    assert headers["Content-Type"] == "application/json"
    assert int(headers["X-Faultline-Timestamp"]) > 0
    body = json.loads(raw)
    key = deliveries(app)[0].idempotency_key
    assert headers["Idempotency-Key"] == headers["X-Faultline-Delivery"] == key
    assert body["idempotency_key"] == key
    assert (body["type"], body["version"], body["digest"], body["total"]) == (
        "faultline.alert",
        1,
        False,
        1,
    )
    assert body["project"]["name"] == "shop"
    (alert,) = body["alerts"]
    group = alert["group"]
    assert alert["kind"] == "new_group" and alert["rule"]["name"] == "New issues"
    assert group["title"] == "TypeError: Cannot read properties of undefined (reading 'price')"
    assert group["count"] == 1 and group["release"] == "shop@2.4.1"
    assert group["top_frame"] == "lineTotal (https://shop.example.com/assets/app.3f9a2c1e.js:1)"
    assert alert["url"] == f"https://faultline.example.com/#/issues/{group['id']}"
    assert [d.state for d in deliveries(app)] == ["sent"]


@pytest.mark.parametrize(
    ("body_format", "check"),
    [
        ("slack", lambda b: "TypeError" in b["text"] and b["blocks"][0]["type"] == "header"),
        ("discord", lambda b: "TypeError" in b["content"] and b["embeds"][0]["url"]),
    ],
)
def test_slack_and_discord_bodies(make_app, config, hook, body_format, check):
    app = alert_app(make_app)
    project = shop_project(app)
    channel = add_channel(app, project, "webhook", hook.url, body_format, secret=SECRET)
    add_rule(app, project, "new_group", [channel])
    store(app, [report(config)])
    worker(app).run_once()
    ((headers, raw),) = hook.requests
    assert check(json.loads(raw))
    assert "/#/issues/" in raw.decode()
    assert headers["X-Faultline-Signature"].startswith("sha256=")


def test_a_mail_has_both_parts_a_stable_message_id_and_the_link(make_app, config, smtp):
    app = alert_app(make_app, smtp)
    project = shop_project(app)
    channel = add_channel(app, project, "email", "dev@example.com, ops@example.com", "email")
    add_rule(app, project, "new_group", [channel])
    store(app, [report(config)])
    assert worker(app).run_once() == 1
    ((recipients, mail),) = smtp.mails
    assert recipients == ["dev@example.com", "ops@example.com"]
    key = deliveries(app)[0].idempotency_key
    assert mail["Message-ID"] == f"<{key}@faultline.example.com>"
    assert mail["From"] == "alerts@faultline.example.com"
    assert mail["Subject"].startswith("[Faultline] shop: New issue: TypeError")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    for part in (text, html):
        assert "https://faultline.example.com/#/issues/" in part
        assert "shop@2.4.1" in part and "lineTotal" in part
    assert "<table" in html


def test_several_alerts_in_the_window_make_one_digest(make_app, config, hook):
    app = alert_app(make_app, alerts__digest_seconds=60)
    project = shop_project(app)
    channel = add_channel(app, project, "webhook", hook.url, "json")
    add_rule(app, project, "new_group", [channel])
    store(app, [new_bug(config) for _ in range(3)])
    worker(app).run_once()
    (body,) = hook.bodies()
    assert body["digest"] and body["total"] == 3 and len(body["alerts"]) == 3
    assert body["idempotency_key"] == deliveries(app)[0].digest_key


def test_nothing_personal_reaches_a_mail_or_a_webhook(make_app, hook, smtp):
    app = alert_app(make_app, smtp)
    project = shop_project(app)
    channels = [
        add_channel(app, project, "webhook", hook.url, body_format)
        for body_format in ("json", "slack", "discord")
    ]
    channels.append(add_channel(app, project, "email", "dev@example.com", "email"))
    add_rule(app, project, "new_group", channels)
    headers = {"User-Agent": CHROME_UA + " FaultlineProbe/7.7"}
    assert post_exception(app.test_client(), personal_report(), headers=headers).status_code == 204
    assert worker(app).run_once() == 4
    sent = [raw.decode() for _, raw in hook.requests]
    sent += [mail.as_string() for _, mail in smtp.mails]
    assert len(sent) == 4
    for text in sent:
        assert "TypeError" in text
        for needle in FORBIDDEN:
            assert needle not in text, needle
