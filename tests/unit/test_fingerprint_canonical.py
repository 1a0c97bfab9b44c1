"""Canonical messages: each engine's wording of one fault read as one message."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import fingerprint as fp
from app.core.messages import canonicalise

# Real wordings of one fault in V8 (Chrome, Edge), SpiderMonkey (Firefox) and JavaScriptCore
# (Safari), current and older, from the engines' message sources and MDN's error reference.
CANONICAL = {
    # Every current engine names the property read or written; Safari inside the expression.
    ("TypeError", "Cannot access property price of undefined"): [
        "Cannot read properties of undefined (reading 'price')",
        "Cannot read property 'price' of undefined",
        'can\'t access property "price", e is undefined',
        'can\'t access property "price" of undefined',
        'e.prop is undefined, can\'t access property "price" of it',
        "undefined is not an object (evaluating 'e.price')",
        "undefined is not an object (evaluating 'e.cart.items[0].price')",
        "undefined is not an object (evaluating '(e=p.cart.lines[1]).price')",
        "Uncaught TypeError: Cannot read properties of undefined (reading 'price')",
    ],
    ("TypeError", "Cannot access property textContent of null"): [
        "Cannot set properties of null (setting 'textContent')",
        "Cannot set property 'textContent' of null",
        'can\'t access property "textContent", document.getElementById(...) is null',
        "null is not an object (evaluating 'el.textContent = label')",
        "null is not an object (evaluating 'n.textContent=t')",
        "null is not an object (evaluating 'n.textContent+=t')",
        "null is not an object (evaluating 'document.getElementById(\"x\").textContent')",
    ],
    ("TypeError", "Cannot access property 0 of undefined"): [
        "Cannot read properties of undefined (reading '0')",
        "can't access property 0, t is undefined",
        "undefined is not an object (evaluating 't[0]')",
    ],
    # Wordings that do not name the property (a destructuring, Firefox before 74) join none
    # that do: guessing could merge two bugs.
    ("TypeError", "Cannot access properties of undefined"): [
        "e is undefined",
        "e.price is undefined",
        "undefined has no properties",
        "undefined is not an object",
        "undefined is not an object (evaluating 'e')",
        "Cannot destructure property 'price' of 'e' as it is undefined.",
    ],
    ("TypeError", "Cannot access properties of null"): [
        "null has no properties",
        "null is not an object (evaluating 'a.b==c')",
    ],
    ("TypeError", "Cannot access property <computed> of undefined"): [
        "undefined is not an object (evaluating 'n[t]')",
    ],
    ("TypeError", "foo is not a function"): [
        "e.foo is not a function",
        "e.foo is not a function. (In 'e.foo()', 'e.foo' is undefined)",
        "undefined is not a function (evaluating 'e.foo()')",
        "'undefined' is not a function (evaluating 'this.api.foo(t, 1)')",
    ],
    ("TypeError", "datepicker is not a function"): [
        "$(...).datepicker is not a function",
        '$("#d").datepicker is not a function. (In \'$("#d").datepicker({})\', '
        "'$(\"#d\").datepicker' is undefined)",
    ],
    # A minifier's local (the callee `t`, the receiver `n`) never counts; a property does.
    ("TypeError", "<fn> is not a function"): [
        "t is not a function",
        "(0 , r.Qe) is not a function",
        "t is not a function. (In 't()', 't' is undefined)",
    ],
    ("TypeError", "toLowerCase is not a function"): [
        "e.toLowerCase is not a function",
        "e.toLowerCase is not a function. (In 'e.toLowerCase()', 'e.toLowerCase' is undefined)",
    ],
    ("TypeError", "rules[] is not a function"): [
        "this.rules[n] is not a function",
        "this.rules[n] is not a function. (In 'this.rules[n](t[n])', 'this.rules[n]' is undefined)",
    ],
    ("TypeError", "default is not a constructor"): [
        "r.default is not a constructor",
        "e.default is not a constructor (evaluating 'new e.default(t)')",
    ],
    ("ReferenceError", "Swiper is not defined"): [
        "Swiper is not defined",
        "Can't find variable: Swiper",
        "assignment to undeclared variable Swiper",
    ],
    ("TypeError", "value is not iterable"): [
        "response.hits is not iterable",
        "undefined is not iterable (cannot read property Symbol(Symbol.iterator))",
        "object null is not iterable (cannot read property Symbol(Symbol.iterator))",
        "e is not a function or its return value is not iterable",
        "Spread syntax requires ...iterable[Symbol.iterator] to be a function",
        "undefined is not a function (near '...hit of response.hits...')",
    ],
    ("TypeError", "Assignment to constant or read-only property"): [
        "Assignment to constant variable.",
        "invalid assignment to const 'total'",
        "invalid assignment to const `total'",
        "Attempted to assign to readonly property.",
        "Cannot assign to read only property 'x' of object '#<Object>'",
        '"x" is read-only',
    ],
    ("ReferenceError", "Cannot access variable before initialization"): [
        "Cannot access 'config' before initialization",
        "can't access lexical declaration 'config' before initialization",
        "Cannot access uninitialized variable.",
    ],
    # Not JSON at all (an HTML error page, the string "undefined")...
    ("SyntaxError", "Unexpected token in JSON"): [
        "Unexpected token < in JSON at position 0",
        "Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON",
        '"undefined" is not valid JSON',
        "JSON.parse: unexpected character at line 1 column 1 of the JSON data",
        "JSON Parse error: Unrecognized token '<'",
        'JSON Parse error: Unexpected identifier "undefined"',
    ],
    # ...versus JSON cut short or malformed.
    ("SyntaxError", "Invalid JSON"): [
        "Unexpected end of JSON input",
        "Expected ',' or '}' after property value in JSON at position 58 (line 1 column 59)",
        "Unexpected non-whitespace character after JSON at position 2",
        "JSON.parse: unexpected end of data at line 1 column 1 of the JSON data",
        "JSON.parse: end of data after property value in object at line 1 column 59 of the JSON "
        "data",
        "JSON Parse error: Unexpected EOF",
        "JSON Parse error: Expected '}'",
    ],
    ("RangeError", "Invalid count value"): [
        "Invalid count value: -2",
        "Invalid count value: Infinity",
        "repeat count must be non-negative",
        "repeat count must be less than infinity",
        "String.prototype.repeat argument must be greater than or equal to 0 and not be Infinity",
    ],
    ("RangeError", "Invalid array length"): [
        "Invalid array length",
        "invalid array length",
        "Array size is not a small enough positive integer.",
    ],
    ("TypeError", "Failed to fetch"): [
        "Failed to fetch",
        "Failed to fetch (api.example.com)",
        "NetworkError when attempting to fetch resource.",
        "Load failed",
    ],
    ("TypeError", "Failed to fetch dynamically imported module"): [
        "Failed to fetch dynamically imported module: https://a.example/assets/x-B2k1xZ9q.js",
        "error loading dynamically imported module: https://a.example/assets/x-B2k1xZ9q.js",
        "Importing a module script failed.",
    ],
    ("TypeError", "Converting circular structure to JSON"): [
        "Converting circular structure to JSON\n    --> starting at object with constructor 'A'",
        "cyclic object value",
        "JSON.stringify cannot serialize cyclic structures.",
    ],
    ("TypeError", "Reduce of empty array with no initial value"): [
        "Reduce of empty array with no initial value",
        "reduce of empty array with no initial value",
    ],
    ("AbortError", "The operation was aborted"): [
        "The user aborted a request.",
        "signal is aborted without reason",
        "The operation was aborted. ",
        "Fetch is aborted",
    ],
    ("NotFoundError", "Node is not a child of this node"): [
        "Failed to execute 'removeChild' on 'Node': The node to be removed is not a child of "
        "this node.",
        "Node.removeChild: The node to be removed is not a child of this node",
        "The object can not be found here.",
    ],
    ("Error", "ResizeObserver loop completed with undelivered notifications"): [
        "ResizeObserver loop limit exceeded",
        "ResizeObserver loop completed with undelivered notifications.",
    ],
}


@pytest.mark.parametrize(
    ("exc_type", "message", "expected"),
    [(t, m, form) for (t, form), wordings in CANONICAL.items() for m in wordings],
)
def test_canonical_message(exc_type, message, expected):
    kind, text, known = canonicalise(exc_type, message)
    assert (kind, text, known) == (exc_type, expected, True)
    assert fp.canonical_message(exc_type, message) == expected


@pytest.mark.parametrize(
    ("exc_type", "message", "expected"),
    [
        ("RangeError", "Maximum call stack size exceeded", "RangeError"),
        ("RangeError", "Maximum call stack size exceeded.", "RangeError"),
        ("InternalError", "too much recursion", "RangeError"),
    ],
)
def test_stack_overflow_has_one_type_in_every_engine(exc_type, message, expected):
    assert canonicalise(exc_type, message) == (expected, "Maximum call stack size exceeded", True)


@pytest.mark.parametrize(
    ("exc_type", "message", "expected"),
    [
        ("Error", "config is undefined", "config is undefined"),  # not a TypeError
        ("Error", "Script error.", "Script error"),  # Safari-style trailing period
        ("Error", "Loading...", "Loading..."),
        ("ApiError", "Request 42 failed", "Request 42 failed"),
        ("", "Uncaught ReferenceError: foo is not defined", "foo is not defined"),
        ("NotFoundError", "The object can not be found here.", "Node is not a child of this node"),
        ("Error", "The object can not be found here.", "The object can not be found here"),
    ],
)
def test_canonical_message_leaves_other_messages_alone(exc_type, message, expected):
    assert fp.canonical_message(exc_type, message) == expected


def test_uncaught_prefix_gives_the_type():
    assert canonicalise("", "Uncaught TypeError: e.total is not a function")[:2] == (
        "TypeError",
        "total is not a function",
    )


def test_canonical_message_on_hostile_input():
    for text in [
        "a is " * 400,
        "can't access property " + "x" * 2000,
        "(" * 5000 + " is not a function",
    ]:
        assert isinstance(fp.canonical_message("TypeError", text), str)


@settings(deadline=None, max_examples=300)
@given(st.text(), st.text())
def test_canonical_message_never_raises(exc_type, message):
    assert isinstance(canonicalise(exc_type, message)[1], str)
