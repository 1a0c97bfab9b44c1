"""Parse stack-trace text (V8, SpiderMonkey, JavaScriptCore, Python) into frames."""

import functools
import re

from app.core.frames import Frame

MAX_LINE = 1024  # every line is cut to this BEFORE any regex runs (ReDoS guard)
MAX_FRAMES = 50
# Ingest caps stacks at 16,000 chars; this bound only protects direct callers from huge input.
MAX_TEXT = 64 * 1024

CDN_HOSTS = (
    "cdn.jsdelivr.net",
    "unpkg.com",
    "cdnjs.cloudflare.com",
    "ajax.googleapis.com",
    "code.jquery.com",
    "cdn.shopify.com",
    "googletagmanager.com",
    "google-analytics.com",
    "connect.facebook.net",
    "static.cloudflareinsights.com",
    "esm.run",
    "esm.sh",
    "cdn.skypack.dev",
    "ga.jspm.io",
    "stackpath.bootstrapcdn.com",
    "maxcdn.bootstrapcdn.com",
    "gstatic.com",
    "googlesyndication.com",
    "doubleclick.net",
    "static.hotjar.com",
    "script.hotjar.com",
    "cdn.segment.com",
    "browser.sentry-cdn.com",
    "js.sentry-cdn.com",
    "cdn.cookielaw.org",
    "platform.twitter.com",
    "snap.licdn.com",
    "bat.bing.com",
    "widget.intercom.io",
    "js.intercomcdn.com",
)
_CDN_SET = frozenset(CDN_HOSTS)
EXTENSION_SCHEMES = (
    "chrome-extension:",
    "moz-extension:",
    "safari-extension:",
    "safari-web-extension:",
    "ms-browser-extension:",
    # Firefox's resource:// serves browser internals and legacy add-ons, never the site itself.
    "resource:",
)
# Pseudo-locations engines print when there is no source file behind a frame.
NATIVE_LOCATIONS = frozenset(
    {"[native code]", "native", "native code", "<anonymous>", "eval code", "unknown location"}
)
# Node's event-loop plumbing: reported with a function but never the application's bug.
RUNTIME_FUNCTIONS = frozenset(
    {"processTicksAndRejections", "runMicrotasks", "runNextTicks", "queueMicrotask", "nextTick"}
)

# `:line` or `:line:col` at the very end of a location.
_LINE_COL_RE = re.compile(r":(\d+)(?::(\d+))?$")
# V8 eval: the first `(url:line:col)` inside `eval at f (url:l:c), <anonymous>:l:c` is the
# outer location, which is the one that points into real source.
_V8_EVAL_RE = re.compile(r"\((\S+?):(\d+):(\d+)\)")
# SpiderMonkey eval: `url line N > eval line M > eval:l:c`; the outer url and N win.
_GECKO_EVAL_RE = re.compile(r"^(\S+) line (\d+) > (?:eval|Function)")
_WASM_RE = re.compile(r"^(.*?):wasm-function\[\d+\]:0x[0-9a-fA-F]+$")
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]{0,30}:")
_PY_FRAME_RE = re.compile(r'^\s*File "([^"]{1,900})", line (\d+)(?:, in (.{1,300}))?\s*$')
_SAFARI_EXT_RE = re.compile(r"^(.*?)(safari(?:-web)?-extension):\((.*)\)$")
_MAX_INT = 2**31 - 1
# Stand-ins for a JS line's trailing `:line:col` while its parse is cached (see `_parse_js`).
_LINE_MARK, _COL_MARK = 2_000_000_011, 2_000_000_017
_MARKS = f":{_LINE_MARK}:{_COL_MARK}"


def parse_stack(text: str | None) -> list[Frame]:
    """Parse stack text into frames, index 0 being where the error was thrown; never raises."""
    if not text or not isinstance(text, str):
        return []
    try:
        if len(text) <= MAX_CACHED_TEXT:
            return list(_parse_repeated(text))
        return _parse(text[:MAX_TEXT])
    except Exception:  # garbage must yield no frames, never a 500 at ingest
        return []


# One bug sends the same stack text with each event from a browser and build: parsed once,
# a 12-frame stack costs a lookup (0.3 us) instead of its parse (40 us, timeit). Only stacks
# of a usual size are kept, so the cache holds at most 8 MB of text.
MAX_CACHED_TEXT = 8 * 1024


@functools.lru_cache(maxsize=1024)
def _parse_repeated(text: str) -> tuple[Frame, ...]:
    return tuple(_parse(text))


