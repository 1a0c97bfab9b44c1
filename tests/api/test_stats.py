"""GET /api/v1/stats: summary, series and breakdowns, read from rollups and raw edges alike.

Numbers in the comments are the items of the checklist in seed-analytics.md section 10.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.core.timegrid import DAY
from app.models import Hit
from app.store.retention import purge_expired
from tests.stats_data import FIREFOX_UA, Recorder, days_ago


@pytest.fixture
def record(app):
    """Stores rows at chosen times."""
    return Recorder(app)


def iso(moment) -> str:
    """The API's time format."""
    return moment.isoformat().replace("+00:00", "Z")


def get_stats(client, auth, start, end, **params) -> dict:
    """The stats of a window; asserts a 200."""
    response = client.get(
        "/api/v1/stats", query_string={"from": iso(start), "to": iso(end), **params}, headers=auth
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_visitors_use_the_page_flag_under_a_path_filter(client, auth, record):  # 57
    at = days_ago(3, hours=10)
    record.hit(at, u="https://example.com/a", q=True, p=True)
    record.hit(at, u="https://example.com/a", q=False, p=True)
    record.hit(at, u="https://example.com/a", q=False, p=False)
    record.hit(at, u="https://example.com/b", q=True, p=True)
    window = (days_ago(4), days_ago(1))
    everything = get_stats(client, auth, *window)["summary"]
    assert (everything["visitors"], everything["pageviews"]) == (2, 4)
    page = get_stats(client, auth, *window, filter='path == "/a"')["summary"]
    assert (page["visitors"], page["pageviews"]) == (2, 3)


@pytest.mark.parametrize(
    ("durations", "bounce", "median"),
    [
        ([50, 150, 1000, 6000], None, 575),  # under five samples: no bounce rate
        ([50, 150, 1000, 6000, 200], 0.6, 200),  # 150, 1000 and 200 lie in [100, 5000]
        ([100, 5000, 5001, 99, 3000, 7], 0.5, 1550),
        ([10, 11], None, 11),  # halves round up
    ],
)
def test_bounce_rate_and_median_time_on_page(client, auth, record, durations, bounce, median):
    # 58; the two windows read the same unloads from raw rows and from day rollups.
    for index, duration in enumerate(durations):
        record.hit(days_ago(2, hours=index), e="unload", m=duration)
    for window in [(days_ago(2), days_ago(1)), (days_ago(3, hours=12), days_ago(0))]:
        summary = get_stats(client, auth, *window)["summary"]
        assert (summary["bounce_rate"], summary["median_duration_ms"]) == (bounce, median)


def test_median_from_rollups_stays_within_a_bin_of_the_truth(client, auth, record):
    durations = [1234, 2345, 34567, 45678, 56789, 67890, 78901]
    for index, duration in enumerate(durations):
        record.hit(days_ago(5, hours=index), e="unload", m=duration)
    summary = get_stats(client, auth, days_ago(6), days_ago(1))["summary"]
    assert summary["median_duration_ms"] == pytest.approx(45678, rel=0.016)


def test_series_is_zero_filled_half_open_and_aligned_with_the_previous_one(
    client, auth, record
):  # 59
    start, end = days_ago(3), days_ago(0)
    record.hit(start, q=True)  # the first instant belongs to the window
    record.hit(start + DAY + timedelta(hours=23, minutes=59, seconds=59), q=True)
    record.hit(end, q=True)  # the end does not
    record.hit(start - DAY, q=True)  # the previous window: its second bucket
    record.exception(start + timedelta(hours=1))
    body = get_stats(client, auth, start, end, interval="day")
    assert body["range"]["interval"] == "day"
    current, previous = body["timeseries"], body["previous_timeseries"]
    assert [point["timestamp"] for point in current] == [
        iso(start + index * DAY) for index in range(3)
    ]
    assert [point["pageviews"] for point in current] == [1, 1, 0]
    assert [point["exceptions"] for point in current] == [1, 0, 0]
    assert [point["timestamp"] for point in previous] == [
        iso(start - 3 * DAY + index * DAY) for index in range(3)
    ]
    assert [point["pageviews"] for point in previous] == [0, 0, 1]
    assert body["summary"]["pageviews"] == 2 and body["previous_summary"]["pageviews"] == 1


def test_buckets_at_utc_midnight(client, auth, record):
    record.hit(days_ago(1) - timedelta(microseconds=1))  # 23:59:59.999999 the day before
    record.hit(days_ago(1))  # 00:00:00
    body = get_stats(client, auth, days_ago(2), days_ago(0), interval="hour")
    counts = [point["pageviews"] for point in body["timeseries"]]
    assert len(counts) == 48 and counts[23] == 1 and counts[24] == 1 and sum(counts) == 2


def test_weeks_start_on_monday(client, auth):
    start = days_ago(60)
    body = get_stats(client, auth, start, days_ago(0), interval="week")
    stamps = [point["timestamp"] for point in body["timeseries"]]
    assert all(datetime.fromisoformat(stamp).weekday() == 0 for stamp in stamps)
    assert stamps[0] <= iso(start)


def test_defaults_coarsening_and_from_zero(client, auth, record):  # 60
    body = client.get("/api/v1/stats", headers=auth).get_json()
    assert body["range"]["interval"] == "day" and len(body["timeseries"]) == 7
    ninety = get_stats(client, auth, days_ago(90), days_ago(0), interval="minute")
    assert ninety["range"]["interval"] == "4h" and len(ninety["timeseries"]) <= 2000
    record.hit(days_ago(40, hours=5))
    everything = client.get(
        "/api/v1/stats", query_string={"from": "0", "to": iso(days_ago(0))}, headers=auth
    ).get_json()
    assert everything["range"]["from"] == iso(days_ago(40, hours=5))
    assert everything["summary"]["pageviews"] == 1


def test_missing_values_and_page_view_filters(client, auth, record):  # 61
    at = days_ago(2, hours=3)
    record.hit(at, u="https://example.com/", r="https://www.google.com/search?q=x")
    record.hit(at, u="https://example.com/")
    record.hit(at, u="https://example.com/", e="custom", n="signup")
    body = get_stats(client, auth, days_ago(3), days_ago(1))
    referrers = {row["key"]: row["pageviews"] for row in body["breakdowns"]["referrers"]}
    assert referrers == {"google.com": 1, "": 1}
    direct = get_stats(client, auth, days_ago(3), days_ago(1), filter='referrer == ""')
    assert (direct["summary"]["pageviews"], direct["summary"]["events"]) == (1, 0)


def test_project_filter_ignores_case_and_unknown_matches_nothing(client, auth, record):  # 61
    record.hit(days_ago(2, hours=1))
    window = (days_ago(3), days_ago(1))
    named = get_stats(client, auth, *window, filter='project == "EXAMPLE.COM"')
    assert named["summary"]["pageviews"] == 1
    unknown = get_stats(client, auth, *window, filter='project == "nope"')
    assert unknown["summary"]["pageviews"] == 0


def test_breakdowns_list_every_dimension_with_visitors_views_and_events(client, auth, record):  # 9
    at = days_ago(2, hours=12)
    record.hit(
        at,
        u="https://example.com/pricing?utm_source=news&utm_medium=email&utm_campaign=spring",
        r="https://t.co/abc",
        t="Europe/Berlin",
        q=True,
        p=True,
        v="1.4.0",
    )
    record.hit(at, u="https://example.com/pricing", ua=FIREFOX_UA, language="fr", p=True)
    record.hit(at, u="https://example.com/pricing", e="custom", n="signup")
    body = get_stats(client, auth, days_ago(3), days_ago(1), limit=5)
    breakdowns = body["breakdowns"]
    assert breakdowns["pages"] == [{"key": "/pricing", "visitors": 2, "pageviews": 2, "events": 1}]
    first = {name: rows[0]["key"] for name, rows in breakdowns.items() if rows}
    assert first["referrers"] in ("t.co", "")
    assert {row["key"] for row in breakdowns["referrer_groups"]} == {"social", ""}
    assert {row["key"] for row in breakdowns["countries"]} == {"DE", ""}
    assert {row["key"] for row in breakdowns["languages"]} >= {"en", "fr"}
    assert {row["key"] for row in breakdowns["browsers"]} == {"Chrome", "Firefox"}
    assert any(row["key"].startswith("Firefox 128") for row in breakdowns["versions"])
    assert {row["key"] for row in breakdowns["operating_systems"]} >= {"Linux"}
    assert {row["key"] for row in breakdowns["devices"]} == {"desktop"}
    assert breakdowns["utm_sources"][0] in (
        {"key": "news", "visitors": 1, "pageviews": 1, "events": 0},
        {"key": "", "visitors": 0, "pageviews": 1, "events": 1},
    )
    assert breakdowns["event_names"] == [
        {"key": "signup", "visitors": 0, "pageviews": 0, "events": 1}
    ]
    assert breakdowns["sources"][0]["key"] == "https://example.com"
    assert breakdowns["projects"][0] == {
        "key": "example.com",
        "visitors": 1,
        "pageviews": 2,
        "events": 1,
    }
    assert {row["key"] for row in breakdowns["releases"]} == {"1.4.0", ""}


def test_filters_combine_with_and_and_every_operator(client, auth, record):  # 10
    at = days_ago(2, hours=2)
    record.hit(at, u="https://example.com/blog/one", t="Europe/Berlin")
    record.hit(at, u="https://example.com/blog/two", t="America/New_York")
    record.hit(at, u="https://example.com/Blog/three", t="Europe/Berlin")
    record.hit(at, u="https://example.com/about", t="Europe/Berlin", ua=FIREFOX_UA)
    window = (days_ago(3), days_ago(1))

    def pageviews(expression: str) -> int:
        return get_stats(client, auth, *window, filter=expression)["summary"]["pageviews"]

    assert pageviews('path.startsWith("/blog")') == 2  # case-sensitive
    assert pageviews('path.startsWith("/blog") && country == "DE"') == 1
    assert pageviews('country != "DE"') == 1
    assert pageviews('path.contains("o") && browser != "Firefox"') == 3
    assert pageviews('browser.contains("Fire")') == 1


@pytest.mark.parametrize(
    ("expression", "named"),
    [
        ('flavour == "x"', "path"),  # 56: the message names the allowed fields
        ("browser > 4", None),
        ('path == "/a" || path == "/b"', None),
        ('path.endsWith("x")', None),
        ('path == "unterminated', None),
    ],
)
def test_bad_filters_are_400(client, auth, expression, named):
    response = client.get("/api/v1/stats", query_string={"filter": expression}, headers=auth)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_filter"
    if named:
        assert named in error["message"]


@pytest.mark.parametrize(
    "params",
    [
        {"from": "yesterday"},
        {"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
        {"interval": "fortnight"},
        {"project": "999999"},
        {"breakdowns": "pages,shoe_sizes"},
        {"limit": "0"},
    ],
)
def test_bad_parameters_are_4xx_json(client, auth, params):
    response = client.get("/api/v1/stats", query_string=params, headers=auth)
    assert response.status_code in (400, 404)
    assert "error" in response.get_json()


@pytest.mark.parametrize("names", ["", ",", " , "])
def test_no_breakdowns_asked_gives_none(client, auth, record, names):
    record.hit(days_ago(1, hours=3))
    body = get_stats(client, auth, days_ago(2, hours=6), days_ago(0, hours=1), breakdowns=names)
    assert body["breakdowns"] == {} and body["summary"]["pageviews"] == 1


def test_stats_need_a_token(client):
    assert client.get("/api/v1/stats").status_code == 401


def test_rollups_and_raw_rows_give_the_same_answer(client, auth, record):
    # A filter that keeps every row makes the stats read raw rows only; without it they read
    # rollups with raw edges. Both must agree on a window with ragged ends.
    for day in range(6):
        for hour in (1, 7, 13, 22):
            at = days_ago(day + 1, hours=hour + day / 10)
            record.hit(at, u=f"https://example.com/p{hour}", q=hour == 1, p=True, t="Asia/Tokyo")
            record.hit(at, u=f"https://example.com/p{hour}", e="unload", m=400 * hour + day)
            record.hit(at, u="https://example.com/x", e="custom", n=f"e{day % 2}")
        record.exception(days_ago(day + 1, hours=5), u=f"https://example.com/p{day}")
    start, end = days_ago(6, hours=5.25), days_ago(1, hours=13.5)
    plain = get_stats(client, auth, start, end, interval="hour", limit=50)
    raw = get_stats(client, auth, start, end, interval="hour", limit=50, filter='source != "none"')
    assert plain["summary"] == raw["summary"]
    assert plain["previous_summary"] == raw["previous_summary"]
    assert plain["timeseries"] == raw["timeseries"]
    assert plain["previous_timeseries"] == raw["previous_timeseries"]
    assert plain["breakdowns"] == raw["breakdowns"]
    assert plain["summary"]["exceptions"] == 5


def test_a_filter_exceptions_lack_leaves_exceptions_unknown(client, auth, record):
    record.exception(days_ago(2, hours=1))
    body = get_stats(client, auth, days_ago(3), days_ago(1), filter='country == "DE"')
    assert body["summary"]["exceptions"] is None
    assert {point["exceptions"] for point in body["timeseries"]} == {None}
    by_browser = get_stats(client, auth, days_ago(3), days_ago(1), filter='browser == "Chrome"')
    assert by_browser["summary"]["exceptions"] == 1


def test_rollups_keep_history_after_raw_rows_are_purged(client, auth, app, record, session):
    # 6: retention deletes raw rows in bulk; the rollups answer for those days afterwards.
    days = app.config["FAULTLINE"]["retention"]["days"]
    for hour in range(5):
        record.hit(days_ago(days + 5, hours=hour), q=True, u=f"https://example.com/{hour % 2}")
        record.hit(days_ago(days + 5, hours=hour), e="unload", m=1000 * (hour + 1))
    record.hit(days_ago(1, hours=1))  # recent: kept
    window = (days_ago(days + 7), days_ago(0))
    before = get_stats(client, auth, *window, interval="day")
    removed = purge_expired(app.extensions["faultline.engine"], days, datetime.now(UTC))
    assert removed == {"events": 0, "hits": 10, "sourcemap_bundles": 0}
    assert session.scalar(select(func.count()).select_from(Hit)) == 1
    after = get_stats(client, auth, *window, interval="day")
    assert after == before
    assert after["summary"]["pageviews"] == 6 and after["summary"]["median_duration_ms"] == 3000
    assert {row["key"] for row in after["breakdowns"]["pages"]} == {"/0", "/1", "/"}
