"""Managing alerts through the API: rules and channels created, read, changed, muted and
deleted; what is refused and why; who may do what; a webhook's secret shown once."""

import pytest

from tests.api.alerting import (
    Person,
    audit_trail,
    limited_token,
    made,
    new_channel,
    new_project,
    new_rule,
)
from tests.signin import make_user

HOOK = "https://hooks.example.org/services/T0/B0/secret-path"


@pytest.fixture
def project(client, auth) -> dict:
    return new_project(client, auth)


def test_a_rule_is_created_read_changed_muted_and_deleted(app, client, auth, project):
    pid = project["id"]
    hook = new_channel(client, auth, pid)
    rule = new_rule(
        client,
        auth,
        pid,
        name=" Checkout spikes ",
        kind="view_rate",
        threshold=2.5,
        window_minutes=30,
        page="/checkout",
        filters={"environment": "production", "handled": False},
        channel_ids=[hook["id"], hook["id"]],
    )
    assert rule["name"] == "Checkout spikes" and rule["project"] == pid
    assert (rule["kind"], rule["threshold"], rule["window_minutes"]) == ("view_rate", 2.5, 30)
    assert rule["page"] == "/checkout" and rule["channel_ids"] == [hook["id"]]
    assert rule["filters"] == {"environment": "production", "handled": False}
    assert (rule["cooldown_minutes"], rule["muted"]) == (60, False)
    assert rule["created_at"].endswith("Z")

    listed = made(client.get(f"/api/v1/projects/{pid}/alert-rules", headers=auth), 200)
    assert listed == {"items": [rule]}
    path = f"/api/v1/alert-rules/{rule['id']}"
    assert made(client.get(path, headers=auth), 200) == rule

    changed = made(client.patch(path, json={"cooldown_minutes": 5}, headers=auth), 200)
    assert changed["cooldown_minutes"] == 5 and changed["page"] == "/checkout"
    muted = made(client.patch(path, json={"muted": True}, headers=auth), 200)
    assert muted["muted"] is True
    assert made(client.patch(path, json={"muted": False}, headers=auth), 200)["muted"] is False
    assert client.delete(path, headers=auth).status_code == 204
    assert client.get(path, headers=auth).status_code == 404
    assert client.delete(path, headers=auth).status_code == 404

    rid = str(rule["id"])
    assert [(action, target) for action, target, _ in audit_trail(app, "alert_rule.")] == [
        ("alert_rule.create", rid),
        ("alert_rule.update", rid),
        ("alert_rule.mute", rid),
        ("alert_rule.unmute", rid),
        ("alert_rule.delete", rid),
    ]
    assert audit_trail(app, "alert_rule.update")[0][2] == {"changed": ["cooldown_minutes"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "fancy"}, "kind"),
        ({"kind": "event_rate", "window_minutes": 10}, "threshold"),
        ({"kind": "event_rate", "threshold": 10}, "window_minutes"),
        ({"kind": "view_rate"}, "threshold"),
        ({"kind": "event_rate", "threshold": 2.5, "window_minutes": 10}, "threshold"),
        ({"kind": "event_rate", "threshold": 0, "window_minutes": 10}, "threshold"),
        ({"kind": "event_rate", "threshold": 5, "window_minutes": 0}, "window_minutes"),
        ({"kind": "event_rate", "threshold": 5, "window_minutes": 10081}, "window_minutes"),
        ({"threshold": 10}, "threshold"),
        ({"window_minutes": 10}, "window_minutes"),
        ({"kind": "event_rate", "threshold": 5, "window_minutes": 9, "page": "/"}, "page"),
        ({"kind": "view_rate", "threshold": 5, "window_minutes": 9, "page": "cart"}, "page"),
        ({"filters": {"level": "loud"}}, "filters"),
        ({"filters": {"handled": "sometimes"}}, "filters"),
        ({"filters": {"browser": "Chrome"}}, "filters"),
        ({"cooldown_minutes": -1}, "cooldown_minutes"),
        ({"name": "   "}, "name"),
        ({"channel_ids": [999999]}, "channel_ids"),
        ({"channel_ids": "all"}, "channel_ids"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(client, auth, project, body, field):
    body = {"name": "Rule", "kind": "new_group", **body}
    answer = client.post(f"/api/v1/projects/{project['id']}/alert-rules", json=body, headers=auth)
    assert answer.status_code == 400, answer.json
    assert answer.json["error"]["code"] == "invalid"
    assert field in answer.json["error"]["fields"]


def test_a_rule_cannot_send_to_another_projects_channel(client, auth, project):
    theirs = new_channel(client, auth, new_project(client, auth, "Blog")["id"])
    path = f"/api/v1/projects/{project['id']}/alert-rules"
    body = {"name": "New", "kind": "new_group", "channel_ids": [theirs["id"]]}
    answer = client.post(path, json=body, headers=auth)
    assert answer.status_code == 400
    assert answer.json["error"]["fields"]["channel_ids"] == [
        f"not channels of this project: {theirs['id']}"
    ]
    rule = new_rule(client, auth, project["id"])
    answer = client.patch(
        f"/api/v1/alert-rules/{rule['id']}", json={"channel_ids": [theirs["id"]]}, headers=auth
    )
    assert answer.status_code == 400 and "channel_ids" in answer.json["error"]["fields"]


def test_a_change_is_judged_with_the_rule_it_changes(client, auth, project):
    rule = new_rule(client, auth, project["id"], kind="event_rate", threshold=100, window_minutes=5)
    path = f"/api/v1/alert-rules/{rule['id']}"
    # A rate that becomes a regression rule drops its rate's settings...
    plain = made(client.patch(path, json={"kind": "regression"}, headers=auth), 200)
    assert (plain["threshold"], plain["window_minutes"]) == (None, None)
    # ...and becoming a rate again needs them anew.
    answer = client.patch(path, json={"kind": "event_rate"}, headers=auth)
    assert answer.status_code == 400
    assert set(answer.json["error"]["fields"]) == {"threshold", "window_minutes"}
    assert made(client.get(path, headers=auth), 200)["kind"] == "regression"
    back = {"kind": "event_rate", "threshold": 50, "window_minutes": 10}
    assert made(client.patch(path, json=back, headers=auth), 200)["threshold"] == 50


def test_a_webhook_secret_is_shown_once(app, client, auth, project):
    created = new_channel(client, auth, project["id"], target=HOOK, format="slack")
    assert len(created.pop("secret")) >= 32
    assert created["target"] == HOOK and created["format"] == "slack"
    assert created["timeout_seconds"] == 10
    path = f"/api/v1/alert-channels/{created['id']}"
    assert made(client.get(path, headers=auth), 200) == created
    listed = client.get(f"/api/v1/projects/{project['id']}/alert-channels", headers=auth)
    assert listed.json == {"items": [created]} and '"secret"' not in listed.text

    given = new_channel(client, auth, project["id"], secret="s" * 20)
    assert given["secret"] == "s" * 20
    rotated = made(client.patch(path, json={"rotate_secret": True}, headers=auth), 200)
    assert rotated["secret"] not in ("s" * 20, None) and len(rotated["secret"]) >= 32
    renamed = made(client.patch(path, json={"name": "Slack #ops"}, headers=auth), 200)
    assert "secret" not in renamed and renamed["name"] == "Slack #ops"
    # The log says what changed, never the value.
    assert all("s" * 20 not in str(detail) for _, _, detail in audit_trail(app))


def test_an_email_channel_and_its_deletion(app, client, auth, project):
    mail = new_channel(
        client,
        auth,
        project["id"],
        name="On call",
        kind="email",
        target=["ops@example.org", "dev@example.org", "ops@example.org"],
        timeout_seconds=30,
    )
    assert "secret" not in mail
    assert mail["target"] == ["ops@example.org", "dev@example.org"]
    assert (mail["format"], mail["timeout_seconds"]) == ("email", 30)
    path = f"/api/v1/alert-channels/{mail['id']}"
    changed = made(client.patch(path, json={"target": ["lead@example.org"]}, headers=auth), 200)
    assert changed["target"] == ["lead@example.org"]

    hook = new_channel(client, auth, project["id"])
    rule = new_rule(client, auth, project["id"], channel_ids=[mail["id"], hook["id"]])
    assert client.delete(path, headers=auth).status_code == 204
    assert client.get(path, headers=auth).status_code == 404
    rule_now = made(client.get(f"/api/v1/alert-rules/{rule['id']}", headers=auth), 200)
    assert rule_now["channel_ids"] == [hook["id"]]
    assert [action for action, _, _ in audit_trail(app, "alert_channel.")] == [
        "alert_channel.create",
        "alert_channel.update",
        "alert_channel.create",
        "alert_channel.delete",
    ]
    assert audit_trail(app, "alert_channel.delete")[0][2]["rules"] == [rule["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "pager"}, "kind"),
        ({"kind": "email", "target": ["not-an-address"]}, "target"),
        ({"kind": "email", "target": []}, "target"),
        ({"kind": "email", "target": "ops@example.org"}, "target"),
        ({"kind": "email", "target": ["ops@example.org"], "format": "slack"}, "format"),
        ({"kind": "email", "target": ["ops@example.org"], "secret": "x" * 20}, "secret"),
        ({"target": "ftp://files.example.org/hook"}, "target"),
        ({"target": "javascript:alert(1)"}, "target"),
        ({"target": "hooks.example.org/x"}, "target"),
        ({"target": "http://"}, "target"),
        ({"target": "https://hooks.example.org:99999/x"}, "target"),
        ({"target": "https://hooks.example.org/a b"}, "target"),
        ({"target": "https://example.org/" + "x" * 2000}, "target"),
        ({"target": ["https://hooks.example.org/x"]}, "target"),
        ({"format": "teams"}, "format"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"timeout_seconds": 31}, "timeout_seconds"),
        ({"secret": "short"}, "secret"),
        ({"name": ""}, "name"),
        ({"enabled": True}, "enabled"),
    ],
)
def test_bad_channels_are_refused_naming_the_field(client, auth, project, body, field):
    body = {"name": "Hook", "kind": "webhook", "target": "https://hooks.example.org/x", **body}
    path = f"/api/v1/projects/{project['id']}/alert-channels"
    answer = client.post(path, json=body, headers=auth)
    assert answer.status_code == 400, answer.json
    assert answer.json["error"]["code"] == "invalid"
    assert field in answer.json["error"]["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "email"}, "kind"),
        ({"target": "mailto:ops@example.org"}, "target"),
        # Nothing of a refused change is kept, not even its good name.
        ({"name": "Renamed", "target": "ftp://files.example.org/x"}, "target"),
        ({"secret": "a" * 10}, "secret"),
        ({"secret": "a" * 20, "rotate_secret": True}, "secret"),
        ({"timeout_seconds": 100}, "timeout_seconds"),
    ],
)
def test_bad_channel_changes_are_refused(client, auth, project, body, field):
    hook = new_channel(client, auth, project["id"])
    answer = client.patch(f"/api/v1/alert-channels/{hook['id']}", json=body, headers=auth)
    assert answer.status_code == 400 and field in answer.json["error"]["fields"]
    assert made(client.get(f"/api/v1/alert-channels/{hook['id']}", headers=auth), 200) == {
        key: value for key, value in hook.items() if key != "secret"
    }


