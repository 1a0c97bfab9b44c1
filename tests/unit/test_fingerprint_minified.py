"""Grouping minified code: mangled names count only with the build that chose them."""

import pytest

from app.core import fingerprint as fp
from app.core.messages import is_mangled
from app.core.stacktrace import parse_stack
from tests.unit.fingerprinting import frame

# One esbuild build of a storefront (tests/fixtures/minified), as Chromium, Firefox ESR and
# WebKitGTK printed its faults, no source map applied. `u` is `formatMoney`, called by the price
# tag (`j`) and by the receipt (`P`); `S` and `C` read a cart line's image and its length.
APP = "https://shop.example.com/assets/app-G7VZBBAR.js"
MINIFIED = {
    "price-tag": {
        "chromium": (
            "Cannot read properties of undefined (reading 'toFixed')",
            f"TypeError: Cannot read properties of undefined (reading 'toFixed')\n"
            f"    at u ({APP}:1:25)\n    at j ({APP}:1:2148)\n"
            f"    at Array.<anonymous> ({APP}:1:3867)\n    at {APP}:1:5778\n"
            f"    at new Promise (<anonymous>)\n    at Z ({APP}:1:5683)",
        ),
        "firefox": (
            'can\'t access property "toFixed", e is undefined',
            f"u@{APP}:1:23\nj@{APP}:1:2148\nq<@{APP}:1:3868\nZ/<@{APP}:1:5778\nZ@{APP}:1:5683\n",
        ),
        "webkit": (
            "undefined is not an object (evaluating 'e.toFixed')",
            f"u@{APP}:1:24\nj@{APP}:1:2149\n@{APP}:1:5778\nPromise@[native code]\nZ@{APP}:1:5694",
        ),
    },
    "receipt": {
        "chromium": (
            "Cannot read properties of undefined (reading 'toFixed')",
            f"TypeError: Cannot read properties of undefined (reading 'toFixed')\n"
            f"    at u ({APP}:1:25)\n    at P ({APP}:1:1610)\n"
            f"    at Array.<anonymous> ({APP}:1:3917)\n    at {APP}:1:5778",
        ),
        "firefox": (
            'can\'t access property "toFixed", e is undefined',
            f"u@{APP}:1:23\nP@{APP}:1:1610\nq<@{APP}:1:3918\nZ/<@{APP}:1:5778\n",
        ),
        "webkit": (
            "undefined is not an object (evaluating 'e.toFixed')",
            f"u@{APP}:1:24\nP@{APP}:1:1611\n@{APP}:1:5778\nPromise@[native code]",
        ),
    },
    "thumbnail": {
        "chromium": (
            "Cannot read properties of undefined (reading 'url')",
            f"TypeError: Cannot read properties of undefined (reading 'url')\n"
            f"    at S ({APP}:1:433)\n    at Array.<anonymous> ({APP}:1:3673)\n"
            f"    at {APP}:1:5778",
        ),
        "firefox": (
            'can\'t access property "url", e.product.image is undefined',
            f"S@{APP}:1:417\nq<@{APP}:1:3674\nZ/<@{APP}:1:5778\n",
        ),
        "webkit": (
            "undefined is not an object (evaluating 'e.product.image.url')",
            f"S@{APP}:1:432\n@{APP}:1:5778\nPromise@[native code]\nZ@{APP}:1:5694",
        ),
    },
    "badge": {
        "chromium": (
            "Cannot read properties of undefined (reading 'length')",
            f"TypeError: Cannot read properties of undefined (reading 'length')\n"
            f"    at C ({APP}:1:509)\n    at Array.<anonymous> ({APP}:1:3725)\n"
            f"    at {APP}:1:5778",
        ),
        "firefox": (
            'can\'t access property "length", e.lines is undefined',
            f"C@{APP}:1:494\nq<@{APP}:1:3726\nZ/<@{APP}:1:5778\n",
        ),
        "webkit": (
            "undefined is not an object (evaluating 'e.lines.length')",
            f"C@{APP}:1:508\n@{APP}:1:5778\nPromise@[native code]\nZ@{APP}:1:5694",
        ),
    },
}


def minified(bug: str, engine: str, app: str = APP) -> fp.Fingerprint:
    message, text = MINIFIED[bug][engine]
    return fp.compute("TypeError", message, parse_stack(text.replace(APP, app)))


