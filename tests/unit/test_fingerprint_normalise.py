"""Normalising what grouping reads: module paths, function names and messages."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import fingerprint as fp


@pytest.mark.parametrize(
    ("filename", "module"),
    [
        ("https://example.com/static/js/app.3f9a2c1.js", "static/js/app.js"),
        ("https://example.com/static/js/app.3f9a2c1.min.js", "static/js/app.js"),
        ("https://example.com/app.min.js?v=1#x", "app.js"),
        ("https://example.com/assets/main-5H2JK7QX.js", "assets/main.js"),
        ("https://example.com/chunk-5H2JK7.js", "chunk.js"),
        ("https://example.com/app.abcdef12.chunk.js", "app.chunk.js"),
        ("https://example.com/assets/index-DiwrgTda.js", "assets/index.js"),
        ("https://example.com/vendor.d1cae9cfc9917df88de7.js", "vendor.js"),
        ("https://example.com/cd351f7250857e22ceaa.worker.js", "<hash>.worker.js"),
        ("https://example.com/v1.2.3/app.js", "app.js"),
        ("https://example.com/1.2.3/lib/app.js", "lib/app.js"),
        ("https://cdn.jsdelivr.net/npm/lodash@4.17.21/lodash.min.js", "npm/lodash/lodash.js"),
        ("https://code.jquery.com/jquery-3.7.1.min.js", "jquery.js"),
        ("https://example.com/main-es2015.3f9a2c1d.js", "main-es2015.js"),
        (
            "https://example.com/_next/static/chunks/pages/_app-1a2b3c4d5e6f7a8b.js",
            "_next/static/chunks/pages/_app.js",
        ),
        (
            "https://example.com/_next/static/Xb8k-2cD1e_f3gH4iJ5kL6/_buildManifest.js",
            "_next/static/_buildManifest.js",
        ),
        ("https://example.com/react-dom.production.min.js", "react-dom.production.js"),
        ("https://example.com/static/js/2.8f7e6d5c.chunk.js", "static/js/2.chunk.js"),
        ("webpack:///./src/App.js", "src/App.js"),
        ("webpack-internal:///./src/components/Foo.tsx", "src/components/Foo.tsx"),
        ("/srv/shop/.venv/lib/python3.11/site-packages/flask/app.py", "flask/app.py"),
        ("/srv/app/node_modules/express/lib/router/layer.js", "express/lib/router/layer.js"),
        ("C:\\Users\\me\\app\\file.js", "Users/me/app/file.js"),
        ("blob:https://example.com/6d5e8b3c-1f2a-4b5c-8d9e-0f1a2b3c4d5e", None),
        ("<data:application/javascript>", None),
        ("[native code]", None),
        ("<anonymous>", None),
        ("https://example.com/", None),
        (None, None),
        ("", None),
    ],
)
def test_normalise_module(filename, module):
    assert fp.normalise_module(filename) == module


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("HTMLButtonElement.onclick", "onclick"),
        ("g<", None),  # Firefox: a closure in `g`'s initializer
        ("g</n<", None),
        ("Foo.prototype.bar", "bar"),
        ("async fetchUser", "fetchUser"),
        ("new Foo", "Foo"),
        ("Object.d [as add]", "d"),
        ("Layer.handle [as handle_request]", "handle"),
        ("renderCart/<", None),
        ("[2]</Bar.prototype._baz/</<", None),
        ("a/b", "b"),
        ("Object.<anonymous>", None),
        ("I.e.fn.(anonymous function) [as index]", None),
        ("Anonymous function", None),
        ("<anonymous>", None),
        ("?", None),
        ("", None),
        (None, None),
        ("eval", None),
        ("global code", None),
        ("<lambda>", None),
        ("<module>", "<module>"),
        ("compute_total", "compute_total"),
        ("lineTotal$1", "lineTotal"),
        ("get total", "total"),
        ("promise callback*loadCart", "loadCart"),
        ("bound onClick", "onClick"),
        ("module code", None),
        ("$", "$"),
    ],
)
def test_normalise_function(name, expected):
    assert fp.normalise_function(name) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("User 1234 not found at 10.0.0.1", "User <id> not found at <ip>"),
        ("mail bob.smith+x@example.co.uk failed", "mail <email> failed"),
        ("GET https://api.example.com/v1/users/42?x=1 failed", "GET <url> failed"),
        ("id 550e8400-e29b-41d4-a716-446655440000", "id <uuid>"),
        ("commit 3f9a2c1d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b", "commit <id>"),
        ("ptr 0x7ffee4b1 and deadbeef12", "ptr <id> and <id>"),
        ("deploy 3f9a2c1 failed, defaced 1234567", "deploy <id> failed, defaced <id>"),
        ("trace 12345678 vs 00ab12cd vs deadbeef", "trace <id> vs <id> vs <id>"),
        ("order 1234567 then order 12345678", "order <id> then order <id>"),
        ("token 8Kq2ZxP1 for ord_V1StGXR8Z5jd", "token <id> for <id>"),
        (
            "timeout after 30000 ms, 1.5s, 2m30s, 250ms or 3 seconds",
            "timeout after <duration>, <duration>, <duration>, <duration> or <duration>",
        ),
        ("GET api.example.com failed; item.price is 3", "GET <host> failed; item.price is <id>"),
        ("config key=\"blue\" mode='dark'", "config key=<str> mode=<str>"),
        ("release v1.2.3 on Mon, 02 Jan 2026 10:00:00 GMT", "release <num> on <date>"),
        ("at 2024-01-02T03:04:05.123Z then 12:30:45", "at <date> then <date>"),
        ("addr 2001:db8::1 and ::1", "addr <ip> and <ip>"),
        (
            "Cannot read properties of undefined (reading 'price')",
            "Cannot read properties of undefined (reading <str>)",
        ),
        (
            'can\'t access property "price", e is undefined',
            "can't access property <str>, e is undefined",
        ),
        ("got `x` expected `y`", "got <str> expected <str>"),
        ("user123 v2 utf8 h1 3.14 -5", "user<id> v2 utf8 h1 <num> -<id>"),
        ("first line\nsecond 99", "first line"),
        ("  lots   of\twhitespace  ", "lots of whitespace"),
        ("", ""),
    ],
)
def test_normalise_message(message, expected):
    assert fp.normalise_message(message) == expected


def test_random_hex_ids_are_one_group_even_when_all_digits():
    rng = random.Random(3)
    ids = [f"{rng.getrandbits(32):08x}" for _ in range(2000)] + ["12345678", "00000000"]
    hashes = {fp.compute("KeyError", f"no cache entry {i}", []).hash for i in ids}
    assert len(hashes) == 1


def test_normalise_message_on_hostile_input():
    for text in ["a" * 100_000, "1" * 100_000, "'" * 50_000, "a@" * 50_000, "::" * 50_000]:
        assert isinstance(fp.normalise_message(text), str)


@settings(deadline=None, max_examples=300)
@given(st.text())
def test_normalise_message_never_raises(text):
    assert isinstance(fp.normalise_message(text), str)