def test_viewers_read_members_manage_rules_administrators_channels(app, client, auth, project):
    pid = project["id"]
    hook = new_channel(client, auth, pid, target=HOOK)
    rule = new_rule(client, auth, pid)
    # The first account of an instance is its administrator: the others get their roles.
    make_user(app, "ada@example.org", is_admin=True)
    viewer = Person(app, "vera@example.org", "viewer")
    member = Person(app, "max@example.org", "member")
    rules = f"/api/v1/projects/{pid}/alert-rules"
    channels = f"/api/v1/projects/{pid}/alert-channels"
    body = {"name": "Regressions", "kind": "regression"}

    assert viewer.get(rules).json["items"][0]["id"] == rule["id"]
    for refused in (
        viewer.post(rules, body),
        viewer.patch(f"/api/v1/alert-rules/{rule['id']}", {"muted": True}),
        viewer.delete(f"/api/v1/alert-rules/{rule['id']}"),
    ):
        assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"

    theirs = made(member.post(rules, body))
    assert made(member.patch(f"/api/v1/alert-rules/{rule['id']}", {"muted": True}), 200)["muted"]
    assert member.delete(f"/api/v1/alert-rules/{theirs['id']}").status_code == 204
    webhook = {"name": "Mine", "kind": "webhook", "target": HOOK}
    for refused in (
        member.post(channels, webhook),
        member.patch(f"/api/v1/alert-channels/{hook['id']}", {"name": "x"}),
        member.delete(f"/api/v1/alert-channels/{hook['id']}"),
        member.post(f"/api/v1/alert-channels/{hook['id']}/test"),
    ):
        assert refused.status_code == 403
    # A webhook URL is a credential: those who may not manage channels see only its host.
    for person in (viewer, member):
        shown = person.get(channels).json["items"][0]
        assert shown["target"] == "https://hooks.example.org/…"
        assert "secret-path" not in person.get(f"/api/v1/alert-channels/{hook['id']}").text
    assert made(client.get(channels, headers=auth), 200)["items"][0]["target"] == HOOK


