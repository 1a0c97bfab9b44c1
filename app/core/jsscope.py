"""The function a position lies in, read from the ORIGINAL source a map carries.

symbolic names a mapped frame's function from the minified script's scopes, which a minifier
rewrites: terser inlines a small function into its caller, and the frame is then named after
the caller's wrapper (`SCENARIOS` instead of `renderThumbnail`), differently per bundler. The
original source is the same for every build, so the enclosing function found there names one
bug alike across bundlers and deploys. This is a scanner, not a parser: it skips strings,
comments, template literals and regular expressions, matches braces, and names a brace that
opens a function body by the tokens before it (`function f(`, `f(...) {` in a class or object,
`f = (...) => {`, `f: function (`). Expression-bodied arrows (`x => x.a`) open no brace and
belong to the function around them.
"""

import bisect
import re
from dataclasses import dataclass

MAX_SOURCE_CHARS = 2_000_000  # beyond this a source gets no scopes (a vendored blob)

_NOT_FUNCTIONS = frozenset(
    {"if", "for", "while", "switch", "catch", "with", "function", "return", "typeof", "await"}
)
_REGEX_AFTER = frozenset("(,=:[!&|?{};+-*%<>~^")
_IDENT_END_RE = re.compile(r"([A-Za-z_$][\w$]*)\s*$")
_NAMED_FUNCTION_RE = re.compile(r"function\s*\*?\s*([A-Za-z_$][\w$]*)\s*$")
_ANONYMOUS_FUNCTION_RE = re.compile(r"function\s*\*?\s*$")
_ASSIGNED_RE = re.compile(r"([A-Za-z_$][\w$]*)\s*(?:=|:)\s*(?:async\s*)?$")
_CLASS_RE = re.compile(r"class\s+([A-Za-z_$][\w$]*)(?:\s+extends\s+[\w$.]+)?\s*$")
_ARROW_PARAM_RE = re.compile(r"(?:async\s*)?([A-Za-z_$][\w$]*)\s*=>\s*$")


@dataclass(frozen=True)
class Scope:
    """A function body: where it starts and ends (offsets) and its name, None if anonymous."""

    start: int
    end: int
    name: str | None


class SourceScopes:
    """The function scopes of one original source, for `enclosing(line, column)` lookups."""

    def __init__(self, text: str) -> None:
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.scopes = scan(text) if len(text) <= MAX_SOURCE_CHARS else []
        self.starts = [scope.start for scope in self.scopes]

    def enclosing(self, line: int, column: int) -> str | None:
        """Name of the innermost function around a 1-based line and column (None: anonymous
        or top level)."""
        if not 1 <= line <= len(self.line_starts):
            return None
        offset = self.line_starts[line - 1] + max(column - 1, 0)
        best: Scope | None = None
        for scope in self.scopes[: bisect.bisect_right(self.starts, offset)]:
            if scope.start <= offset < scope.end and (best is None or scope.start > best.start):
                best = scope
        return best.name if best is not None else None


def scan(text: str) -> list[Scope]:
    """Every function body in a source, ordered by start."""
    scopes: list[Scope] = []
    braces: list[tuple[int, str | None, bool]] = []  # (start, name, is function)
    parens: list[int] = []
    last_paren_open = -1
    previous = ""  # last significant character, to tell a regex from a division
    i, length = 0, len(text)
    while i < length:
        c = text[i]
        if c in " \t\r\n":
            i += 1
            continue
        if c == "/" and text.startswith("//", i):
            i = _skip_to(text, "\n", i)
            continue
        if c == "/" and text.startswith("/*", i):
            i = _skip_to(text, "*/", i + 2) + 1
            continue
        if c in "'\"":
            i = _skip_string(text, i, c)
            previous = "a"
            continue
        if c == "`":
            i = _skip_template(text, i)
            previous = "a"
            continue
        if c == "/" and (previous == "" or previous in _REGEX_AFTER):
            i = _skip_regex(text, i)
            previous = "a"
            continue
        if c == "(":
            parens.append(i)
        elif c == ")":
            last_paren_open = parens.pop() if parens else -1
        elif c == "{":
            name, is_function = _function_at(text, i, last_paren_open, previous)
            if name == "constructor":
                # Named after its class, as engines name the frame (`new PaymentError`).
                name = next((n for _, n, f in reversed(braces) if not f and n), name)
            # The parameters belong to the function too: an inlined call's position may
            # map onto them (Firefox reports terser's inlined arrows there).
            params = _params_start(text, i, last_paren_open) if is_function else None
            braces.append((i if params is None else params, name, is_function))
        elif c == "}" and braces:
            start, name, is_function = braces.pop()
            if is_function:
                scopes.append(Scope(start, i + 1, name))
        previous = c
        i += 1
    scopes.sort(key=lambda scope: scope.start)
    return scopes


