"""POST /track/hit: page loads, unloads and custom events; what is stored, dropped, refused.

Numbers in the comments are the items of the checklist in seed-analytics.md section 10.
"""

import csv
import json

import pytest
from sqlalchemy import func, select

from app.models import ExceptionEvent, Hit, Source
from tests.conftest import FIXTURES, payload, post_exception, post_hit

USER_AGENTS = list(csv.DictReader((FIXTURES / "useragents.csv").open()))
GOOGLEBOT = next(row["ua"] for row in USER_AGENTS if "Googlebot" in row["ua"])
WINDOWS_CHROME_120 = next(
    row["ua"] for row in USER_AGENTS if row["browser"] == "Chrome" and row["os"] == "Windows"
)
IPHONE_SAFARI = next(row["ua"] for row in USER_AGENTS if row["browser"] == "Mobile Safari")


def count(session, model) -> int:
    """Rows in a table."""
    return session.scalar(select(func.count()).select_from(model))


def only_hit(session) -> Hit:
    """The one stored hit."""
    return session.scalars(select(Hit)).one()


@pytest.mark.parametrize("content_type", ["text/plain", "application/json"])
def test_page_load_is_stored(client, session, content_type):  # 7, 8, 16-18, 20, 21
    response = post_hit(client, payload("hit_load"), content_type)
    assert response.status_code == 204
    assert response.data == b""
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    hit = only_hit(session)
    assert hit.kind == "load"
    assert session.get(Source, hit.source_id).key == "https://shop.example.com"
    assert (hit.unique_visit, hit.unique_page) == (True, True)
    assert hit.country == "DE"
    assert hit.path == "/products/linen-shirt"
    assert (hit.referrer_host, hit.referrer_group) == ("google.com", "search")
    assert hit.language == "de"
    assert (hit.utm_source, hit.utm_medium, hit.utm_campaign) == (
        "newsletter",
        "email",
        "summer-sale",
    )
    assert (hit.beacon, hit.session_id) == ("k3v9q2m8x1c7", "s-5f2a9c41e07b")
    assert (hit.browser, hit.browser_version, hit.os, hit.device) == (
        "Chrome",
        "131",
        "Windows",
        "desktop",
    )
    assert hit.duration_ms is None and hit.event_name is None and hit.meta is None


@pytest.mark.parametrize(
    ("name", "kind", "duration", "event", "metadata", "country"),
    [
        ("hit_load", "load", None, None, None, "DE"),
        ("hit_unload", "unload", 18342, None, None, "DE"),  # 26: its own row, not an update
        ("hit_custom", "custom", None, "signup", {"plan": "pro", "seats": "5"}, "US"),  # 27
    ],
)
def test_each_kind_is_one_row(client, session, name, kind, duration, event, metadata, country):
    assert post_hit(client, payload(name)).status_code == 204
    hit = only_hit(session)
    assert (hit.kind, hit.duration_ms, hit.event_name, hit.meta, hit.country) == (
        kind,
        duration,
        event,
        metadata,
        country,
    )


def test_load_and_unload_of_one_view_share_the_beacon(client, session):
    assert post_hit(client, payload("hit_load")).status_code == 204
    assert post_hit(client, payload("hit_unload")).status_code == 204
    hits = session.scalars(select(Hit).order_by(Hit.id)).all()
    assert [h.kind for h in hits] == ["load", "unload"]
    assert hits[0].beacon == hits[1].beacon
    assert count(session, Source) == 1


def test_kind_defaults_to_load_and_flags_to_false(client, session):
    body = {"b": "b1", "u": "https://example.com/"}
    assert post_hit(client, body).status_code == 204
    hit = only_hit(session)
    assert (hit.kind, hit.unique_visit, hit.unique_page, hit.path) == ("load", False, False, "/")
    assert hit.country is None and hit.referrer_host is None


