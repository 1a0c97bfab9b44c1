"""The group API: grouping, lists, detail, events, triage, regression, ignore and merge."""

from datetime import UTC, datetime, timedelta

import pytest

from app.core.fingerprint import FINGERPRINT_VERSION
from tests.conftest import payload, post_exception

FIREFOX_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def report(client, name="chrome_typeerror", headers=None, **changes):
    """Post one stored payload and insist it was accepted."""
    assert post_exception(client, payload(name, **changes), headers=headers).status_code == 204


def groups(client, auth, **params):
    """GET /api/v1/groups and return the JSON."""
    response = client.get("/api/v1/groups", query_string=params, headers=auth)
    assert response.status_code == 200, response.json
    return response.json


def only_group(client, auth) -> dict:
    """The single group there is."""
    items = groups(client, auth)["items"]
    assert len(items) == 1
    return items[0]


def triage(client, auth, group_id, **body):
    """PATCH one group."""
    response = client.patch(f"/api/v1/groups/{group_id}", json=body, headers=auth)
    assert response.status_code == 200, response.json
    return response.json


def test_same_bug_across_deploys_is_one_group(client, auth):
    report(client, "chrome_typeerror")
    report(client, "chrome_typeerror_redeploy")
    group = only_group(client, auth)
    assert group["count"] == 2
    assert group["culprit"] and "lineTotal" in group["culprit"]
    assert set(group) >= {
        "id",
        "project",
        "title",
        "culprit",
        "status",
        "regressed",
        "count",
        "first_seen",
        "last_seen",
        "fingerprint",
    }
    assert group["first_seen"].endswith("Z") and group["last_seen"].endswith("Z")


def test_different_bugs_are_different_groups(client, auth):
    report(client, "chrome_typeerror")
    report(client, "chrome_referenceerror")
    report(client, "stackless")
    assert len(groups(client, auth)["items"]) == 3


def test_ids_in_a_stackless_message_do_not_split_groups(client, auth):
    for n in range(30):
        report(
            client,
            "stackless",
            m=f"Request {n:08x}-93f4-4c55-8f1e-2a7a4c0b9d{n:02d} timed out after {1000 + n} ms",
        )
    assert only_group(client, auth)["count"] == 30


def test_fingerprint_override(client, auth):
    report(client, "chrome_typeerror", fp=["checkout-price"])
    report(client, "chrome_referenceerror", fp=["checkout-price"])
    report(client, "chrome_typeerror", fp=["{{ default }}", "tenant-a"])
    items = groups(client, auth)["items"]
    assert sorted(g["count"] for g in items) == [1, 2]
    merged = next(g for g in items if g["count"] == 2)
    events = client.get(f"/api/v1/groups/{merged['id']}/events", headers=auth).json["items"]
    assert all(e["fingerprint_override"] == ["checkout-price"] for e in events)


def test_filters(client, auth):
    report(client, "chrome_typeerror")
    report(client, "chrome_referenceerror", headers={"User-Agent": FIREFOX_UA})
    report(client, "handled_capture")
    assert len(groups(client, auth, browser="Firefox")["items"]) == 1
    handled = groups(client, auth, handled="true")["items"]
    assert [g["title"].split(":")[0] for g in handled] == ["Error"]
    assert len(groups(client, auth, handled="false")["items"]) == 2
    assert len(groups(client, auth, release="shop@2.4.1")["items"]) == 3
    assert groups(client, auth, release="nope")["items"] == []
    found = groups(client, auth, q="TRACKSEARCH")["items"]
    assert len(found) == 1 and found[0]["title"].startswith("ReferenceError")
    assert groups(client, auth, q="100%_")["items"] == []
    project = found[0]["project"]
    assert len(groups(client, auth, project=project)["items"]) == 3
    assert groups(client, auth, project=project + 999)["items"] == []


