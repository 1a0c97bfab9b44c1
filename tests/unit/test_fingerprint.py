"""Grouping: what lands in one group, what does not, and the readable basis."""

import random
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import fingerprint as fp
from app.core.frames import Frame
from app.core.stacktrace import parse_stack
from tests.unit.fingerprinting import STACKS, frame, stack


def test_shape():
    result = fp.compute("TypeError", "x is undefined", stack("chrome_15"))
    assert fp.FINGERPRINT_VERSION == 3
    assert result.version == 3
    assert len(result.hash) == 64
    int(result.hash, 16)
    assert result.basis == [
        "type:TypeError",
        "frame:to/file.js:bar",
        "message:Cannot access properties of undefined",
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
    assert chrome.basis == [
        "type:TypeError",
        "frame:assets/app.js:lineTotal",
        "message:Cannot access property price of undefined",
    ]


def test_line_and_column_never_count():
    a = [
        frame("fetchCart", "https://a.example/app.js", 1, 1),
        frame("init", "https://a.example/x.js"),
    ]
    b = [
        frame("fetchCart", "https://a.example/app.js", 90, 7),
        frame("init", "https://a.example/x.js"),
    ]
    assert fp.compute("Error", "m", a).hash == fp.compute("Error", "m", b).hash


def test_different_function_is_a_different_group():
    a = [frame("lineTotal", "https://a.example/app.js")]
    b = [frame("lineSubtotal", "https://a.example/app.js")]
    assert fp.compute("TypeError", "m", a).hash != fp.compute("TypeError", "m", b).hash


def test_different_type_is_a_different_group():
    frames = [frame("f", "https://a.example/app.js")]
    assert fp.compute("TypeError", "m", frames).hash != fp.compute("RangeError", "m", frames).hash


def test_an_application_message_does_not_count_when_the_throw_site_is_named():
    # Its words may be data (a slug, a name) that would split one bug.
    frames = [frame("loadStock", "https://a.example/app.js")]
    a = fp.compute("StockError", "No stock for sku blue-linen-shirt-m", frames)
    assert a == fp.compute("StockError", "No stock for sku navy-wool-coat-xl", frames)
    assert a.basis == ["type:StockError", "frame:app.js:loadStock"]


def test_a_canonical_engine_message_tells_two_faults_of_one_function_apart():
    frames = [frame("renderOrders", "https://a.example/app.js")]
    a = fp.compute("TypeError", "data.map is not a function", frames)
    b = fp.compute("TypeError", "Cannot read properties of undefined (reading 'total')", frames)
    assert a.hash != b.hash
    assert a.basis[-1] == "message:map is not a function"


def test_an_unknown_engine_wording_does_not_count_when_the_throw_site_is_named():
    # An engine wording we have no canonical form for would split one bug by browser.
    frames = [frame("sortKeys", "https://a.example/app.js")]
    a = fp.compute("TypeError", "Cannot convert undefined or null to object", frames)
    b = fp.compute("TypeError", "can't convert undefined to object", frames)
    assert a == b
    assert a.basis == ["type:TypeError", "frame:app.js:sortKeys"]


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
    assert result.basis == ["type:Error", "message:User <id> not found at <ip>"]


def test_recursion_is_collapsed():
    frames = stack("python_recursion")
    assert len(frames) == 5
    result = fp.compute("RecursionError", "maximum recursion depth exceeded", frames)
    assert result.basis == ["type:RecursionError", "frame:opt/tools/walk.py:walk"]
    shallower = frames[:2] + frames[3:]
    assert fp.compute("RecursionError", "x", shallower).hash == result.hash


def test_stack_overflow_in_a_cycle_is_one_group_whichever_member_is_on_top():
    def cycle(top: int, depth: int) -> list[Frame]:
        names = ("resolveCategory", "resolveParent")
        return [frame(names[(top + i) % 2], "https://a.example/app.js") for i in range(depth)]

    chrome = fp.compute("RangeError", "Maximum call stack size exceeded", cycle(0, 10))
    firefox = fp.compute("InternalError", "too much recursion", cycle(1, 50))
    safari = fp.compute("RangeError", "Maximum call stack size exceeded.", cycle(1, 50))
    assert chrome.hash == firefox.hash == safari.hash
    assert chrome.basis == [
        "type:RangeError",
        "frame:app.js:resolveCategory",
        "frame:app.js:resolveParent",
        "message:Maximum call stack size exceeded",
    ]


def test_node_modules_frames_excluded_when_app_frames_exist():
    result = fp.compute("TypeError", "m", stack("node_20_express"))
    assert result.basis == ["type:TypeError", "frame:srv/app/src/routes/users.js:getUser"]


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
    assert result.basis == ["type:Error", "frame:npm/jquery/dist/jquery.js:dispatch"]


def test_only_the_throw_site_counts():
    # Safari keeps no frame past an `await` and leaves out callers that made a tail call;
    # Chrome prints ten frames. Only the throw site is in every engine's stack.
    frames = [frame(name, "https://a.example/app.js") for name in ("confirmOrder", "submit")]
    chrome = [*frames, frame("onPlaceOrder", "https://a.example/app.js")]
    assert (
        fp.compute("PaymentError", "m", chrome).hash
        == fp.compute("PaymentError", "m", frames[:1]).hash
    )


def test_frames_without_module_or_function_fall_back_to_message():
    frames = [frame(None, "blob:https://a.example/1234"), frame("?", "[native code]")]
    result = fp.compute("Error", "boom 42", frames)
    assert result.basis == ["type:Error", "message:boom <id>"]


def test_an_anonymous_throw_site_counts_its_first_named_caller():
    # Firefox names the closure `renderCart/<`, Chrome and Safari leave it anonymous, and
    # Safari drops it altogether when it ends in a tail call (`item => format(item)`).
    frames = [
        frame(None, "https://a.example/assets/app.3f9a2c1e.js"),
        frame("Array.map", "<anonymous>", in_app=False),
        frame("renderCart", "https://a.example/assets/app.3f9a2c1e.js"),
    ]
    result = fp.compute("TypeError", "Cannot read properties of null (reading 'price')", frames)
    assert result.basis == [
        "type:TypeError",
        "frame:assets/app.js:renderCart",
        "message:Cannot access property price of null",
    ]
    safari = "null is not an object (evaluating 'item.price')"
    assert fp.compute("TypeError", safari, frames[2:]) == result


def test_without_any_named_frame_the_throwing_bundle_and_the_message_count():
    frames = [
        frame(None, "https://a.example/static/js/main.3f9a2c1e.js"),
        frame("<anonymous>", "https://a.example/x.js"),
    ]
    result = fp.compute("ApiError", "Request 1234 failed", frames)
    assert result.basis == [
        "type:ApiError",
        "frame:static/js/main.js:",
        "message:Request <id> failed",
    ]


def test_the_error_class_constructor_frame_does_not_count():
    # SpiderMonkey and JavaScriptCore list `PaymentError` (a class extending Error) on top;
    # V8 starts at the `throw`.
    chunk = "https://shop.example.com/static/js/chunk-5H2JK7.js"
    chrome = [frame("CheckoutService.submit", chunk, 20, 13)]
    firefox = [frame("PaymentError", chunk, 12, 5), frame("submit", chunk, 20, 13)]
    base = [frame("AppError", chunk, 3, 5), *firefox]
    message = "Card declined for order 48214"
    result = fp.compute("PaymentError", message, chrome)
    assert result == fp.compute("PaymentError", message, firefox)
    assert result == fp.compute("PaymentError", message, base)
    assert result.basis == ["type:PaymentError", "frame:static/js/chunk.js:submit"]


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