def test_preflight_from_any_origin(client):  # 8
    response = client.options(
        "/track/hit",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("headers", "stored"),
    [
        ({"DNT": "1"}, False),  # 9
        ({"Sec-GPC": "1"}, False),  # 10
        ({"DNT": "0"}, True),
        ({"User-Agent": GOOGLEBOT}, False),  # 12
        ({"User-Agent": ""}, False),
        ({"User-Agent": "   "}, False),
        # 13, deviation: the reference stores curl as an "App"; PRODUCT.md drops bots and our
        # classifier counts scripts (curl, wget, python-requests) as bots, as for exceptions.
        ({"User-Agent": "curl/8.5.0"}, False),
    ],
)
def test_opt_outs_and_bots(client, session, headers, stored):
    assert post_hit(client, payload("hit_load"), headers=headers).status_code == 204
    assert count(session, Hit) == (1 if stored else 0)
    assert count(session, Source) == (1 if stored else 0)


def test_dnt_is_ignored_when_configured_off(make_app):  # 10
    app = make_app(ingest__honour_dnt=False)
    assert post_hit(app.test_client(), payload("hit_load"), headers={"DNT": "1"}).status_code == 204
    with app.extensions["faultline.sessionmaker"]() as session:
        assert count(session, Hit) == 1


def test_exception_with_dnt_is_not_stored(client, session):  # 11
    response = post_exception(client, payload("chrome_typeerror"), headers={"DNT": "1"})
    assert response.status_code == 204
    assert count(session, ExceptionEvent) == 0


BROWSERS = [row for row in USER_AGENTS if row["device"] != "bot"]


@pytest.mark.parametrize("row", BROWSERS, ids=[row["ua"][:60] for row in BROWSERS])
def test_real_user_agents_are_classified(client, session, row):  # 14
    # Deviation: we keep the major version ("120", not "120.0.0.0") and ua-parser's family
    # names ("Mobile Safari" for Safari on iPhone), as exceptions do.
    assert post_hit(client, payload("hit_load"), headers={"User-Agent": row["ua"]}).status_code
    hit = only_hit(session)
    assert (hit.browser, hit.browser_version, hit.os, hit.device) == (
        row["browser"],
        row["browser_version"],
        row["os"],
        row["device"],
    )


def test_windows_chrome_and_iphone_safari(client, session):  # 14
    post_hit(client, payload("hit_load"), headers={"User-Agent": WINDOWS_CHROME_120})
    post_hit(client, payload("hit_load"), headers={"User-Agent": IPHONE_SAFARI})
    rows = session.execute(select(Hit.browser, Hit.browser_version, Hit.os, Hit.device)).all()
    assert sorted(map(tuple, rows)) == [
        ("Chrome", "120", "Windows", "desktop"),
        ("Mobile Safari", "17", "iOS", "mobile"),
    ]


@pytest.mark.parametrize(
    "url", ["not a url", "https://", "/relative/path", "javascript:alert(1)", "ftp://a.example/"]
)
def test_bad_page_urls_are_dropped(client, session, url):  # 15
    assert post_hit(client, payload("hit_load", u=url)).status_code == 204
    assert count(session, Hit) == 0


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://WWW.Example.COM/Blog/Post/", "/Blog/Post"),  # 16, 17
        ("https://example.com", "/"),
        ("https://example.com/a/?secret=1#frag", "/a"),
    ],
)
def test_source_and_path(client, session, url, path):  # 16, 17
    assert post_hit(client, payload("hit_load", u=url)).status_code == 204
    hit = only_hit(session)
    assert session.get(Source, hit.source_id).key == "https://example.com"
    assert hit.path == path


def test_utm_tags_only_and_empty_ones_are_null(client, session):  # 18
    url = "https://example.com/?utm_source=news&utm_medium=&x=1&utm_content=c"
    assert post_hit(client, payload("hit_load", u=url)).status_code == 204
    hit = only_hit(session)
    assert (hit.utm_source, hit.utm_medium, hit.utm_campaign) == ("news", None, None)
    assert "x=1" not in json.dumps([str(v) for v in hit.__dict__.values()])


