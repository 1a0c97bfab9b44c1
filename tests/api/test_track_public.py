"""The other public endpoints: the uniqueness ping, the tracker script, robots.txt, health.

Numbers in the comments are the items of the checklist in seed-analytics.md section 10. The
clock-dependent rules (midnight rollover) are unit-tested in tests/unit/test_ping.py with an
injected `now`; here the headers and the wiring are checked against the real clock.
"""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from app.core.ping import today_midnight


def http_date(moment: datetime) -> str:
    """An IMF-fixdate."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def midnight() -> datetime:
    """Today's UTC midnight."""
    return today_midnight(datetime.now(UTC))


def ping(client, since: str | None = None, query: str = "h=example.com"):
    """GET /track/ping as the tracker does, revalidating with If-Modified-Since."""
    headers = {"Origin": "https://example.com"}
    if since is not None:
        headers["If-Modified-Since"] = since
    return client.get(f"/track/ping?{query}", headers=headers)


def test_first_ping_of_the_day(client):  # 1
    response = ping(client)
    assert response.status_code == 200
    assert response.data == b"1"
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Last-Modified"] == http_date(midnight())
    assert response.headers["Last-Modified"].endswith(" 00:00:00 GMT")
    assert response.headers["Cache-Control"] == "no-cache, private"


@pytest.mark.parametrize(
    ("since", "body"),
    [
        (lambda: http_date(midnight()), b"0"),  # 2
        (lambda: http_date(midnight() + timedelta(seconds=1)), b"0"),  # 2
        (lambda: http_date(midnight() - timedelta(days=1)), b"1"),  # 3
        (lambda: http_date(midnight() - timedelta(seconds=1)), b"1"),  # 3
        (lambda: "yesterday-ish", b"1"),  # 4
        (lambda: "Tue, 99 Nov 2026 00:00:00 GMT", b"1"),  # 4
        (lambda: "", b"1"),
    ],
)
def test_if_modified_since_decides(client, since, body):  # 2, 3, 4
    response = ping(client, since())
    assert response.status_code == 200  # never 304, never 400
    assert response.data == body
    assert response.headers["Last-Modified"] == http_date(midnight())


def test_ping_is_cors_readable_from_any_origin(client):  # 5
    response = ping(client)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/track/ping",
        headers={"Origin": "https://a.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("since", [None, "today"])
def test_query_string_is_only_a_cache_key(client, since):  # 6
    header = http_date(midnight()) if since else None
    answers = {
        ping(client, header, query).data
        for query in ("h=a.com", "h=b.com", "h=a.com&p=%2Fx", "", "junk=<script>")
    }
    assert len(answers) == 1


def test_ping_ignores_dnt(client):
    # The ping stores nothing and identifies no one; the tracker sends none under DNT anyway.
    assert client.get("/track/ping", headers={"DNT": "1"}).data == b"1"


def test_tracker_script(client):  # 35
    response = client.get("/tracker.js")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/javascript; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    etag = response.headers["ETag"]
    assert etag.startswith('"')  # strong: no W/ prefix
    assert b"window.analytics" in response.data
    again = client.get("/tracker.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    other = client.get("/tracker.js", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_robots_disallows_everything(client):  # 35
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert "Disallow: /" in response.text


def test_health_reveals_nothing(client):  # 36
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json == {"ok": True}