def type_error_groups(message: str, *stacks: list) -> int:
    """How many groups a TypeError with this message makes when thrown with these stacks."""
    return len({fp.compute("TypeError", message, frames).hash for frames in stacks})


@pytest.mark.parametrize("bug", list(MINIFIED))
def test_a_minified_bug_is_one_group_in_every_engine(bug):
    hashes = {minified(bug, engine).hash for engine in ("chromium", "firefox", "webkit")}
    assert len(hashes) == 1


def test_a_minified_throw_site_counts_its_build_its_caller_and_the_property():
    assert minified("price-tag", "webkit").basis == [
        "type:TypeError",
        "frame:assets/app-G7VZBBAR.js:u",
        "frame:assets/app-G7VZBBAR.js:j",
        "message:Cannot access property toFixed of undefined",
    ]


@pytest.mark.parametrize("engine", ["chromium", "firefox", "webkit"])
def test_different_minified_bugs_never_merge(engine):
    # One helper failing for two callers, and two functions whose messages differ only in the
    # property: without the names of this build they were one group.
    hashes = {minified(bug, engine).hash for bug in MINIFIED}
    assert len(hashes) == len(MINIFIED)


def test_the_same_mangled_name_in_another_build_is_another_group():
    # `u` is whatever the next build's minifier chose it for: two builds may split, never merge.
    other = "https://shop.example.com/assets/app-AMZTFRAE.js"
    assert minified("price-tag", "chromium").hash != minified("price-tag", "chromium", other).hash


def test_real_names_in_hashed_bundles_still_group_across_deploys():
    frames = [frame("lineTotal", "https://a.example/assets/app-G7VZBBAR.js", 1, 433)]
    after = [frame("lineTotal", "https://a.example/assets/app-AMZTFRAE.js", 1, 470)]
    message = "Cannot read properties of undefined (reading 'price')"
    assert fp.compute("TypeError", message, frames) == fp.compute("TypeError", message, after)


def test_an_awaiting_caller_does_not_count_below_a_minified_throw_site():
    # V8 and SpiderMonkey print the function that awaited; JavaScriptCore never does.
    chrome = [frame("N", APP, 1, 768), frame("async W", APP, 1, 5994)]
    firefox = [frame("N", APP, 1, 760), frame("async*W", APP, 1, 5994)]
    safari = [frame("N", APP, 1, 767)]
    message = "Cannot read properties of undefined (reading 'length')"
    assert type_error_groups(message, chrome, firefox, safari) == 1


def test_a_name_v8_inferred_for_a_minified_closure_does_not_count():
    # V8 prints `Array.e` for an arrow stored in an array; Firefox says `g<`, Safari nothing.
    chrome = [frame("Array.e", APP, 1, 1834), frame("E", APP, 1, 5399)]
    firefox = [frame("g<", APP, 1, 1801), frame("E", APP, 1, 5399)]
    safari = [frame(None, APP, 1, 1833), frame("E", APP, 1, 5410)]
    message = "Cannot read properties of undefined (reading 'url')"
    assert type_error_groups(message, chrome, firefox, safari) == 1


def test_two_throw_sites_of_one_minified_error_class_stay_apart():
    # Firefox and Safari list the class's constructor (`h`) first: its callers tell them apart.
    a = [frame("h", APP, 1, 1104), frame("M", APP, 1, 2267)]
    b = [frame("h", APP, 1, 1104), frame("O", APP, 1, 1837)]
    message = "Coupon SPRING-63Z expired on 2026-02-28"
    assert fp.compute("CouponError", message, a).hash != fp.compute("CouponError", message, b).hash


def test_short_python_names_are_real_names():
    frames = [frame("f", "/srv/app/util.py"), frame("g", "/srv/app/util.py")]
    assert fp.compute("ValueError", "x", frames).basis == [
        "type:ValueError",
        "frame:srv/app/util.py:f",
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("e", True),
        ("Qe", True),
        ("$t", True),
        ("_", True),
        ("aZe", True),
        ("n1", True),
        ("get", False),
        ("map", False),
        ("Foo", False),
        ("render", False),
        ("onClick", False),
    ],
)
def test_is_mangled(name, expected):
    assert is_mangled(name) is expected