def test_a_project_limited_token_sees_nothing_of_other_projects(app, client, auth, project):
    other = new_project(client, auth, "Blog")
    mine, theirs = project["id"], other["id"]
    their_rule = new_rule(client, auth, theirs)
    their_hook = new_channel(client, auth, theirs)
    new_rule(client, auth, mine)
    token = limited_token(app, [mine])

    assert (
        len(made(client.get(f"/api/v1/projects/{mine}/alert-rules", headers=token), 200)["items"])
        == 1
    )
    for method, path, body in (
        ("get", f"/api/v1/projects/{theirs}/alert-rules", None),
        ("post", f"/api/v1/projects/{theirs}/alert-rules", {"name": "x", "kind": "new_group"}),
        ("get", f"/api/v1/alert-rules/{their_rule['id']}", None),
        ("patch", f"/api/v1/alert-rules/{their_rule['id']}", {"muted": True}),
        ("delete", f"/api/v1/alert-rules/{their_rule['id']}", None),
        ("get", f"/api/v1/projects/{theirs}/alert-channels", None),
        ("get", f"/api/v1/alert-channels/{their_hook['id']}", None),
        ("patch", f"/api/v1/alert-channels/{their_hook['id']}", {"name": "x"}),
        ("post", f"/api/v1/alert-channels/{their_hook['id']}/test", None),
        ("delete", f"/api/v1/alert-channels/{their_hook['id']}", None),
        ("get", f"/api/v1/projects/{theirs}/alert-deliveries", None),
    ):
        answer = getattr(client, method)(path, json=body, headers=token)
        assert answer.status_code == 404, (method, path)
        assert answer.json["error"]["code"] == "not_found"
    assert made(client.get(f"/api/v1/alert-rules/{their_rule['id']}", headers=auth), 200)


def test_a_deleted_project_takes_its_alerts_out_of_reach(client, auth, project):
    rule = new_rule(client, auth, project["id"])
    hook = new_channel(client, auth, project["id"])
    assert client.delete(f"/api/v1/projects/{project['id']}", headers=auth).status_code == 204
    for path in (
        f"/api/v1/alert-rules/{rule['id']}",
        f"/api/v1/alert-channels/{hook['id']}",
        f"/api/v1/projects/{project['id']}/alert-rules",
    ):
        assert client.get(path, headers=auth).status_code == 404, path


@pytest.mark.parametrize(
    "path",
    ["/api/v1/projects/{pid}/alert-rules", "/api/v1/projects/{pid}/alert-channels"],
)
@pytest.mark.parametrize("raw", ["[]", "not json", '"text"'])
def test_a_body_that_is_not_an_object_is_a_400(client, auth, project, path, raw):
    answer = client.post(
        path.format(pid=project["id"]), data=raw, content_type="application/json", headers=auth
    )
    assert answer.status_code == 400 and answer.json["error"]["code"] == "invalid_body"
