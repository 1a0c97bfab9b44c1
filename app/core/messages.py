"""Exception messages for grouping: one wording per fault across engines, ids as placeholders."""

import functools
import re

MAX_MESSAGE = 1024  # first-line chars looked at (keeps every regex below cheap and bounded)

# A bundler's mangled identifier: `e`, `Qe`, `$t`, and 3-char names no person writes (`aZe`).
_MANGLED_RE = re.compile(r"^(?:[A-Za-z_$][\w$]?|[a-z_$][A-Z0-9_$][\w$]|[\w$]*[0-9$][\w$]*)$")
_IDENT_TAIL_RE = re.compile(r"([A-Za-z_$][\w$]*)[^\w$]*$")
_MEMBER_TAIL_RE = re.compile(r"\.\s*([A-Za-z_$][\w$]*)$")
_LITERAL_KEY_RE = re.compile(r"'([^']*)'|\"([^\"]*)\"|(\d+)")
_VALUES = ("undefined", "null")
_UNCAUGHT_RE = re.compile(r"^Uncaught (?:(?:\w{1,60}(?:Error|Exception)|Error): )?")


def is_mangled(name: str) -> bool:
    """Whether a JavaScript name looks minifier-made (and so changes with every build)."""
    return len(name) <= 3 and bool(_MANGLED_RE.match(name))


