"""Hostile input on public ingest: whatever arrives, the answer is a 2xx or a clear 4xx."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import payload, post_exception, post_hit
from tests.served import free_port

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=300)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner, max_size=4)
    ),
    max_leaves=10,
)
urls = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda host, path: f"https://{host}/{path}",
        st.from_regex(r"[a-z0-9.\-]{1,30}", fullmatch=True),
        st.text(max_size=100),
    ),
)
stacks = st.one_of(
    st.text(max_size=2000),
    st.lists(
        st.sampled_from(
            [
                "    at f (https://a.example/app.js:1:2)",
                "g@https://a.example/x.js:3:4",
                "@:::",
                "    at (((((",
                "    at async <anonymous>",
                "[native code]",
                '  File "x.py", line 9, in y',
            ]
        ),
        max_size=60,
    ).map("\n".join),
)
reports = st.fixed_dictionaries(
    {"u": urls, "ty": st.one_of(st.text(max_size=50), values), "m": st.one_of(st.text(), values)},
    optional={
        "s": st.one_of(stacks, values),
        "h": values,
        "b": values,
        "i": values,
        "v": values,
        "fp": values,
        "d": values,
        # window._sentryDebugIds as a page may hold it, or anything else
        "di": st.one_of(
            values,
            st.dictionaries(st.one_of(stacks, urls, st.text(max_size=80)), values, max_size=8),
        ),
        "extra": values,
    },
)
hits = st.fixed_dictionaries(
    {"b": st.one_of(st.text(max_size=50), values), "u": urls},
    optional={
        "e": st.one_of(st.sampled_from(["load", "unload", "custom"]), values),
        "i": values,
        "r": st.one_of(urls, values),
        "q": values,
        "p": values,
        "t": st.one_of(st.sampled_from(["Europe/Berlin", "US/Eastern", "Mars/X"]), values),
        "m": st.one_of(st.integers(), st.floats(), values),
        "n": values,
        "d": values,
        "extra": values,
    },
)
# Header values a client can really send: Latin-1 text without line breaks.
header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=200,
)
headers = st.fixed_dictionaries(
    {}, optional={"Accept-Language": header_text, "User-Agent": header_text}
)
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(body=reports)
def test_structured_garbage_never_500(client, body):
    response = post_exception(client, json.dumps(body))
    assert response.status_code in (204, 400), response.status_code


@SETTINGS
@given(raw=st.binary(max_size=3000))
def test_raw_bytes_never_500(client, raw):
    response = post_exception(client, raw)
    assert response.status_code in (204, 400)


@SETTINGS
@given(body=hits, extra=headers)
def test_structured_garbage_on_hits_never_500(client, body, extra):
    response = post_hit(client, json.dumps(body), headers=extra)
    assert response.status_code in (204, 400), response.status_code


@SETTINGS
@given(raw=st.binary(max_size=3000))
def test_raw_bytes_on_hits_never_500(client, raw):
    assert post_hit(client, raw).status_code in (204, 400)


def test_nul_characters_are_stored_not_a_500(client):
    # PostgreSQL refuses NUL in text; JSON can carry one as \u0000 in any string.
    hit = payload("hit_custom", b="a\x00b", i="s\x00", n="n\x00", d={"k\x00": "v\x00"})
    assert post_hit(client, hit).status_code == 204
    report = payload("chrome_typeerror", m="a\x00b", ty="Type\x00Error", b="x\x00")
    assert post_exception(client, report).status_code == 204


def test_database_down_is_503_with_retry_after(make_app):
    app = make_app(database__url=f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    body = json.dumps({"u": "https://a.example/", "ty": "Error", "m": "boom"})
    response = post_exception(app.test_client(), body)
    assert response.status_code == 503
    assert 1 <= int(response.headers["Retry-After"]) <= 30
    hit = post_hit(app.test_client(), {"b": "b", "u": "https://a.example/", "e": "load"})
    assert hit.status_code == 503 and "Retry-After" in hit.headers
