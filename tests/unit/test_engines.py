"""Which engine a browser runs, from real User-Agents, and where each engine starts a stack."""

import csv
from pathlib import Path

import pytest

from app.core import fingerprint as fp
from app.core.engines import GECKO, JSC, V8, event_engine, from_throw_site, js_engine
from app.core.stacktrace import parse_stack
from app.core.useragent import classify

ROWS = list(csv.DictReader((Path(__file__).parent.parent / "fixtures" / "useragents.csv").open()))
# ua-parser's (browser, OS) families -> the engine. Every browser on iOS is WebKit's.
ENGINES = {
    ("Chrome", "Windows"): V8,
    ("Chrome", "Mac OS X"): V8,
    ("Chrome Mobile", "Android"): V8,
    ("Chrome Mobile iOS", "iOS"): JSC,
    ("Edge", "Windows"): V8,
    ("Firefox", "Linux"): GECKO,
    ("Firefox", "Windows"): GECKO,
    ("Firefox Mobile", "Android"): GECKO,
    ("Firefox iOS", "iOS"): JSC,
    ("HeadlessChrome", "Linux"): V8,
    ("IE", "Windows"): None,
    ("Mobile Safari", "iOS"): JSC,
    ("Opera", "Windows"): V8,
    ("Safari", "Mac OS X"): JSC,
    ("Samsung Internet", "Android"): V8,
    ("curl", "Other"): None,
}
CASES = [r for r in ROWS if (r["browser"], r["os"]) in ENGINES]


def test_every_engine_is_among_the_user_agents():
    assert {ENGINES[r["browser"], r["os"]] for r in CASES} == {V8, GECKO, JSC, None}


@pytest.mark.parametrize("row", CASES, ids=[f"{r['browser']}-{r['os']}" for r in CASES])
def test_engine_of_a_real_user_agent(row):
    agent = classify(row["ua"])
    assert js_engine(agent.browser, agent.os) == ENGINES[row["browser"], row["os"]]


def test_a_server_sdk_event_has_no_browser_engine():
    assert event_engine("python", "Firefox", "Linux") is None
    assert event_engine(None, "Firefox", "Linux") == GECKO  # the tracker: no platform
    assert event_engine("javascript", "Mobile Safari", "iOS") == JSC


# `throw new CouponError(...)` in minified code (class `h`, thrower `M`), as each engine starts
# the stack: SpiderMonkey and JavaScriptCore inside the constructor, V8 at the `new`.
V8_STACK = """CouponError: Coupon SPRING expired
    at M (https://shop.example.com/assets/app-G7VZBBAR.js:1:2267)
    at q (https://shop.example.com/assets/app-G7VZBBAR.js:1:4447)"""
GECKO_STACK = """h@https://shop.example.com/assets/app-G7VZBBAR.js:1:1104
M@https://shop.example.com/assets/app-G7VZBBAR.js:1:2267
q@https://shop.example.com/assets/app-G7VZBBAR.js:1:4448
"""
# A class with no constructor of its own: JavaScriptCore names it with no location.
JSC_STACK = """h@
M@https://shop.example.com/assets/app-G7VZBBAR.js:1:2272
q@https://shop.example.com/assets/app-G7VZBBAR.js:1:4452
"""


@pytest.mark.parametrize(("engine", "stack"), [(GECKO, GECKO_STACK), (JSC, JSC_STACK)])
def test_the_constructor_frame_of_a_page_class_is_left_out(engine, stack):
    frames = parse_stack(stack)
    assert [f.function for f in from_throw_site(frames, "CouponError", engine)] == ["M", "q"]
    chrome = fp.compute("CouponError", "Coupon SPRING expired", parse_stack(V8_STACK), None, V8)
    other = fp.compute("CouponError", "Coupon WINTER expired", frames, None, engine)
    assert other.hash == chrome.hash


@pytest.mark.parametrize(
    ("exc_type", "engine"),
    [
        ("TypeError", GECKO),  # the engine's own: no constructor of the page runs
        ("AbortError", JSC),  # a DOMException's name
        ("NS_ERROR_FAILURE", GECKO),  # an XPCOM code, not a class
        ("CouponError", V8),  # V8 starts at the `new` already
        ("CouponError", None),  # engine unknown: keep what was reported
    ],
)
def test_other_stacks_keep_their_top_frame(exc_type, engine):
    frames = parse_stack(GECKO_STACK)
    assert from_throw_site(frames, exc_type, engine) == frames


def test_a_named_top_frame_is_kept():
    # Unminified, the constructor is known by its name (grouping skips `CouponError@` itself);
    # any other named frame is the thrower.
    frames = parse_stack(GECKO_STACK.replace("h@", "applyCoupon@"))
    assert from_throw_site(frames, "CouponError", GECKO) == frames
