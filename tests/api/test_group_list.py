"""The group list beyond filters and paging: counts per status, 14-day trends and the rate per
1,000 page views (sort `per_1k`)."""

import base64
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from tests.api.test_groups import groups, report, triage
from tests.stats_data import Recorder, days_ago


@contextmanager
def statements(app):
    """The SQL statements run inside the block."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    engine = app.extensions["faultline.engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_counts_per_status_follow_every_filter_but_the_status(client, auth):
    report(client, "chrome_typeerror")
    report(client, "chrome_referenceerror")
    report(client, "handled_capture")
    by_type = {group["type"]: group for group in groups(client, auth)["items"]}
    triage(client, auth, by_type["ReferenceError"]["id"], status="resolved")
    triage(client, auth, by_type["Error"]["id"], status="ignored")
    expected = {"unresolved": 1, "resolved": 1, "ignored": 1}
    assert groups(client, auth)["counts"] == expected
    resolved = groups(client, auth, status="resolved")
    assert len(resolved["items"]) == 1 and resolved["counts"] == expected
    assert groups(client, auth, handled="true")["counts"] == {
        "unresolved": 0,
        "resolved": 0,
        "ignored": 1,
    }
    assert groups(client, auth, q="TRACKSEARCH")["counts"]["resolved"] == 1
    assert sum(groups(client, auth, q="TRACKSEARCH")["counts"].values()) == 1
    project = by_type["Error"]["project"]
    assert groups(client, auth, project=project + 999)["counts"] == dict.fromkeys(expected, 0)


def test_counts_since_tell_new_and_regressed_groups(app, client, auth):
    record = Recorder(app)
    record.exception(days_ago(10), ty="OldError")
    record.exception(days_ago(2), ty="FreshError")
    old = next(g for g in groups(client, auth)["items"] if g["type"] == "OldError")
    triage(client, auth, old["id"], status="resolved")
    record.exception(datetime.now(UTC), ty="OldError")  # after the resolve: a regression
    counts = groups(client, auth, since=days_ago(7).isoformat())["counts"]
    assert (counts["new"], counts["regressed"]) == (1, 1)
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    counts = groups(client, auth, since=later)["counts"]
    assert (counts["new"], counts["regressed"]) == (0, 0)
    assert "new" not in groups(client, auth)["counts"]


def test_trend_covers_14_days_in_one_query_per_page(app, client, auth):
    record = Recorder(app)
    for at in (days_ago(0, hours=1), days_ago(0, hours=2), days_ago(13), days_ago(14)):
        record.exception(at)
    [group] = groups(client, auth)["items"]
    assert group["count"] == 4
    assert len(group["trend"]) == 14
    assert group["trend"][0] == 1 and group["trend"][-1] == 2 and sum(group["trend"]) == 3

    with statements(app) as one_group:
        groups(client, auth)
    for n in range(9):
        record.exception(days_ago(1), ty=f"Error{n}")
    with statements(app) as ten_groups:
        assert len(groups(client, auth)["items"]) == 10
    assert len(ten_groups) == len(one_group)


@pytest.fixture
def rated(app):
    """Groups in three projects: example.com and shop.example with page views in the last
    30 days (and older ones that do not count), none.example without any."""
    record = Recorder(app)
    for n in range(200):
        record.hit(days_ago(n % 20, hours=1), u="https://example.com/", b=f"a{n}")
    for n in range(100):
        record.hit(days_ago(n % 20, hours=1), u="https://shop.example/", b=f"b{n}")
    for n in range(300):
        record.hit(days_ago(40), u="https://example.com/", b=f"old{n}")
    plan = [
        ("https://example.com/", "Often", [1, 2, 3, 29, 45]),  # 4 in 30 days: 20.0
        ("https://example.com/", "Rare", [2]),  # 5.0
        ("https://example.com/", "AlsoRare", [3]),  # 5.0, a tie
        ("https://shop.example/", "Shop", [1, 1, 1, 1, 1]),  # 50.0
        ("https://example.com/", "Old", [40]),  # 0.0
        ("https://none.example/", "Unviewed", [1, 2]),  # no page views: null, last
    ]
    for url, kind, days in plan:
        for day in days:
            record.exception(days_ago(day, hours=2), u=url, ty=kind)
    return plan


def test_rate_per_1k_views_of_the_project(client, auth, rated):
    items = groups(client, auth, sort="per_1k", limit=100)["items"]
    assert [(g["type"], g["per_1k"]) for g in items] == [
        ("Shop", 50.0),
        ("Often", 20.0),
        ("AlsoRare", 5.0),
        ("Rare", 5.0),
        ("Old", 0.0),
        ("Unviewed", None),
    ]
    rates = {g["type"]: g["per_1k"] for g in groups(client, auth, limit=100)["items"]}
    assert rates["Often"] == 20.0 and rates["Unviewed"] is None


def test_per_1k_pages_with_cursors_through_ties(client, auth, rated):
    seen, cursor = [], None
    while True:
        params = {"sort": "per_1k", "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = groups(client, auth, **params)
        seen += [g["type"] for g in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["Shop", "Often", "AlsoRare", "Rare", "Old", "Unviewed"]
    assert groups(client, auth, sort="per_1k", status="resolved")["items"] == []


@pytest.mark.parametrize("value", ['["x",1]', "[true,1]", "[null,1]"])
def test_per_1k_cursor_must_hold_a_number(client, auth, value):
    cursor = base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")
    response = client.get(f"/api/v1/groups?sort=per_1k&cursor={cursor}", headers=auth)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_cursor"