def _parse(text: str) -> list[Frame]:
    js: list[Frame] = []
    python: list[Frame] = []
    group = -1  # column of the `|` border of the Python exception group being reported
    for raw in text.splitlines():
        cut = raw[:MAX_LINE]
        line = cut.strip()
        if not line:
            continue
        if line[0] in "+|" and line.startswith(("+ Exception Group Traceback", "| ")):
            # Python 3.11+ draws exception groups in a box: the group's own frames sit on its
            # border, its sub-exceptions' tracebacks on deeper, indented borders.
            column = len(cut) - len(cut.lstrip())
            if line[0] == "+" and (group < 0 or column <= group):
                python, group = [], column
                continue
            if line[0] == "+" or column != group:
                continue
            line = line[1:].strip()
        if line.startswith("Traceback (most recent call last)"):
            # A chained traceback: only the last one is the exception being reported.
            python, group = [], -1
            continue
        if line.startswith("File "):
            frame = _parse_python(line)
            if frame is not None:
                python.append(frame)
            continue
        if len(js) >= MAX_FRAMES or "Error: " in line:
            # The message line (and webpack's `at Error: …` wrappers) are not frames.
            continue
        frame = _parse_js(line)
        if frame is not None:
            js.append(frame)
    if python:
        # Python prints the innermost call last; we want it first.
        return python[::-1][:MAX_FRAMES]
    return js


def _parse_python(line: str) -> Frame | None:
    m = _PY_FRAME_RE.match(line)
    if m is None:
        return None
    filename, function = m[1], m[3]
    return Frame(function, filename, _int(m[2]), None, is_in_app(filename, function))


def _parse_js(line: str) -> Frame | None:
    """One JS stack line's frame; the parse of the line with its trailing `:line:col` stood in
    for is cached, so one script's frames share a parse whatever position they point at."""
    body = line[:-1] if line.endswith(")") else line
    head, colon, column = body.rpartition(":")
    if colon and column.isdecimal():
        start, colon, lineno = head.rpartition(":")
        if colon and lineno.isdecimal():
            frame = _parse_js_line(f"{start}{_MARKS}{line[len(body) :]}")
            if frame is None or (frame.lineno != _LINE_MARK and frame.colno != _COL_MARK):
                return frame  # the position was not the frame's own (an eval's inner one)
            return Frame(
                frame.function,
                frame.filename,
                _int(lineno) if frame.lineno == _LINE_MARK else frame.lineno,
                _int(column) if frame.colno == _COL_MARK else frame.colno,
                frame.in_app,
            )
    return _parse_js_line(line)


# One bug's stack repeats the same lines in every event it sends, and a line always parses
# to the same (immutable) frame: a line seen before costs a lookup instead of its parse.
@functools.lru_cache(maxsize=4096)
def _parse_js_line(line: str) -> Frame | None:
    if line.startswith("at "):
        return _parse_v8(line[3:].strip())
    if line == "[native code]":
        return Frame(None, "[native code]", None, None, False)
    if _SCHEME_RE.match(line) and " " not in line:
        # Safari 7+ prints anonymous frames as a bare `url:line:col`; checked before `@`
        # because URLs may contain one (`unpkg.com/react@18/…`).
        return _frame(None, line)
    at = line.find("@")
    if at < 0:
        return None
    return _parse_gecko(line[:at], line[at + 1 :])


def _parse_v8(rest: str) -> Frame | None:
    if rest.startswith("async "):
        rest = rest[6:].lstrip()
    data = rest.find(" (data:")
    if data >= 0:
        # data: URLs carry whole scripts; keep only the MIME type, like Sentry does.
        mime = rest[data + 7 :].split(",", 1)[0].split(";", 1)[0]
        return Frame(rest[:data] or None, f"<data:{mime}>", None, None, True)
    ext = _SAFARI_EXT_RE.match(rest)
    if ext is not None:
        # Safari extensions: `at Fn@safari-extension:(//id/commons.js:1:2)`.
        rest = f"{ext[1]}{ext[2]}:{ext[3]}"
    function: str | None = None
    location = rest
    if rest.endswith(")"):
        start = _matching_open(rest)
        if start is not None:
            function = rest[:start].strip() or None
            location = rest[start + 1 : -1].strip()
    elif " (" in rest:
        # The line was cut at MAX_LINE inside the location: keep the function, lose l:c.
        function, _, location = rest.partition(" (")
    elif "@" in rest and not _SCHEME_RE.match(rest):
        at = rest.find("@")
        return _parse_gecko(rest[:at], rest[at + 1 :])
    if function and function.startswith("async "):
        function = function[6:].strip() or None
    for prefix in ("async ", "address at "):
        if location.startswith(prefix):
            location = location[len(prefix) :]
    if location.startswith("error:"):
        return None  # webpack `(error: url)` wrapper, not a frame
    if location.startswith("eval at "):
        m = _V8_EVAL_RE.search(location)
        if m is None:
            return Frame(function or "eval", None, None, None, False)
        filename = _clean_filename(m[1])
        fn = function or "eval"
        return Frame(fn, filename, _int(m[2]), _int(m[3]), is_in_app(filename, fn))
    if not _looks_like_location(location):
        # `at Promise.all (index 0)`, or a bare name: a function with no source behind it.
        return Frame(function or location or None, None, None, None, False)
    return _frame(function, location)