def _function_at(text: str, brace: int, paren_open: int, previous: str):
    """(name, is function) for the `{` at `brace`."""
    before = text[max(0, brace - 300) : brace].rstrip()
    if before.endswith("=>"):
        head = text[max(0, brace - 300) : brace].rstrip()[:-2].rstrip()
        if head.endswith(")") and paren_open >= 0:
            return _assigned_name(text, paren_open), True
        param = _ARROW_PARAM_RE.search(text[max(0, brace - 300) : brace])
        return (_assigned_name(text, brace - len(param[0])) if param else None), True
    if previous != ")" or paren_open < 0:
        declared = _CLASS_RE.search(before)
        return (declared[1] if declared else None), False
    head = text[max(0, paren_open - 300) : paren_open]
    named = _NAMED_FUNCTION_RE.search(head)
    if named:
        return named[1], True
    if _ANONYMOUS_FUNCTION_RE.search(head):
        return _assigned_name(text, paren_open - len(_ANONYMOUS_FUNCTION_RE.search(head)[0])), True
    method = _IDENT_END_RE.search(head)
    if method and method[1] not in _NOT_FUNCTIONS:
        return method[1], True  # `total(items) {` in a class or object literal
    return None, False


def _params_start(text: str, brace: int, paren_open: int) -> int | None:
    """Where a function's parameter list opens, when `)` (or `) =>`) comes right before its
    body brace."""
    head = text[max(0, paren_open) : brace].rstrip()
    if head.endswith("=>"):
        head = head[:-2].rstrip()
    return paren_open if paren_open >= 0 and head.endswith(")") else None


def _assigned_name(text: str, at: int) -> str | None:
    """The name a function expression starting at `at` is assigned to, if any."""
    found = _ASSIGNED_RE.search(text[max(0, at - 200) : at])
    return found[1] if found else None


def _skip_to(text: str, end: str, i: int) -> int:
    found = text.find(end, i)
    return len(text) if found < 0 else found + 1


def _skip_string(text: str, i: int, quote: str) -> int:
    i += 1
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == quote or c == "\n":
            return i + 1
        i += 1
    return i


def _skip_template(text: str, i: int) -> int:
    """Past a template literal, nested `${ ... }` expressions included."""
    i += 1
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "`":
            return i + 1
        if c == "$" and text.startswith("${", i):
            i = _skip_expression(text, i + 2)
            continue
        i += 1
    return i


def _skip_expression(text: str, i: int) -> int:
    depth = 1
    while i < len(text) and depth:
        c = text[i]
        if c in "'\"":
            i = _skip_string(text, i, c)
            continue
        if c == "`":
            i = _skip_template(text, i)
            continue
        depth += (c == "{") - (c == "}")
        i += 1
    return i


def _skip_regex(text: str, i: int) -> int:
    i += 1
    in_class = False
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "\n":
            return i
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c == "/" and not in_class:
            i += 1
            while i < len(text) and text[i].isalpha():
                i += 1  # flags
            return i
        i += 1
    return i
