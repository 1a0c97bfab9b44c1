"""JavaScript engines, told from a browser's User-Agent families, and how their stacks begin."""

import re

from app.core.frames import Frame
from app.core.messages import is_mangled

__all__ = ["GECKO", "JSC", "V8", "event_engine", "from_throw_site", "js_engine"]

V8, GECKO, JSC = "v8", "gecko", "jsc"

# ua-parser's families. Every browser on iOS runs WebKit's JavaScriptCore, whatever its name.
_JSC_OS = frozenset({"iOS", "iPadOS"})
_JSC_BROWSERS = frozenset({"Safari", "Mobile Safari", "Mobile Safari UI/WKWebView", "Epiphany"})
_GECKO_BROWSERS = frozenset({"Pale Moon", "SeaMonkey", "Waterfox", "IceCat", "LibreWolf"})
# Chromium's relatives; Chakra (IE, the first Edge, "Edge Mobile") and the rest stay unknown.
_V8_WORDS = ("Chrome", "Chromium", "Opera", "Samsung", "Yandex", "Silk", "Brave", "Vivaldi")
_V8_BROWSERS = frozenset({"Edge", "Android", "Facebook", "Instagram", "UC Browser"})

# Errors the engines and the DOM create themselves: no constructor of the page's own runs.
_BUILT_IN_TYPES = frozenset(
    {
        "Error",
        "AggregateError",
        "EvalError",
        "InternalError",
        "RangeError",
        "ReferenceError",
        "SuppressedError",
        "SyntaxError",
        "TypeError",
        "URIError",
        "DOMException",
        # DOMException names (WebIDL), which a report gives as the error's type.
        "AbortError",
        "ConstraintError",
        "DataCloneError",
        "DataError",
        "EncodingError",
        "HierarchyRequestError",
        "IndexSizeError",
        "InvalidAccessError",
        "InvalidCharacterError",
        "InvalidModificationError",
        "InvalidNodeTypeError",
        "InvalidStateError",
        "NamespaceError",
        "NetworkError",
        "NoModificationAllowedError",
        "NotAllowedError",
        "NotFoundError",
        "NotReadableError",
        "NotSupportedError",
        "OperationError",
        "OptOutError",
        "QuotaExceededError",
        "ReadOnlyError",
        "SecurityError",
        "TimeoutError",
        "TransactionInactiveError",
        "UnknownError",
        "URLMismatchError",
        "VersionError",
        "WrongDocumentError",
    }
)
_CLASS_NAME_RE = re.compile(r"^[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$")


def js_engine(browser: str | None, os: str | None) -> str | None:
    """`v8`, `gecko` or `jsc` for a browser and OS as ua-parser names them; None if unknown."""
    if os in _JSC_OS or browser in _JSC_BROWSERS:
        return JSC
    if not browser:
        return None
    if "Firefox" in browser or browser in _GECKO_BROWSERS:
        return GECKO
    if browser in _V8_BROWSERS or any(word in browser for word in _V8_WORDS):
        return V8
    return None


def event_engine(platform: str | None, browser: str | None, os: str | None) -> str | None:
    """The engine behind an event: a browser's (tracker reports have no platform) or None."""
    return js_engine(browser, os) if platform in (None, "javascript") else None


def from_throw_site(frames: list[Frame], exc_type: str, engine: str | None) -> list[Frame]:
    """The frames from where the error was made, as V8 reports them.

    V8 starts an error's stack at the `new`; SpiderMonkey and JavaScriptCore start it inside
    the constructor of the page's error class (SpiderMonkey even for a class without one of
    its own, JavaScriptCore then with a frame without a location). By name that frame is
    known (`CouponExpiredError@`); minified it is `h@` and would split one bug by engine, so
    for an error class of the page's own it is left out. Captured in Firefox ESR 153 and
    WebKitGTK 2.50 (tests/fixtures/minified): one frame per class of the hierarchy; past the
    first, a minified name cannot tell a base class from the thrower, so those stay."""
    if engine not in (GECKO, JSC) or len(frames) < 2 or not _is_page_class(exc_type):
        return frames
    top = frames[0]
    if not top.filename or (top.module is None and top.function and is_mangled(top.function)):
        return frames[1:]
    return frames


def _is_page_class(exc_type: str) -> bool:
    return exc_type not in _BUILT_IN_TYPES and bool(_CLASS_NAME_RE.match(exc_type))
