"""Grouping: what lands in one group, what does not, and the readable basis."""

import random
import uuid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import fingerprint as fp
from app.core.frames import Frame
from app.core.stacktrace import parse_stack

STACKS = Path(__file__).parent.parent / "fixtures" / "stacks"


def stack(name: str) -> list[Frame]:
    return parse_stack((STACKS / f"{name}.txt").read_text())


def frame(function, filename, lineno=1, colno=1, in_app=True) -> Frame:
    return Frame(function, filename, lineno, colno, in_app)


def test_shape():
    result = fp.compute("TypeError", "x is undefined", stack("chrome_15"))
    assert fp.FINGERPRINT_VERSION == 1
    assert result.version == 1
    assert len(result.hash) == 64
    int(result.hash, 16)
    assert result.basis == [
        "type:TypeError",
        "frame:to/file.js:bar",
        "frame:to/file.js:foo",
        "frame:to/file.js:",
    ]


def test_same_bug_across_two_deploys_is_one_group():
    before = stack("chrome_120_production")
    text = (STACKS / "chrome_120_production.txt").read_text()
    # The next deploy: new bundle hash, every line and column shifted.
    after_text = text.replace("app.3f9a2c1e.js", "app.9b81d0f4.js").replace(":1:2", ":1:3")
    after = parse_stack(after_text)
    assert [f.filename for f in before] != [f.filename for f in after]
    message = "Cannot read properties of undefined (reading 'price')"
    assert fp.compute("TypeError", message, before) == fp.compute("TypeError", message, after)


def test_same_bug_in_chrome_firefox_and_safari_is_one_group():
    chrome = fp.compute(
        "TypeError",
        "Cannot read properties of undefined (reading 'price')",
        stack("chrome_120_production"),
    )
    firefox = fp.compute(
        "TypeError",
        'can\'t access property "price", e is undefined',
        stack("firefox_120_production"),
    )
    safari = fp.compute(
        "TypeError",
        "undefined is not an object (evaluating 'e.price')",
        stack("safari_17_production"),
    )
    assert chrome.hash == firefox.hash == safari.hash
    assert chrome.basis[1:3] == ["frame:assets/app.js:lineTotal", "frame:assets/app.js:"]


def test_line_and_column_never_count():
    a = [frame("f", "https://a.example/app.js", 1, 1), frame("g", "https://a.example/app.js", 2, 2)]
    b = [frame("f", "https://a.example/app.js", 90, 7), frame("g", "https://a.example/app.js", 3)]
    assert fp.compute("Error", "m", a).hash == fp.compute("Error", "m", b).hash


def test_different_function_is_a_different_group():
    a = [frame("lineTotal", "https://a.example/app.js")]
    b = [frame("lineSubtotal", "https://a.example/app.js")]
    assert fp.compute("TypeError", "m", a).hash != fp.compute("TypeError", "m", b).hash


def test_different_type_is_a_different_group():
    frames = [frame("f", "https://a.example/app.js")]
    assert fp.compute("TypeError", "m", frames).hash != fp.compute("RangeError", "m", frames).hash


def test_message_does_not_count_when_frames_do():
    frames = [frame("f", "https://a.example/app.js")]
    assert fp.compute("E", "user 1 failed", frames) == fp.compute("E", "totally different", frames)


def test_thousand_ids_without_frames_is_one_group():
    rng = random.Random(7)
    messages = {
        f"Order {rng.randrange(10**8, 10**9)} for user_{rng.randrange(10, 10**6)} "
        f"(session {uuid.UUID(int=rng.getrandbits(128))}, trace {rng.getrandbits(64):016x}) "
        f"from 10.0.{rng.randrange(256)}.{rng.randrange(256)} at 2026-11-{rng.randrange(10, 29)}"
        f"T12:{rng.randrange(10, 60)}:00Z not found: '{rng.random()}' <{i}@bots.example>"
        for i in range(1000)
    }
    assert len(messages) == 1000
    hashes = {fp.compute("NotFoundError", message, []).hash for message in messages}
    assert len(hashes) == 1


def test_no_frames_uses_type_and_normalised_message():
    result = fp.compute("  ", "User 1234 not found at 10.0.0.1\nsecond line", [])
    assert result.basis == ["type:Error", "message:User <num> not found at <ip>"]


def test_recursion_is_collapsed():
    frames = stack("python_recursion")
    assert len(frames) == 5
    result = fp.compute("RecursionError", "maximum recursion depth exceeded", frames)
    assert result.basis == [
        "type:RecursionError",
        "frame:opt/tools/walk.py:walk",
        "frame:<stdin>:<module>",
    ]
    shallower = frames[:2] + frames[3:]
    assert fp.compute("RecursionError", "x", shallower).hash == result.hash


def test_node_modules_frames_excluded_when_app_frames_exist():
    result = fp.compute("TypeError", "m", stack("node_20_express"))
    assert result.basis == [
        "type:TypeError",
        "frame:srv/app/src/routes/users.js:getUser",
        "frame:srv/app/src/main.mjs:main",
    ]


