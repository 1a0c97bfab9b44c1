"""What alerting did, through the API: a project's deliveries with every attempt, the alerts
fired for a group, and "send test" to a real HTTP receiver (delivered, refused, unreachable)."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from app.models.alerts import AlertAttempt, AlertDelivery, AlertFiring
from tests.api.alerting import audit_trail, made, new_channel, new_rule
from tests.conftest import payload, post_exception
from tests.hook_receiver import hook_receiver
from tests.served import free_port

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


@pytest.fixture
def group(client, auth) -> dict:
    """A group made by a tracker report (its project made by its host), before any rule."""
    assert post_exception(client, payload("chrome_typeerror")).status_code == 204
    [only] = made(client.get("/api/v1/groups", headers=auth), 200)["items"]
    return only


def record(app, rule_id: int, group_id: int | None, fired: int, *deliveries) -> int:
    """Store a firing and its deliveries as the engine would: each delivery is
    (channel id, state, [(minute, ok, detail), ...], digest key); the firing's id."""
    with app.extensions["faultline.sessionmaker"]() as db:
        firing = AlertFiring(
            rule_id=rule_id, group_id=group_id, fired_at=minutes(fired), reason={"count": 1}
        )
        db.add(firing)
        db.flush()
        for channel_id, state, attempts, digest in deliveries:
            delivery = AlertDelivery(
                firing_id=firing.id,
                channel_id=channel_id,
                idempotency_key=f"k-{firing.id}-{channel_id}",
                state=state,
                created_at=minutes(fired),
                due_at=minutes(fired),
                attempts=len(attempts),
                sent_at=minutes(attempts[-1][0]) if state == "sent" else None,
                digest_key=digest,
            )
            db.add(delivery)
            db.flush()
            db.add_all(
                AlertAttempt(delivery_id=delivery.id, at=minutes(at), ok=ok, detail=detail)
                for at, ok, detail in attempts
            )
        db.commit()
        return firing.id


def test_deliveries_and_group_alerts_are_listed_newest_first(app, client, auth, group):
    pid = group["project"]
    hook = new_channel(client, auth, pid, name="Ops hook")
    mail = new_channel(client, auth, pid, name="On call", kind="email", target=["o@example.org"])
    rule = new_rule(client, auth, pid, name="New errors", channel_ids=[hook["id"], mail["id"]])
    rate = new_rule(
        client, auth, pid, name="Busy", kind="view_rate", threshold=5, window_minutes=60
    )
    first = record(
        app,
        rule["id"],
        group["id"],
        0,
        (hook["id"], "sent", [(0, False, "HTTP 500"), (1, True, "HTTP 200")], "d-1"),
        (mail["id"], "given_up", [(0, False, "connection refused")] * 3, None),
    )
    record(app, rate["id"], None, 30, (hook["id"], "pending", [], None))

    page = made(client.get(f"/api/v1/projects/{pid}/alert-deliveries", headers=auth), 200)
    assert page["next_cursor"] is None
    rows = [
        (d["rule"]["name"], d["channel"]["name"], d["group"] and d["group"]["id"], d["state"])
        for d in page["items"]
    ]
    assert rows == [
        ("Busy", "Ops hook", None, "pending"),
        ("New errors", "On call", group["id"], "given_up"),
        ("New errors", "Ops hook", group["id"], "sent"),
    ]
    sent = page["items"][2]
    assert sent["attempts"] == [
        {"at": "2026-11-24T09:00:00Z", "ok": False, "detail": "HTTP 500"},
        {"at": "2026-11-24T09:01:00Z", "ok": True, "detail": "HTTP 200"},
    ]
    assert (sent["sent_at"], sent["digest_key"]) == ("2026-11-24T09:01:00Z", "d-1")
    assert sent["group"]["title"] == group["title"] and sent["reason"] == {"count": 1}
    assert sent["channel"] == {"id": hook["id"], "name": "Ops hook", "kind": "webhook"} | {
        "format": "json"
    }
    assert [a["detail"] for a in page["items"][1]["attempts"]] == ["connection refused"] * 3

    # Paged one at a time, and by state.
    path = f"/api/v1/projects/{pid}/alert-deliveries"
    seen, cursor = [], None
    while True:
        params = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        step = made(client.get(path, query_string=params, headers=auth), 200)
        seen += [d["id"] for d in step["items"]]
        if not (cursor := step["next_cursor"]):
            break
    assert seen == [d["id"] for d in page["items"]]
    given_up = client.get(path, query_string={"state": "given_up"}, headers=auth).json["items"]
    assert [d["channel"]["name"] for d in given_up] == ["On call"]

    fired = made(client.get(f"/api/v1/groups/{group['id']}/alerts", headers=auth), 200)
    assert fired["next_cursor"] is None
    [alert] = fired["items"]
    assert alert["id"] == first and alert["fired_at"] == "2026-11-24T09:00:00Z"
    assert alert["rule"] == {"id": rule["id"], "name": "New errors", "kind": "new_group"}
    assert [(d["channel"]["name"], d["state"]) for d in alert["deliveries"]] == [
        ("Ops hook", "sent"),
        ("On call", "given_up"),
    ]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"cursor": "nonsense"}, "invalid_cursor"),
        ({"limit": 0}, "invalid"),
        ({"limit": 101}, "invalid"),
        ({"state": "lost"}, "invalid"),
        ({"since": "yesterday"}, "invalid"),
    ],
)
def test_bad_delivery_queries_are_400(client, auth, group, query, code):
    path = f"/api/v1/projects/{group['project']}/alert-deliveries"
    answer = client.get(path, query_string=query, headers=auth)
    assert answer.status_code == 400 and answer.json["error"]["code"] == code


def test_a_group_without_alerts_and_a_missing_group(client, auth, group):
    assert made(client.get(f"/api/v1/groups/{group['id']}/alerts", headers=auth), 200) == {
        "items": [],
        "next_cursor": None,
    }
    assert client.get("/api/v1/groups/999999/alerts", headers=auth).status_code == 404


@pytest.mark.parametrize("body_format", ["json", "slack", "discord"])
def test_send_test_reaches_a_real_receiver_signed(app, client, auth, group, body_format):
    with hook_receiver() as (url, received):
        hook = new_channel(client, auth, group["project"], target=url, format=body_format)
        path = f"/api/v1/alert-channels/{hook['id']}/test"
        answer = made(client.post(path, headers=auth), 200)
    assert answer == {"ok": True, "detail": "HTTP 200"}
    [(headers, body)] = received
    expected = hmac.new(hook["secret"].encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-faultline-signature"] == f"sha256={expected}"
    assert json.loads(body)  # a JSON body in every format
    assert audit_trail(app, "alert_channel.test") == [
        ("alert_channel.test", str(hook["id"]), {"ok": True, "detail": "HTTP 200"})
    ]


def test_send_test_says_when_the_receiver_refuses_or_is_gone(client, auth, group):
    with hook_receiver(status=500) as (url, received):
        hook = new_channel(client, auth, group["project"], target=url, timeout_seconds=2)
        failed = made(client.post(f"/api/v1/alert-channels/{hook['id']}/test", headers=auth), 200)
    assert failed == {"ok": False, "detail": "HTTP 500"} and len(received) == 1

    nobody = f"http://127.0.0.1:{free_port()}/hook"
    gone = new_channel(client, auth, group["project"], target=nobody, timeout_seconds=2)
    answer = made(client.post(f"/api/v1/alert-channels/{gone['id']}/test", headers=auth), 200)
    assert answer["ok"] is False and answer["detail"] == "connection refused"
