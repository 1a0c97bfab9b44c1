"""Per-IP limits on public ingest and on failed authentication, in memory and shared via Redis."""

import uuid

from sqlalchemy import func, select

from app.models import ExceptionEvent
from tests.conftest import payload, post_exception


def test_burst_limit_answers_429_with_retry_after(make_app):
    client = make_app(ratelimit__tracking_burst=3).test_client()
    statuses = [post_exception(client, payload("stackless")).status_code for _ in range(10)]
    # Ten posts take far less than a second, but a slow machine may cross one window edge.
    assert statuses[:3] == [204, 204, 204]
    assert statuses.count(204) <= 6 and 429 in statuses
    while (limited := post_exception(client, payload("stackless"))).status_code != 429:
        pass
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["Access-Control-Expose-Headers"] == "Retry-After"
    assert limited.data == b"too many requests\n"


def test_per_minute_limit_and_addresses_are_separate(make_app):
    app = make_app(ratelimit__tracking_per_minute=2)
    client = app.test_client()
    first = {"REMOTE_ADDR": "192.0.2.10"}
    second = {"REMOTE_ADDR": "192.0.2.11"}

    def post(environ):
        return client.post("/track/exception", json=payload("stackless"), environ_base=environ)

    assert [post(first).status_code for _ in range(3)] == [204, 204, 429]
    assert post(second).status_code == 204


def test_forwarded_for_counts_only_behind_a_trusted_proxy(make_app):
    client = make_app(ratelimit__tracking_per_minute=1, web__trust_proxy=True).test_client()

    def post(forwarded):
        return client.post(
            "/track/exception", json=payload("stackless"), headers={"X-Forwarded-For": forwarded}
        )

    assert post("198.51.100.1").status_code == 204
    # The client may prepend anything; only the right-most entry (our proxy's) is the address.
    assert post("198.51.100.1, 198.51.100.2").status_code == 204
    assert post("203.0.113.9, 198.51.100.2").status_code == 429


def test_failed_authentication_is_limited(make_app):
    client = make_app(ratelimit__unauthenticated_per_minute=3).test_client()
    statuses = [client.get("/api/v1/groups").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    assert client.get("/api/v1/groups").json["error"]["code"] == "too_many_requests"


def test_limits_are_shared_between_processes_through_redis(make_app, redis_url):
    # Two apps stand for two processes (or hosts) sharing one Redis.
    # A fresh secret keeps this run's keys apart from earlier runs on the same Redis.
    secret = "redis-" + uuid.uuid4().hex * 2
    first = make_app(
        ratelimit__storage_url=redis_url, ratelimit__tracking_burst=4, secret_key=secret
    ).test_client()
    second = make_app(
        ratelimit__storage_url=redis_url, ratelimit__tracking_burst=4, secret_key=secret
    ).test_client()
    statuses = [
        post_exception(client, payload("stackless")).status_code
        for client in (first, second, first, second, first, second)
    ]
    assert statuses == [204, 204, 204, 204, 429, 429]


def test_an_unreachable_limit_store_never_costs_an_event(make_app):
    # Nothing listens on port 1: every call to the limits' storage fails at once.
    app = make_app(ratelimit__storage_url="redis://127.0.0.1:1/0")
    client = app.test_client()
    assert post_exception(client, payload("stackless")).status_code == 204
    with app.extensions["faultline.engine"].connect() as conn:
        assert conn.execute(select(func.count()).select_from(ExceptionEvent)).scalar_one() == 1