def _parse_gecko(function: str, location: str) -> Frame | None:
    function = function.strip()
    location = location.strip()
    if function.startswith("async*"):
        function = function[6:]  # Firefox marks frames reached through an await
    if function.endswith(")") and "(" in function:
        # Old Firefox printed the arguments: `bar(1)@…`, `()@…`, `(null)@…`.
        function = function[: function.index("(")]
    m = _GECKO_EVAL_RE.match(location)
    if m is not None:
        filename = _clean_filename(m[1])
        fn = function or "eval"
        return Frame(fn, filename, _int(m[2]), None, is_in_app(filename, fn))
    if not location:
        # JavaScriptCore prints eval'd and `new Function` code as `applyDiscount@`, `anonymous@`:
        # no source behind it, but dropping it would lose the frame that threw.
        return Frame(function, None, None, None, False) if function else None
    if location not in NATIVE_LOCATIONS and (" " in location or not _looks_like_location(location)):
        return None
    return _frame(function or None, location)


def _frame(function: str | None, location: str | None) -> Frame:
    filename, lineno, colno = _split_location(location)
    return Frame(function, filename, lineno, colno, is_in_app(filename, function))


def _split_location(location: str | None) -> tuple[str | None, int | None, int | None]:
    if not location:
        return None, None, None
    if location in NATIVE_LOCATIONS:
        return location, None, None
    wasm = _WASM_RE.match(location)
    if wasm is not None:
        return _clean_filename(wasm[1]), None, None
    m = _LINE_COL_RE.search(location)
    if m is None:
        return _clean_filename(location), None, None
    return _clean_filename(location[: m.start()]), _int(m[1]), _int(m[2])


def _clean_filename(filename: str) -> str | None:
    """Drop the query string and fragment: they can carry personal data."""
    for sep in ("?", "#"):
        cut = filename.find(sep)
        if cut >= 0:
            filename = filename[:cut]
    return filename or None


def _looks_like_location(location: str) -> bool:
    return bool(
        location
        and (
            location in NATIVE_LOCATIONS
            or _SCHEME_RE.match(location)
            or location[0] in "/.\\~"
            or _LINE_COL_RE.search(location)
        )
    )


def _matching_open(text: str) -> int | None:
    """Index of the `(` that balances the final `)`, scanning backwards."""
    if text.count("(") == 1:
        return text.index("(")  # the common case, without a Python-level loop
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if ch == ")":
            depth += 1
        elif ch == "(":
            depth -= 1
            if depth == 0:
                return i
    # Unbalanced (a paren inside a URL): fall back to the first ` (`.
    first = text.find(" (")
    return first + 1 if first >= 0 else None


def _int(value: str | None) -> int | None:
    if value is None or len(value) > 10:
        return None
    number = int(value)
    return number if number <= _MAX_INT else None


def _host(url: str) -> str:
    rest = url.split("://", 1)[1] if "://" in url else ""
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return host.split(":", 1)[0].lower()


# Pure and called for every frame of every event, over a few hundred distinct script URLs.
@functools.lru_cache(maxsize=8192)
def is_in_app(filename: str | None, function: str | None = None) -> bool:
    """Whether a frame belongs to the application rather than vendors, CDNs or the runtime."""
    if not filename or filename in NATIVE_LOCATIONS:
        return False
    if function and function.rsplit(".", 1)[-1] in RUNTIME_FUNCTIONS:
        return False
    lowered = filename.lower().replace("\\", "/")
    if lowered.startswith(EXTENSION_SCHEMES) or lowered.startswith(("node:", "internal/")):
        return False
    if "/node_modules/" in lowered or lowered.startswith("node_modules/") or "/~/" in lowered:
        # webpack 1 wrote node_modules as `~`.
        return False
    if lowered.startswith("<frozen ") or "/site-packages/" in lowered:
        return False
    if "/dist-packages/" in lowered or "/lib/python3." in lowered:
        return False
    path = lowered.split("?", 1)[0].split("#", 1)[0]
    if path.endswith("/tracker.js"):
        return False  # our own tracker script: its frames are never the site's bug
    labels = _host(lowered).split(".")
    # The host and each parent domain (a.b.c, b.c, c) against the CDN set: no loop over CDNs.
    return not any(".".join(labels[i:]) in _CDN_SET for i in range(len(labels)))