def test_sorts_and_cursor_pagination(client, auth):
    for n in range(7):
        for _ in range(n + 1):
            report(client, "stackless", ty=f"Error{n}")
    by_count = groups(client, auth, sort="count")["items"]
    assert [g["count"] for g in by_count] == [7, 6, 5, 4, 3, 2, 1]
    seen, cursor = [], None
    while True:
        params = {"sort": "count", "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = groups(client, auth, **params)
        seen += [g["id"] for g in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [g["id"] for g in by_count]
    for sort in ("last_seen", "first_seen"):
        items = groups(client, auth, sort=sort, limit=100)["items"]
        keys = [g[sort] for g in items]
        assert keys == sorted(keys, reverse=True)


def test_detail_events_and_breakdowns(client, auth):
    report(client, "chrome_typeerror")
    report(client, "chrome_typeerror_redeploy", headers={"User-Agent": FIREFOX_UA})
    group_id = only_group(client, auth)["id"]
    detail = client.get(f"/api/v1/groups/{group_id}", headers=auth).json
    assert detail["latest_event"]["release"] == "shop@2.4.2"
    frames = detail["latest_event"]["frames"]
    assert frames[0]["function"] == "lineTotal" and frames[0]["in_app"] is True
    assert detail["first_release"] == "shop@2.4.1" and detail["last_release"] == "shop@2.4.2"
    assert detail["trend"][-1] == {"day": datetime.now(UTC).date().isoformat(), "count": 2}
    assert len(detail["trend"]) == 30
    browsers = {row["value"]: row["count"] for row in detail["breakdowns"]["browser"]}
    assert browsers == {"Chrome": 1, "Firefox": 1}
    assert {row["value"] for row in detail["breakdowns"]["path"]} == {"/checkout/cart"}
    assert [h["kind"] for h in detail["history"]] == ["created"]
    first = client.get(f"/api/v1/groups/{group_id}/events?limit=1", headers=auth).json
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = client.get(
        f"/api/v1/groups/{group_id}/events?limit=1&cursor={first['next_cursor']}", headers=auth
    ).json
    assert second["next_cursor"] is None
    assert first["items"][0]["release"] == "shop@2.4.2"
    assert second["items"][0]["release"] == "shop@2.4.1"


def test_resolve_now_then_regression(client, auth):
    report(client)
    group_id = only_group(client, auth)["id"]
    assert triage(client, auth, group_id, status="resolved")["status"] == "resolved"
    report(client)
    group = only_group(client, auth)
    assert group["status"] == "unresolved" and group["regressed"] is True
    assert group["regressed_at"]
    kinds = [
        h["kind"] for h in client.get(f"/api/v1/groups/{group_id}", headers=auth).json["history"]
    ]
    assert kinds == ["regressed", "resolved", "created"]


def test_resolve_in_next_release_ignores_old_release(client, auth):
    report(client, v="shop@2.4.1")
    group_id = only_group(client, auth)["id"]
    triage(client, auth, group_id, status="resolved", resolve_in="next_release")
    report(client, v="shop@2.4.1")  # old clients still running the broken build
    assert only_group(client, auth)["status"] == "resolved"
    report(client, v="shop@2.5.0")
    group = only_group(client, auth)
    assert group["status"] == "unresolved" and group["regressed"]


def test_resolve_in_named_release(client, auth):
    report(client, v="shop@2.4.1")
    group_id = only_group(client, auth)["id"]
    triage(client, auth, group_id, status="resolved", resolve_in="shop@2.6.0")
    report(client, v="shop@2.5.9")
    report(client, v="shop@2.4.1")
    assert only_group(client, auth)["status"] == "resolved"
    report(client, v="shop@2.6.0")
    assert only_group(client, auth)["regressed"] is True


def test_ignore_until_n_more_events(client, auth):
    report(client)
    group_id = only_group(client, auth)["id"]
    triage(client, auth, group_id, status="ignored", ignore_until={"events": 3})
    report(client)
    report(client)
    assert only_group(client, auth)["status"] == "ignored"
    report(client)
    group = only_group(client, auth)
    assert group["status"] == "unresolved" and group["regressed"] is False


def test_ignore_until_time_and_forever(client, auth):
    report(client)
    group_id = only_group(client, auth)["id"]
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    triage(client, auth, group_id, status="ignored", ignore_until={"until": past})
    assert only_group(client, auth)["status"] == "unresolved"
    triage(client, auth, group_id, status="ignored")
    for _ in range(3):
        report(client)
    assert only_group(client, auth)["status"] == "ignored"
    assert triage(client, auth, group_id, status="unresolved")["status"] == "unresolved"
    history = client.get(f"/api/v1/groups/{group_id}", headers=auth).json["history"]
    assert [h["kind"] for h in history][:4] == ["reopened", "ignored", "unignored", "ignored"]
    assert history[0]["actor"] == "token:tests"


def test_bulk_triage(client, auth):
    report(client, "chrome_typeerror")
    report(client, "chrome_referenceerror")
    ids = [g["id"] for g in groups(client, auth)["items"]]
    response = client.patch("/api/v1/groups", json={"ids": ids, "status": "resolved"}, headers=auth)
    assert response.status_code == 200
    assert {g["status"] for g in groups(client, auth)["items"]} == {"resolved"}
    assert groups(client, auth, status="unresolved")["items"] == []
    missing = client.patch(
        "/api/v1/groups", json={"ids": [*ids, 99999], "status": "ignored"}, headers=auth
    )
    assert missing.status_code == 404
    assert {g["status"] for g in groups(client, auth)["items"]} == {"resolved"}


def test_merge_moves_events_and_routes_later_events(client, auth):
    report(client, "chrome_typeerror")
    report(client, "chrome_typeerror")
    report(client, "chrome_referenceerror")
    big, small = groups(client, auth, sort="count")["items"]
    response = client.post(
        "/api/v1/groups/merge", json={"ids": [small["id"], big["id"]]}, headers=auth
    )
    assert response.status_code == 200
    assert response.json["id"] == big["id"] and response.json["count"] == 3
    report(client, "chrome_referenceerror")
    survivor = only_group(client, auth)
    assert survivor["count"] == 4
    events = client.get(f"/api/v1/groups/{big['id']}/events?limit=100", headers=auth).json
    assert len(events["items"]) == 4
    assert client.get(f"/api/v1/groups/{small['id']}", headers=auth).status_code == 404
    detail = client.get(f"/api/v1/groups/{big['id']}", headers=auth).json
    assert detail["trend"][-1]["count"] == 4
    assert detail["history"][0]["kind"] == "merged"


def test_merge_across_projects_is_409(client, auth):
    report(client, "chrome_typeerror")
    report(client, "chrome_typeerror", u="https://other.example/")
    ids = [g["id"] for g in groups(client, auth)["items"]]
    response = client.post("/api/v1/groups/merge", json={"ids": ids}, headers=auth)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("get", "/api/v1/groups?status=open", None, 400, "invalid"),
        ("get", "/api/v1/groups?limit=0", None, 400, "invalid"),
        ("get", "/api/v1/groups?cursor=%%%", None, 400, "invalid_cursor"),
        ("get", "/api/v1/groups?colour=red", None, 400, "invalid"),
        ("get", "/api/v1/groups/424242", None, 404, "not_found"),
        ("patch", "/api/v1/groups/424242", {"status": "resolved"}, 404, "not_found"),
        ("patch", "/api/v1/groups/1", {"status": "resolved", "extra": 1}, 400, "invalid"),
        (
            "patch",
            "/api/v1/groups/1",
            {"status": "unresolved", "resolve_in": "now"},
            400,
            "invalid",
        ),
        ("patch", "/api/v1/groups/1", "not json", 400, "invalid_body"),
        ("post", "/api/v1/groups/merge", {"ids": [1]}, 400, "invalid"),
        ("get", "/api/v1/nothing-here", None, 404, "not_found"),
    ],
)
def test_api_errors_have_one_shape(client, auth, method, path, body, status, code):
    kwargs = {"headers": auth}
    if isinstance(body, dict):
        kwargs["json"] = body
    elif body is not None:
        kwargs["data"] = body
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer flt_wrong", "Basic dXNlcjpwYXNz"])
def test_no_valid_token_is_401(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/groups", headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_health_is_public_and_reveals_no_version(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json == {"ok": True}


def test_detail_explains_the_grouping(client, auth):
    report(client, "chrome_typeerror")
    report(client, "stackless")
    report(client, "chrome_referenceerror", fp=["{{ default }}", "tenant-7"])
    by_type = {g["type"]: g["id"] for g in groups(client, auth)["items"]}
    framed = client.get(f"/api/v1/groups/{by_type['TypeError']}", headers=auth).json["grouping"]
    assert framed["method"] == "frames"
    assert framed["type"] == "TypeError"
    assert {"module": "assets/app.js", "function": "lineTotal"} in framed["frames"]
    # an engine error adds its cross-engine wording, so faults of one function stay apart
    assert framed["message"] == "Cannot access property price of undefined"
    assert framed["version"] == FINGERPRINT_VERSION
    stackless = client.get(f"/api/v1/groups/{by_type['Error']}", headers=auth).json["grouping"]
    assert stackless["method"] == "message" and stackless["frames"] == []
    assert "<" in stackless["message"]  # ids and numbers replaced by placeholders
    custom = client.get(f"/api/v1/groups/{by_type['ReferenceError']}", headers=auth).json
    assert custom["grouping"]["custom"] == ["tenant-7"]
    assert custom["grouping"]["override"] == ["{{ default }}", "tenant-7"]