def test_all_frames_used_when_none_is_in_app():
    frames = [
        frame(
            "dispatch", "https://cdn.jsdelivr.net/npm/jquery@3.7.1/dist/jquery.min.js", in_app=False
        ),
        frame("Array.map", "<anonymous>", in_app=False),
        frame(
            "handle", "https://cdn.jsdelivr.net/npm/jquery@3.7.1/dist/jquery.min.js", in_app=False
        ),
    ]
    result = fp.compute("Error", "m", frames)
    assert result.basis == [
        "type:Error",
        "frame:npm/jquery/dist/jquery.js:dispatch",
        "frame:npm/jquery/dist/jquery.js:handle",
    ]


def test_only_the_top_five_frames_count():
    frames = [frame(f"f{i}", "https://a.example/app.js") for i in range(10)]
    result = fp.compute("Error", "m", frames)
    assert len(result.basis) == 1 + 5
    changed = [*frames[:5], frame("other", "https://a.example/app.js")]
    assert fp.compute("Error", "m", changed).hash == result.hash


def test_frames_without_module_or_function_fall_back_to_message():
    frames = [frame(None, "blob:https://a.example/1234"), frame("?", "[native code]")]
    result = fp.compute("Error", "boom 42", frames)
    assert result.basis == ["type:Error", "message:boom <num>"]


@pytest.mark.parametrize("marker", ["{{ default }}", "{{default}}", " {{  default  }} "])
def test_override_default_alone_equals_default(marker):
    frames = stack("chrome_15")
    assert fp.compute("E", "m", frames, [marker]).hash == fp.compute("E", "m", frames).hash


def test_override_with_default_and_extra_part():
    a, b = stack("chrome_15"), stack("firefox_31_nested")
    plain_a = fp.compute("E", "m", a)
    tenant_a = fp.compute("E", "m", a, ["{{ default }}", "tenant-1"])
    assert tenant_a.hash != plain_a.hash
    assert tenant_a.basis == [*plain_a.basis, "tenant-1"]
    assert tenant_a.hash != fp.compute("E", "m", b, ["{{ default }}", "tenant-1"]).hash
    assert tenant_a.hash != fp.compute("E", "m", a, ["{{ default }}", "tenant-2"]).hash


def test_override_without_default_ignores_the_stack():
    a = fp.compute("TypeError", "x", stack("chrome_15"), ["checkout-flaky"])
    b = fp.compute("RangeError", "y", stack("safari_8_eval"), ["checkout-flaky"])
    assert a.hash == b.hash
    assert a.basis == ["checkout-flaky"]
    assert fp.compute("E", "m", [], ["a b"]).hash != fp.compute("E", "m", [], ["a", "b"]).hash


def test_empty_override_is_no_override():
    frames = stack("chrome_15")
    assert fp.compute("E", "m", frames, []).hash == fp.compute("E", "m", frames, None).hash


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
    ],
)
def test_normalise_function(name, expected):
    assert fp.normalise_function(name) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("User 1234 not found at 10.0.0.1", "User <num> not found at <ip>"),
        ("mail bob.smith+x@example.co.uk failed", "mail <email> failed"),
        ("GET https://api.example.com/v1/users/42?x=1 failed", "GET <url> failed"),
        ("id 550e8400-e29b-41d4-a716-446655440000", "id <uuid>"),
        ("commit 3f9a2c1d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b", "commit <hex>"),
        ("ptr 0x7ffee4b1 and deadbeef12", "ptr <hex> and <hex>"),
        ("deploy 3f9a2c1 failed, defaced 1234567", "deploy <hex> failed, defaced <num>"),
        ("trace 12345678 vs 00ab12cd", "trace <hex> vs <hex>"),
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
        ("user123 v2 utf8 3.14 -5", "user<num> v2 utf8 <num> -<num>"),
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


@settings(deadline=None, max_examples=200)
@given(st.text(), st.text(), st.text())
def test_compute_never_raises(exc_type, message, stack_text):
    result = fp.compute(exc_type, message, parse_stack(stack_text))
    assert len(result.hash) == 64


def test_title():
    assert fp.title("TypeError", "x is undefined\nmore") == "TypeError: x is undefined"
    assert fp.title("", "") == "Error"
    long = fp.title("E", "x" * 500)
    assert len(long) == 200
    assert long.endswith("…")


def test_culprit():
    assert fp.culprit(stack("chrome_120_production")) == "lineTotal (assets/app.js)"
    assert fp.culprit(stack("chrome_15")) == "bar (to/file.js)"
    assert fp.culprit([frame(None, "https://a.example/x.3f9a2c1d.js")]) == "x.js"
    assert fp.culprit([frame("f", None)]) == "f"
    assert fp.culprit([frame("f", "native", in_app=False)]) is None
    assert fp.culprit([]) is None
