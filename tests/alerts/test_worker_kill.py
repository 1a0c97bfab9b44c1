"""A worker killed with kill -9 mid-delivery loses nothing: its claim runs out and another
`faultline worker` sends the alert again, with the same idempotency key."""

import copy
import signal
import subprocess
import sys
import time

import yaml

from tests.alerts.arrange import add_channel, add_rule, deliveries, new_bug, shop_project, store
from tests.alerts.receivers import WebhookReceiver


def start_worker(config: dict, folder) -> subprocess.Popen:
    """`faultline worker` on the test database, as its own process."""
    path = folder / "worker.yaml"
    path.write_text(yaml.safe_dump(config))
    log = (folder / "worker.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "--config", str(path), "worker"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def test_a_killed_worker_loses_no_alert(make_app, config, tmp_path):
    settings = copy.deepcopy(config)
    settings["alerts"].update(digest_seconds=0, claim_seconds=8, poll_seconds=1)
    app = make_app(alerts__digest_seconds=0)
    project = shop_project(app)
    hook = WebhookReceiver(hold_first=True)
    try:
        channel = add_channel(app, project, "webhook", hook.url, "json", timeout_seconds=2)
        add_rule(app, project, "new_group", [channel])
        store(app, [new_bug(config)])
        first = start_worker(settings, tmp_path)
        try:
            assert hook.arrived.wait(20), (tmp_path / "worker.log").read_text()
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            first.kill()
        killed_at = time.monotonic()
        assert deliveries(app)[0].state == "pending"
        second = start_worker(settings, tmp_path)
        try:
            deadline = time.monotonic() + 30
            while len(hook.requests) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            waited = time.monotonic() - killed_at
            deadline = time.monotonic() + 10
            while deliveries(app)[0].state != "sent" and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(20) == 0
    finally:
        hook.stop()
    keys = [headers["Idempotency-Key"] for headers, _ in hook.requests]
    assert len(keys) == 2 and len(set(keys)) == 1
    assert [body["idempotency_key"] for body in hook.bodies()] == keys
    assert waited < 12  # the claim ran out (8 s) and the next round took it
    (delivery,) = deliveries(app)
    assert delivery.state == "sent" and delivery.idempotency_key == keys[0]