def _strip_calls(expr: str) -> str:
    """`e.cart.total(t)(1)` -> `e.cart.total`: the callee of trailing calls, parens unwrapped."""
    expr = expr.strip().strip("'\"")
    while expr.endswith(")"):
        depth, start = 0, -1
        for i in range(len(expr) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(expr[i], 0)
            if depth == 0:
                start = i
                break
        if start < 0:
            break
        # `(0 , r.default)` is a parenthesised callee; `Object(...)` is a call to cut off.
        expr = expr[1:-1].strip() if start == 0 else expr[:start].rstrip()
    return expr


def _callee(expr: str) -> str:
    """`e.cart.total(...)` -> `total`: the last name of an expression, mangled ones hidden."""
    expr = _strip_calls(expr)
    if expr.endswith("]") and "[" in expr:
        # `this.rules[n]`: the key is a local, the object it indexes a property worth keeping.
        cut = expr.rfind("[")
        literal = _LITERAL_KEY_RE.fullmatch(expr[cut + 1 : -1].strip())
        if literal is None:
            return f"{_callee(expr[:cut])}[]"
        expr = next(filter(None, literal.groups()), "")
    m = _IDENT_TAIL_RE.search(expr)
    if m is None:
        return "value"
    # A minifier renames locals (`t is not a function`); a short name is taken for one.
    return "<fn>" if is_mangled(m[1]) else m[1]


def _read_property(expr: str) -> str | None:
    """`n.items.price`, `n.textContent=t` -> the property Safari says was read or written.

    None when the expression reads no property (a bare variable): then no engine-agreed name.
    """
    lhs = _strip_calls(expr[: _assignment_at(expr)].rstrip("+-*/%&|^?"))
    if lhs.endswith("]"):
        # `n[t]`: V8 and SpiderMonkey print the key's value, which only a literal gives here.
        literal = _LITERAL_KEY_RE.fullmatch(lhs[lhs.rfind("[") + 1 : -1].strip())
        return next(filter(None, literal.groups()), "") if literal else "<computed>"
    m = _MEMBER_TAIL_RE.search(lhs)
    return m[1] if m else None


def _assignment_at(expr: str) -> int:
    """Where an assignment's `=` (or `+=`...) starts at the top level; the length if none.

    Minified source has no spaces (`n.textContent=t`) and assigns inside parentheses
    (`(e=p.lines[1]).product`), which are not the target.
    """
    depth = 0
    for i, c in enumerate(expr):
        depth += (c in "([{") - (c in ")]}")
        if c != "=" or depth or expr[i + 1 : i + 2] in ("=", ">"):
            continue
        if i and expr[i - 1] in "=!<>":
            continue  # ==, !=, <=, >=
        return i
    return len(expr)


def _quoted_property(groups: list[str], value: str) -> str | None:
    """The property group of a V8/SpiderMonkey wording: the one that is not the value read."""
    rest = list(groups)
    if value in rest:
        rest.remove(value)
    prop = next((g for g in rest if g != "it"), None)
    return prop.strip().strip("'\"`") if prop is not None else None


_PROPERTY = "Cannot access property {p} of {v}"
_EVALUATED = "Cannot access property {e} of {v}"  # the same text, from Safari's expression
_NULLISH = "Cannot access properties of {v}"
_READONLY = "Assignment to constant or read-only property"
_ITERABLE = "value is not iterable"
_UNINITIALISED = "Cannot access variable before initialization"
STACK_OVERFLOW = "Maximum call stack size exceeded"
# Canonical form -> the wordings of V8 (Chrome, Edge), SpiderMonkey (Firefox) and
# JavaScriptCore (Safari), current and older, from engine sources and MDN's error reference.
# Each is matched against the whole first line; `{v}` in a form is the first group that reads
# undefined/null, `{p}` the other group (a property as the engine quotes it), `{e}` the property
# the last group's expression reads (`n.order.status` -> `status`), `{name}` the last name of
# the first group (`e.cart.total` -> `total`) and `{x}` the first group as is. Order matters:
# the first form with a matching wording wins. The line is capped at MAX_MESSAGE first, which
# keeps the `.+` scans of a hostile message to a few ms.
_FORMS: dict[str, tuple[str, ...]] = {
    # Reads and writes on null/undefined: every current engine names the property, which
    # tells apart two faults of one minified function. Firefox and Safari word reads and writes
    # alike, so the form does not say which.
    _PROPERTY: (
        r"Cannot (?:read|set) properties of (undefined|null) \((?:reading|setting) (.+)\)",
        r"Cannot (?:read|set) property (.+) of (undefined|null)",
        r"can't access property (\"[^\"]*\"|\S+), .+? is (undefined|null)",
        r"(?:.+? is (undefined|null), )?can't access property (.+?) of (undefined|null|it)",
    ),
    _EVALUATED: (r"'?(undefined|null)'? is not an object \(evaluating '(.*)'\)",),
    # Wordings without the property (a destructuring, Firefox before 74): they cannot join the
    # ones that name it, and a guess could merge two bugs.
    _NULLISH: (
        r"Cannot (?:read|set) properties of (undefined|null)",
        r"Cannot destructure (?:property .+ of )?.+ as it is (undefined|null)\.?",
        r"(undefined|null) has no properties",
        r"'?(undefined|null)'? is not an object",
    ),
    # Safari reports a failed for-of or spread as a call of undefined "near" the loop.
    _ITERABLE: (
        r"'?undefined'? is not a function \(near '.*'\)",
        r".+? is not (?:a function or its return value is not )?iterable"
        r"(?: \(cannot read property Symbol\(Symbol\.iterator\)\))?",
        r"Spread syntax requires \.\.\.iterable\[Symbol\.iterator\] to be a function",
    ),
    "{name} is not a function": (
        r"'?undefined'? is not a function \(evaluating '(.+)'\)",
        r"(.+?) is not a function(?:\. \(In .*\))?",
    ),
    "{name} is not a constructor": (r"(.+?) is not a constructor(?: \(evaluating .*\))?",),
    "{x} is not defined": (
        r"([\w$.]+) is not defined",
        r"Can't find variable: ([\w$]+)",
        r"assignment to undeclared variable ([\w$]+)",
    ),
    _UNINITIALISED: (
        r"(?:Cannot access|can't access lexical declaration) .+ before initialization",
        r"Cannot access uninitialized variable\.?",
    ),
    # Safari cannot tell a constant from a read-only property, so neither can the form.
    _READONLY: (
        r"Assignment to constant variable\.?",
        r"Cannot assign to read only property .+",
        r"invalid assignment to const .+",
        r"Attempted to assign to readonly property\.?",
    ),
    STACK_OVERFLOW: (r"Maximum call stack size exceeded\.?", r"too much recursion"),
    "Invalid count value": (
        r"Invalid count value: .+",
        r"repeat count must be (?:non-negative|less than infinity.*)",
        r"String\.prototype\.repeat argument must be greater than or equal to 0 and not be "
        r"Infinity\.?",
    ),
    "Invalid array length": (
        r"[Ii]nvalid array length",
        r"Array size is not a small enough positive integer\.?",
        r"Array length must be a positive integer of safe magnitude\.?",
    ),
    # JSON that is not JSON at all (an HTML error page, "undefined") versus JSON cut short or
    # malformed: every engine says which, and they are different faults.
    "Unexpected token in JSON": (
        r"Unexpected token .+ in JSON at position \d+.*",
        r"(?:Unexpected token .+, )?.+ is not valid JSON",
        r"JSON\.parse: unexpected (?:character|keyword) at .+ of the JSON data",
        r"JSON Parse error: (?:Unrecognized token|Unexpected identifier|Unexpected token) .+",
    ),
    "Invalid JSON": (
        r"Unexpected end of JSON input|.+ (?:in|after) JSON at position \d+.*",
        r"JSON\.parse: .+ of the JSON data",
        r"JSON Parse error: .+",
    ),
    "The operation was aborted": (
        r"The user aborted a request\.?|signal is aborted without reason",
        r"The operation was aborted\.?",
        r"Fetch is aborted",
    ),
    "Failed to fetch dynamically imported module": (
        r"Failed to fetch dynamically imported module(?::.*)?",
        r"error loading dynamically imported module(?::.*)?",
        r"Importing a module script failed\.?",
    ),
    "ResizeObserver loop completed with undelivered notifications": (
        r"ResizeObserver loop (?:limit exceeded|completed with undelivered notifications\.?)",
    ),
    "Reduce of empty array with no initial value": (
        r"[Rr]educe of empty array with no initial value",
    ),
    "Converting circular structure to JSON": (
        r"Converting circular structure to JSON.*|cyclic object value",
        r"JSON\.stringify cannot serialize cyclic structures\.?",
    ),
}
# Wordings general enough that an application's own error could share them: per type only.
_TYPED_FORMS: dict[str, dict[str, tuple[str, ...]]] = {
    "TypeError": {
        # Firefox before 74: "e.price is undefined" for what the others call a property read.
        _NULLISH: (r".+? is (undefined|null)",),
        _READONLY: (r".+ is read-only",),
        "Failed to fetch": (
            r"Failed to fetch(?: \(.+\))?",
            r"NetworkError when attempting to fetch resource\.?",
            r"Load failed(?: \(.+\))?",
            r"The network connection was lost\.|The Internet connection appears to be offline\.",
        ),
    },
    # React after a page translator rewrote the DOM. Safari has one wording for every miss.
    "NotFoundError": {
        "Node is not a child of this node": (
            r"Failed to execute '(?:removeChild|insertBefore)' on 'Node': The node .+ is not a "
            r"child of this node\.?",
            r"Node\.(?:removeChild|insertBefore): .+ is not a child of this node\.?",
            r"The object can not be found here\.?",
        ),
    },
}


def _compile(forms: dict[str, tuple[str, ...]]) -> list[tuple[str, re.Pattern]]:
    return [(form, re.compile("|".join(p), re.DOTALL)) for form, p in forms.items()]


_ANY = _compile(_FORMS)
_TYPED = {kind: _ANY + _compile(forms) for kind, forms in _TYPED_FORMS.items()}
# Firefox raises InternalError where V8 and JavaScriptCore raise RangeError.
_TYPE_FOR = {STACK_OVERFLOW: "RangeError"}


def first_line(message: str) -> str:
    """The first non-blank line of a message, trimmed and capped."""
    if not isinstance(message, str):
        return ""
    text = message.strip()
    return text.split("\n", 1)[0][:MAX_MESSAGE].strip()


def canonicalise(exc_type: str, message: str) -> tuple[str, str, bool]:
    """(type, first line, whether a form matched): one wording per fault across engines."""
    kind = exc_type.strip() if isinstance(exc_type, str) else ""
    text = first_line(message)
    prefix = _UNCAUGHT_RE.match(text)
    if prefix is not None and prefix.end():
        # window.onerror's message carries the type that the report may lack.
        named = prefix[0][9:-2]
        if named and (not kind or kind == "Error"):
            kind = named
        text = text[prefix.end() :]
    for form, pattern in _TYPED.get(kind, _ANY):
        m = pattern.fullmatch(text)
        if m is not None:
            text = _render(form, [g for g in m.groups() if g is not None])
            return _TYPE_FOR.get(text, kind), text, True
    # Safari ends many messages with a period that V8 and Firefox leave out.
    return kind, text[:-1] if text.endswith(".") and not text.endswith("..") else text, False


def _render(form: str, groups: list[str]) -> str:
    """A canonical form filled in from the groups of the wording that matched."""
    value = next((g for g in groups if g in _VALUES), "undefined")
    if "{p}" in form or "{e}" in form:
        prop = _read_property(groups[-1]) if "{e}" in form else _quoted_property(groups, value)
        return form.format(v=value, p=prop, e=prop) if prop else _NULLISH.format(v=value)
    first = groups[0] if groups else ""
    name = _callee(first) if "{name}" in form else ""
    return form.format(v=value, name=name, x=first)


def canonical_message(exc_type: str, message: str) -> str:
    """The first line of `message` in its engine-independent wording."""
    return canonicalise(exc_type, message)[1]


# One alternation, tried left to right at each position, as Sentry's parameteriser does.
# Every repetition is bounded so a hostile message cannot backtrack catastrophically.
_H = "[0-9A-Fa-f]"
_TLD = "com|net|org|io|dev|co|uk|de|fr|nl|eu|info|biz|us|ca|au|jp|ru|br|es|ch|se|pl|cloud|ai|xyz"
_PARAM_RE = re.compile(
    "|".join(
        [
            r"(?P<email>(?<![\w.+-])[\w.+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z][\w-]{0,62})",
            r"(?P<url>\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://[^\s'\"<>()\[\]{}]{1,2000})",
            rf"(?P<uuid>(?<![\w-]){_H}{{8}}-{_H}{{4}}-{_H}{{4}}-{_H}{{4}}-{_H}{{12}}(?![\w-]))",
            r"(?P<date>\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
            r"(?:Z|[+-]\d{2}:?\d{2})?)?\b|\b\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?\b"
            r"|\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}"
            r"(?: (?:GMT|UTC|[+-]\d{4}))?)",
            r"(?P<ip>(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])"
            rf"|(?<![\w:.])(?:(?:{_H}{{1,4}}:){{7}}{_H}{{1,4}}"
            rf"|(?:{_H}{{1,4}}:){{1,7}}:(?:{_H}{{1,4}}(?::{_H}{{1,4}}){{0,6}})?"
            rf"|::(?:{_H}{{1,4}}(?::{_H}{{1,4}}){{0,6}})?)(?![\w:]))",
            # Host names need a known top-level domain, or `item.price` would be one too.
            rf"(?P<host>(?<![\w.@/-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)"
            rf"{{1,8}}(?:{_TLD})(?![\w-]|\.\w))",
            # `30000 ms`, `1.5s`, `2m30s`: one placeholder whatever the unit or spelling.
            r"(?P<duration>(?<![\w.])\d{1,12}(?:\.\d{1,9})?(?:\s?(?:milliseconds?|ms|seconds?"
            r"|secs?|minutes?|mins?|hours?|hrs?)\b|(?:ms|us|µs|ns|[hms])(?:\d{1,12}(?:\.\d{1,9})?"
            r"(?:ms|[hms])){0,3}\b))",
            r"(?P<hex>\b0[xX][0-9A-Fa-f]{1,64}\b)",
            r"(?P<str>(?<![\w'\"`])(?:'[^'\n]{0,500}'|\"[^\"\n]{0,500}\"|`[^`\n]{0,500}`)(?!\w))",
            r"(?P<num>(?<![\w.])[vV]?\d{1,64}\.\d{1,64}(?:\.\d{1,64}){0,4}(?!\w|\.\d))",
            r"(?P<hexid>\b[0-9A-Fa-f]{8,128}\b)",  # a hex id may draw no digit at all
            r"(?P<word>\b(?=[A-Za-z_]{0,128}\d)\w{1,128}\b)",
        ]
    )
)
_SPACE_RE = re.compile(r"\s+")
_DIGITS_RE = re.compile(r"\d{2,}")
_HEXWORD_RE = re.compile(r"^[0-9A-Fa-f]{5,128}$")
_DIGIT_RUNS_RE = re.compile(r"\d+")


# One bug sends one message over and over, and its regular expressions cost 23 to 28 us a
# message (timeit), against 0.1 us for the cache: a message is normalised once per process.
@functools.lru_cache(maxsize=4096)
def normalise_message(message: str) -> str:
    """First line of a message with ids, numbers, quoted values etc. replaced by placeholders."""
    return _SPACE_RE.sub(" ", _PARAM_RE.sub(_placeholder, first_line(message))).strip()


def _placeholder(m: re.Match) -> str:
    kind = m.lastgroup or "word"
    if kind in ("hex", "hexid"):
        return "<id>"
    if kind != "word":
        return f"<{kind}>"
    # A word with digits: ids of any length and radix become one placeholder, so an id that
    # grows from 7 to 8 digits, or turns up in hex, never splits a group.
    word = m[0]
    if word.isdigit() or _HEXWORD_RE.match(word):
        return "<id>"
    if len(word) >= 6 and len(_DIGIT_RUNS_RE.findall(word)) >= 2:
        return "<id>"  # random tokens such as `8Kq2ZxP1`
    # Digits inside a name: `user123` is an id, but `v2`, `h1` or `utf8` stay readable.
    return _DIGITS_RE.sub("<id>", word)