@pytest.mark.parametrize(
    ("referrer", "host", "group"),
    [
        ("https://www.shop.example.com/cart", None, None),  # 19: same site after www/case
        ("https://SHOP.example.com/", None, None),
        ("https://www.google.com/search?q=x", "google.com", "search"),  # 20
        ("https://t.co/AbCdEf", "t.co", "social"),
        ("https://somet.com/t.co", "somet.com", None),
        ("https://fox.com/x.com", "fox.com", None),
        ("https://mail.google.com/mail/u/0/", "mail.google.com", "email"),
        ("https://blog.example.org/post?id=7", "blog.example.org", None),
        ("", None, None),
        ("not a url", None, None),
    ],
)
def test_referrers(client, session, referrer, host, group):  # 19, 20
    assert post_hit(client, payload("hit_load", r=referrer)).status_code == 204
    hit = only_hit(session)
    assert (hit.referrer_host, hit.referrer_group) == (host, group)


@pytest.mark.parametrize(
    ("header", "language"), [("en-US,en;q=0.9", "en"), ("*", None), (None, None)]
)
def test_language(client, session, header, language):  # 21
    headers = {"Accept-Language": header} if header else {}
    if header is None:
        # The test client sends no Accept-Language unless told; post_hit adds one.
        body = json.dumps(payload("hit_load"))
        from tests.conftest import CHROME_UA

        client.post(
            "/track/hit", data=body, content_type="text/plain", headers={"User-Agent": CHROME_UA}
        )
    else:
        post_hit(client, payload("hit_load"), headers=headers)
    assert only_hit(session).language == language


@pytest.mark.parametrize(
    ("zone", "country"),
    [
        ("Asia/Calcutta", "IN"),
        ("Africa/Accra", "GH"),
        ("US/Eastern", "US"),
        ("Mars/Olympus_Mons", None),
        (None, None),
    ],
)
def test_country_from_timezone(client, session, zone, country):  # 22
    assert post_hit(client, payload("hit_load", t=zone)).status_code == 204
    assert only_hit(session).country == country


def test_oversized_body_is_413(client, session):  # 23
    body = payload("hit_custom", d={"k": "v" * 20000})
    assert post_hit(client, body).status_code == 413
    assert count(session, Hit) == 0


