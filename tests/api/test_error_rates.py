"""Errors per 1,000 page views: by page, browser and release, and per exception group."""

import pytest

from tests.stats_data import FIREFOX_UA, Recorder, days_ago


@pytest.fixture
def traffic(app):
    """Two days of views and errors on two pages, two browsers and two releases; one day is
    whole (read from rollups) and one is cut by the window (read raw)."""
    record = Recorder(app)
    for day in (3, 2):
        for index in range(10):
            at = days_ago(day, hours=index)
            record.hit(at, u="https://example.com/checkout", v="2.0.0")
            record.hit(at, u="https://example.com/", v="1.9.0", ua=FIREFOX_UA)
            record.hit(at, u="https://example.com/", v="2.0.0")
        record.exception(days_ago(day, hours=1), u="https://example.com/checkout", v="2.0.0")
        record.exception(days_ago(day, hours=2), u="https://example.com/checkout", v="2.0.0")
        record.exception(
            days_ago(day, hours=3), u="https://example.com/", v="1.9.0", ua=FIREFOX_UA, ty="E"
        )
    return record


def rates(client, auth, by: str, **params) -> list[dict]:
    """The rows of errors-per-pageview; asserts a 200."""
    query = {
        "from": days_ago(4).isoformat(),
        "to": days_ago(2, hours=12).isoformat(),
        "by": by,
        **params,
    }
    response = client.get("/api/v1/stats/errors-per-pageview", query_string=query, headers=auth)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_by_page(client, auth, traffic):
    assert rates(client, auth, "page") == [
        {"key": "/checkout", "pageviews": 20, "exceptions": 4, "per_1k": 200.0},
        {"key": "/", "pageviews": 40, "exceptions": 2, "per_1k": 50.0},
    ]


def test_by_browser_and_release(client, auth, traffic):
    browsers = {row["key"]: row["per_1k"] for row in rates(client, auth, "browser")}
    assert browsers == {"Chrome": 100.0, "Firefox": 100.0}
    releases = {row["key"]: row for row in rates(client, auth, "release")}
    assert releases["2.0.0"]["pageviews"] == 40 and releases["2.0.0"]["exceptions"] == 4
    assert releases["1.9.0"]["per_1k"] == 100.0


def test_same_filters_apply_to_both_sides(client, auth, traffic):
    rows = rates(client, auth, "page", filter='browser == "Firefox"')
    assert rows == [{"key": "/", "pageviews": 20, "exceptions": 2, "per_1k": 100.0}]


def test_a_filter_on_a_field_exceptions_lack_is_400(client, auth, traffic):
    response = client.get(
        "/api/v1/stats/errors-per-pageview",
        query_string={"by": "page", "filter": 'country == "DE"'},
        headers=auth,
    )
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_filter"


@pytest.mark.parametrize("params", [{}, {"by": "country"}])
def test_by_is_required_and_checked(client, auth, params):
    response = client.get("/api/v1/stats/errors-per-pageview", query_string=params, headers=auth)
    assert response.status_code == 400


def test_pages_of_a_group_with_their_rate(client, auth, traffic):
    groups = client.get("/api/v1/groups", headers=auth).get_json()["items"]
    checkout = next(group for group in groups if group["type"] == "TypeError")
    response = client.get(
        f"/api/v1/groups/{checkout['id']}/pages",
        query_string={"from": days_ago(4).isoformat(), "to": days_ago(2, hours=12).isoformat()},
        headers=auth,
    )
    assert response.get_json()["items"] == [
        {"key": "/checkout", "pageviews": 20, "exceptions": 4, "per_1k": 200.0}
    ]
    assert client.get("/api/v1/groups/999999/pages", headers=auth).status_code == 404
