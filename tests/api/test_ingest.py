"""POST /track/exception: what is stored, what is dropped, what is refused."""

import json

import pytest
from sqlalchemy import func, select

from app.models import ExceptionEvent, ExceptionGroup, Source
from tests.conftest import CHROME_UA, FIXTURES, payload, post_exception

GOOGLEBOT = (
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; "
    "+http://www.google.com/bot.html) Chrome/131.0.6778.204 Safari/537.36"
)


def count(session, model) -> int:
    """Rows in a table."""
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/json", "text/plain;charset=UTF-8"]
)
def test_report_is_stored_and_grouped(client, session, content_type):
    response = post_exception(client, payload("chrome_typeerror"), content_type)
    assert response.status_code == 204
    assert response.data == b""
    event = session.scalars(select(ExceptionEvent)).one()
    assert event.exc_type == "TypeError"
    assert event.path == "/checkout/cart"  # query, fragment and trailing slash gone
    assert event.release == "shop@2.4.1"
    assert (event.browser, event.browser_version, event.os, event.device) == (
        "Chrome",
        "131",
        "Windows",
        "desktop",
    )
    assert event.frames[0]["function"] == "lineTotal"
    assert event.extra == {"plan": "pro", "locale": "en-GB"}
    source = session.scalars(select(Source)).one()
    assert source.key == "https://shop.example.com"  # www. stripped, lowercased
    group = session.scalars(select(ExceptionGroup)).one()
    assert group.event_count == 1 and group.status == "unresolved"
    assert group.title.startswith("TypeError: Cannot read properties of undefined")