BAD_BODIES = [
    pytest.param('{"u": "https://a.example/"}', id="missing-beacon"),  # 23
    pytest.param('{"b": "b1"}', id="missing-url"),  # 23
    pytest.param('{"b": "  ", "u": "https://a.example/"}', id="blank-beacon"),
    pytest.param('{"b": "b", "u": "https://a.example/", "e": "<script>"}', id="unknown-kind"),
    pytest.param('{"b": "b", "u": "https://a.example/", "e": "custom"}', id="custom-no-name"),
    pytest.param('{"b": "b", "u": "https://a.example/", "m": "<svg>"}', id="duration-junk"),
    pytest.param('{"b": "b", "u": "https://a.example/", "q": "<b>"}', id="flag-junk"),
    pytest.param('{"b": "b", "u": "https://a.example/", "d": ["<x>"]}', id="meta-list"),
    pytest.param("{not json <script>", id="malformed"),
    pytest.param(b"\xff\xfe\x00garbage", id="not-utf8"),
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_bodies_are_400_without_echo(client, session, body):
    response = post_hit(client, body)
    assert response.status_code == 400
    assert response.data == b"bad request\n"
    assert count(session, Hit) == 0


def test_unknown_fields_are_dropped(client, session):
    assert post_hit(client, payload("hit_load", zz_future={"x": 1})).status_code == 204
    assert count(session, Hit) == 1


def test_long_values_are_cut_with_a_marker(client, session):  # 24
    url = "https://example.com/" + "p" * 1500 + "?utm_source=" + "s" * 300
    body = payload("hit_custom", u=url, b="b" * 300, n="n" * 300)
    # 40 short entries and a long one: 32 x 1 KiB would not fit in the 16 KiB body cap.
    body["d"] = {"long": "v" * 1100} | {f"k{i:02}": "v" for i in range(40)}
    assert post_hit(client, body).status_code == 204
    hit = only_hit(session)
    for value, limit in (
        (hit.beacon, 256),
        (hit.event_name, 256),
        (hit.utm_source, 256),
        (hit.path, 1024),
    ):
        assert value.endswith("…") and len(value.encode()) <= limit
    assert len(hit.meta) == 32
    assert hit.meta["long"].endswith("…") and len(hit.meta["long"].encode()) == 1024


@pytest.mark.parametrize(("session_id", "stored"), [("   ", None), ("", None), (" s1 ", "s1")])
def test_session_id(client, session, session_id, stored):  # 25
    assert post_hit(client, payload("hit_load", i=session_id)).status_code == 204
    assert only_hit(session).session_id == stored


@pytest.mark.parametrize(
    ("duration", "stored"),
    [(1234, 1234), (0, 0), (1234.6, 1235), (86_400_000, 86_400_000)],
)
def test_unload_durations(client, session, duration, stored):  # 26
    assert post_hit(client, payload("hit_unload", m=duration)).status_code == 204
    assert only_hit(session).duration_ms == stored


@pytest.mark.parametrize("duration", [-5, 86_400_001, 10**12, None])
def test_negative_absurd_or_missing_durations_drop_the_unload(client, session, duration):
    # Decision: an unload exists only to carry its duration, so without a sane one (0..24 h)
    # nothing is stored; a row with a null duration would count in no statistic.
    assert post_hit(client, payload("hit_unload", m=duration)).status_code == 204
    assert count(session, Hit) == 0


def test_duration_is_ignored_on_loads(client, session):
    assert post_hit(client, payload("hit_load", m=5000)).status_code == 204
    assert only_hit(session).duration_ms is None


def test_metadata_is_flat_scrubbed_and_only_on_custom_events(client, session):
    body = payload("hit_custom", d={"email": "jane@example.org", "nested": {"a": 1}, "n": 3})
    assert post_hit(client, body).status_code == 204
    meta = only_hit(session).meta
    assert meta["n"] == "3" and "nested" not in meta
    assert "jane@example.org" not in json.dumps(meta)


def test_auto_registration_and_its_cap(make_app):  # 29
    # Deviation: past the cap the reference stores events without a source; ours drops them,
    # as for exceptions (an event needs a project, and a new source is what makes one).
    app = make_app(ingest__auto_register_cap=2)
    client = app.test_client()
    for host in ("a.example", "b.example", "c.example", "a.example"):
        assert post_hit(client, payload("hit_load", u=f"https://{host}/")).status_code == 204
    with app.extensions["faultline.sessionmaker"]() as session:
        sources = session.scalars(select(Source).order_by(Source.key)).all()
        assert [(s.key, s.kind, s.auto_registered) for s in sources] == [
            ("https://a.example", "web", True),
            ("https://b.example", "web", True),
        ]
        assert count(session, Hit) == 3


def test_hits_and_exceptions_share_a_source(client, session):
    assert post_hit(client, payload("hit_load")).status_code == 204
    assert post_exception(client, payload("chrome_typeerror")).status_code == 204
    assert count(session, Source) == 1
    hit, event = only_hit(session), session.scalars(select(ExceptionEvent)).one()
    assert (hit.project_id, hit.source_id) == (event.project_id, event.source_id)


def test_host_allow_list(make_app):
    app = make_app(ingest__allowed_hosts=["*.example.com"])
    client = app.test_client()
    assert post_hit(client, payload("hit_load")).status_code == 204
    assert post_hit(client, payload("hit_load", u="https://evil.test/")).status_code == 204
    with app.extensions["faultline.sessionmaker"]() as session:
        assert [s.key for s in session.scalars(select(Source))] == ["https://shop.example.com"]


def test_one_rate_limit_bucket_for_all_of_track(make_app):  # 30
    client = make_app(ratelimit__tracking_per_minute=3).test_client()
    statuses = [
        post_hit(client, payload("hit_load")).status_code,
        client.get("/track/ping").status_code,
        post_exception(client, payload("stackless")).status_code,
        post_hit(client, payload("hit_load")).status_code,
        client.get("/track/ping").status_code,
    ]
    assert statuses == [204, 200, 204, 429, 429]
    limited = post_hit(client, payload("hit_load"))
    assert limited.data == b"too many requests\n" and "Retry-After" in limited.headers
