"""The stats filter language: conditions on dimensions joined by `&&`.

    path == "/pricing" && country == "DE"
    referrer != "" && path.startsWith("/blog") && browser.contains("Fire")

Values are JSON strings. `""` stands for a missing value, as in breakdowns.
"""

import json
import re
from dataclasses import dataclass

FIELDS = (
    "path",
    "referrer",
    "referrer_group",
    "country",
    "language",
    "browser",
    "browser_version",
    "os",
    "device",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "event",
    "release",
    "source",
    "project",
)
# Only page views have these: a missing value there means "a page view without one", so
# `referrer == ""` matches direct page views and not custom events or pixels.
PAGE_VIEW_FIELDS = frozenset(
    {"referrer", "referrer_group", "utm_source", "utm_medium", "utm_campaign"}
)
OPERATORS = ("==", "!=", "startsWith", "contains")
MAX_CONDITIONS = 20
MAX_LENGTH = 2000

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>==|!=|&&|\.|\(|\))
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Condition:
    """One test on a dimension."""

    field: str
    op: str
    value: str


class FilterError(ValueError):
    """A filter that cannot be read; the message says what is wrong."""


def parse_filter(text: str | None) -> tuple[Condition, ...]:
    """The conditions of a filter expression; an empty or missing one has none."""
    if text is None or not text.strip():
        return ()
    if len(text) > MAX_LENGTH:
        raise FilterError(f"The filter is longer than {MAX_LENGTH} characters.")
    tokens = _tokenize(text)
    conditions, position = [], 0
    while True:
        condition, position = _condition(tokens, position)
        conditions.append(condition)
        if position == len(tokens):
            break
        if tokens[position] != ("op", "&&"):
            raise FilterError(f"Expected && after a condition, found {tokens[position][1]!r}.")
        position += 1
    if len(conditions) > MAX_CONDITIONS:
        raise FilterError(f"A filter holds at most {MAX_CONDITIONS} conditions.")
    return tuple(conditions)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise FilterError(f"Unexpected text at position {position + 1}.")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _condition(tokens: list, position: int) -> tuple[Condition, int]:
    def take(kind: str, what: str) -> str:
        nonlocal position
        if position >= len(tokens) or tokens[position][0] != kind:
            raise FilterError(f"Expected {what}.")
        position += 1
        return tokens[position - 1][1]

    field = take("name", "a field name")
    if field not in FIELDS:
        raise FilterError(f"Unknown field {field!r}; the fields are: {', '.join(FIELDS)}.")
    op = take("op", "==, != or a method call")
    if op == ".":
        op = take("name", "startsWith or contains")
        if op not in ("startsWith", "contains"):
            raise FilterError("The methods are startsWith and contains.")
        if take("op", "(") != "(":
            raise FilterError("Expected ( after the method name.")
        value = _string(take("string", "a quoted string"))
        if take("op", ")") != ")":
            raise FilterError("Expected ) after the string.")
    elif op in ("==", "!="):
        value = _string(take("string", "a quoted string"))
    else:
        raise FilterError(f"Operators are {', '.join(OPERATORS)}; found {op!r}.")
    return Condition(field, op, value), position


def _string(token: str) -> str:
    try:
        value = json.loads(token)
    except ValueError as error:
        raise FilterError("A string has a bad escape.") from error
    if "\x00" in value:
        raise FilterError("A string may not contain NUL.")
    return value