def test_cors_preflight_and_headers(client):
    preflight = client.options(
        "/track/exception",
        headers={"Origin": "https://shop.example.com", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert preflight.headers["Access-Control-Max-Age"] == "86400"
    response = post_exception(client, payload("chrome_typeerror"))
    assert response.status_code == 204
    # A stored report carries what a cross-origin page needs and no more (each header of
    # every tracked request costs the server): the origin, and no caching.
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Access-Control-Allow-Methods" not in response.headers
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize(
    ("method", "path", "status", "text"),
    [
        ("GET", "/track/exception", 405, b"method not allowed\n"),
        ("POST", "/track/ping", 405, b"method not allowed\n"),
        ("POST", "/track/<script>alert(1)</script>", 404, b"not found\n"),
        ("GET", "/track/gif/../../etc/passwd", 404, b"not found\n"),
    ],
)
def test_unknown_routes_and_methods_get_the_short_public_answer(client, method, path, status, text):
    response = client.open(path, method=method)
    assert response.status_code == status
    # Public ingest never answers with the API's JSON nor echoes the path it was sent.
    assert response.data == text
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers


def test_oversized_body_is_413_before_reading(client, session):
    body = payload("chrome_typeerror", m="x" * 20000)
    response = post_exception(client, body)
    assert response.status_code == 413
    assert b"x" * 10 not in response.data
    assert count(session, ExceptionEvent) == 0


def test_oversized_body_without_length_is_413(client, session):
    raw = json.dumps(payload("chrome_typeerror", m="y" * 20000)).encode()
    response = client.post(
        "/track/exception",
        input_stream=__import__("io").BytesIO(raw),
        content_type="text/plain",
        headers={"User-Agent": CHROME_UA, "Transfer-Encoding": "chunked"},
        # what a WSGI server sets for a chunked body: read until the stream ends
        environ_base={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert count(session, ExceptionEvent) == 0


BAD_BODIES = [
    pytest.param("{not json <script>alert(1)</script>", id="malformed"),
    pytest.param('["a list", "<script>"]', id="not-an-object"),
    pytest.param('{"u": "https://shop.example.com/", "ty": "Error"}', id="missing-message"),
    pytest.param('{"ty": "Error", "m": "<b>hi</b>"}', id="missing-url"),
    pytest.param('{"u": 42, "ty": "Error", "m": "m"}', id="url-not-a-string"),
    pytest.param(
        '{"u": "https://a.example/", "ty": "E", "m": "m", "h": "<svg>"}', id="handled-junk"
    ),
    pytest.param('{"u": "https://a.example/", "ty": "E", "m": "m", "d": ["<x>"]}', id="meta-list"),
    pytest.param(
        '{"u": "https://a.example/", "ty": "E", "m": "m", "fp": {"a": 1}}', id="fp-object"
    ),
    pytest.param(b"\xff\xfe\x00garbage", id="not-utf8"),
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_bodies_are_400_without_echo(client, session, body):
    response = post_exception(client, body)
    assert response.status_code == 400
    assert response.data == b"bad request\n"
    assert count(session, ExceptionEvent) == 0


def test_other_content_types_are_refused(client, session):
    response = post_exception(
        client, payload("chrome_typeerror"), "application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert count(session, ExceptionEvent) == 0


def test_unknown_fields_are_dropped_not_rejected(client, session):
    body = payload("chrome_typeerror", zz_future_field={"nested": True}, tags=["a"])
    assert post_exception(client, body).status_code == 204
    assert count(session, ExceptionEvent) == 1


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({"DNT": "1"}, "do not track"),
        ({"Sec-GPC": "1"}, "global privacy control"),
        ({"User-Agent": GOOGLEBOT}, "bot"),
        ({"User-Agent": "curl/8.5.0"}, "script without a browser"),
    ],
)
def test_opt_outs_and_bots_are_accepted_but_not_stored(client, session, headers, why):
    response = post_exception(client, payload("chrome_typeerror"), headers=headers)
    assert response.status_code == 204, why
    assert count(session, ExceptionEvent) == 0
    assert count(session, Source) == 0


@pytest.mark.parametrize(
    "url", ["not a url", "javascript:alert(1)", "file:///etc/passwd", "https://"]
)
def test_unparseable_page_urls_are_dropped(client, session, url):
    assert post_exception(client, payload("chrome_typeerror", u=url)).status_code == 204
    assert count(session, ExceptionEvent) == 0


def test_host_allow_list(make_app):
    app = make_app(ingest__allowed_hosts=["*.example.com"])
    client = app.test_client()
    assert post_exception(client, payload("chrome_typeerror")).status_code == 204
    stranger = payload("chrome_typeerror", u="https://evil.test/x")
    assert post_exception(client, stranger).status_code == 204
    with app.extensions["faultline.sessionmaker"]() as session:
        assert [s.key for s in session.scalars(select(Source))] == ["https://shop.example.com"]


def test_auto_register_cap(make_app):
    app = make_app(ingest__auto_register_cap=2)
    client = app.test_client()
    for host in ("a.example", "b.example", "c.example"):
        body = payload("chrome_typeerror", u=f"https://{host}/")
        assert post_exception(client, body).status_code == 204
    with app.extensions["faultline.sessionmaker"]() as session:
        keys = sorted(s.key for s in session.scalars(select(Source)))
        assert keys == ["https://a.example", "https://b.example"]
        assert count(session, ExceptionEvent) == 2


def test_long_values_are_cut_with_a_marker_not_rejected(client, session):
    body = payload("chrome_typeerror", ty="T" * 1500, m="é" * 900, v="r" * 200)
    body["d"] = {"long": "v" * 1100, "k" * 300: "short"} | {f"k{i}": "v" for i in range(40)}
    assert post_exception(client, body).status_code == 204
    event = session.scalars(select(ExceptionEvent)).one()
    assert event.exc_type.endswith("…") and len(event.exc_type.encode()) <= 1000
    assert event.message.endswith("…") and len(event.message.encode()) <= 1000
    assert event.release.endswith("…") and len(event.release.encode()) <= 120
    assert len(event.extra) == 32
    assert event.extra["long"].endswith("…") and len(event.extra["long"].encode()) == 1024
    assert ("k" * 253 + "…") in event.extra


def test_a_string_cut_mid_emoji_is_stored_not_refused(client, session):
    # A browser's JSON.stringify escapes the lone half of an emoji cut by a length limit.
    raw = json.dumps(payload("chrome_typeerror", m="Checkout failed \U0001f600"))
    cut = raw.replace("\\ude00", "")
    assert "\\ud83d" in cut
    assert post_exception(client, cut).status_code == 204
    event = session.scalars(select(ExceptionEvent)).one()
    assert event.message == "Checkout failed ?"


def test_scrubbing_before_storage(client, session):
    body = payload(
        "handled_capture",
        m="Login failed for jane.doe@example.org with password=hunter2 "
        "Authorization: Bearer abcdef0123456789abcdef",
    )
    body["d"] = {"card": "4111 1111 1111 1111", "token": "tok_live_abc123"}
    assert post_exception(client, body).status_code == 204
    event = session.scalars(select(ExceptionEvent)).one()
    stored = json.dumps([event.message, event.stack, event.extra])
    for secret in (
        "jane.doe@example.org",
        "hunter2",
        "abcdef0123456789abcdef",
        "4111 1111 1111 1111",
        "tok_live_abc123",
    ):
        assert secret not in stored


@pytest.mark.parametrize("message", ["Script error.", "Script error", "script error. "])
def test_cross_origin_script_error_without_stack_is_dropped(client, session, message):
    """What a browser reports of an error in another origin's script: nothing to group by."""
    noise = payload("stackless", ty="Error", m=message)
    noise.pop("s", None)
    assert post_exception(client, noise).status_code == 204
    with_stack = payload("chrome_typeerror", m="Script error.")
    assert post_exception(client, with_stack).status_code == 204
    assert session.scalars(select(ExceptionEvent.stack)).all() == [with_stack["s"]]


CAPTURED = json.loads((FIXTURES / "minified" / "captured.json").read_text("utf-8"))


def test_a_minified_error_class_is_one_group_whatever_browser_reported_it(client, session):
    # Real reports of one bug: `throw new CouponExpiredError(...)` in a minified build, from
    # Chromium, Firefox ESR and WebKitGTK, each sent with that browser's own User-Agent (which
    # tells ingest whether the stack starts inside the constructor).
    reports = [
        r for r in CAPTURED if r["build"] == "esbuild-esm" and r["scenario"] == "coupon-expired"
    ]
    assert {r["engine"] for r in reports} == {"chromium", "firefox", "webkit"}
    for report in reports:
        body = payload(
            "chrome_typeerror", ty=report["type"], m=report["message"], s=report["stack"]
        )
        response = post_exception(client, body, headers={"User-Agent": report["user_agent"]})
        assert response.status_code == 204
    assert count(session, ExceptionEvent) == 3
    group = session.scalars(select(ExceptionGroup)).one()
    assert group.culprit == "z (assets/app-THE4ZSXN.js)"
