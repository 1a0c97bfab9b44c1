"""Remove personal data and secrets from exception text before it is stored."""

import functools
import re
from typing import Any

FILTERED = "[Filtered]"
ELLIPSIS = "…"
MAX_DEPTH = 32  # deeper structures than this are replaced whole (recursion bombs)

# Every pattern below is linear on hostile input: repetitions are bounded or cannot overlap,
# and patterns that could start anywhere are anchored by a look-behind to a token start.
_URL_RE = re.compile(r"(?<![\w+.-])[a-zA-Z][a-zA-Z0-9+.-]{0,30}://[^\s'\"()<>\[\]{}`]+")
# Credentials in a URL: an "@" before the path starts.
_URL_USERINFO_RE = re.compile(r"://[^/\s'\"()<>\[\]{}`]*@")
_AUTH_RE = re.compile(r"\b(Bearer|Basic|Token|Digest)(\s+)([A-Za-z0-9._~+/=-]{6,})", re.IGNORECASE)
_AUTH_SCHEMES = frozenset({"bearer", "basic", "token", "digest"})
_AUTH_HINTS = tuple(_AUTH_SCHEMES)
_JWT_RE = re.compile(r"\beyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*")
_KEYS = (
    r"passw(?:or)?d|pwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key"
    r"|auth|authorization|session(?:[_-]?id)?|sessid|credentials?|private[_-]?key"
)
# What ends a key before its value: `=` or `:` (after a closing quote or `"]` in code, as in
# `headers["Authorization"] = ...`), or a comma after a quoted key, as in source lines an SDK
# sends for context (`set_cookie("session", "...")`).
_KEY_END = r"(?:[\"']\]?)?\s{0,5}[=:]|[\"']\s{0,5},"
_PAIR_RE = re.compile(
    rf"((?:{_KEYS})(?:{_KEY_END})\s{{0,5}})"
    r"(?:(\"(?:[^\"\\\n]|\\.){0,2000}\"|'(?:[^'\\\n]|\\.){0,2000}')|([^\s&\"',;)}\]<>]+))",
    re.IGNORECASE,
)
_PAIR_PROBE = re.compile(rf"(?:{_KEYS})(?:{_KEY_END})")
_PAIR_HINTS = ("pass", "pwd", "secret", "token", "key", "auth", "sess", "credential")
_EMAIL_RE = re.compile(
    # The top-level label must start with a letter, so `react@18.2.0` in a CDN path is no email.
    r"(?<![\w.+-])[\w.+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z][A-Za-z0-9-]{0,62}(?![\w-])"
)
# Card numbers start with 2-6 (Mastercard, Amex, Visa, Discover...): this spares millisecond
# timestamps, which start with 1 until 2033.
# The look-behind comes after the first digit so the regex engine can skip ahead to a 2-6.
_CARD_RE = re.compile(r"[2-6](?<!\d[2-6])(?:[ -]?\d){12,18}(?!\d)")

# Searched in the lower-cased key: a case-insensitive search costs three times as much.
SENSITIVE_KEY_RE = re.compile(
    r"passw|pwd|secret|token|auth|cookie|api[_-]?key|apikey|session|sessid|csrf|xsrf"
    r"|credit|card[_-]?(?:number|num|no)|\bcc[_-]?num|cvv|cvc|\bssn\b|private[_-]?key"
    r"|signature|bearer|credentials?"
)
# `author` / `authority` look like `auth` but are harmless, common field names.
_NOT_SENSITIVE_KEY_RE = re.compile(r"^(?:author|authors|authority|author_?name)$", re.IGNORECASE)


def scrub_text(text: str, extra_patterns: tuple[str, ...] = ()) -> str:
    """Replace emails, tokens, secrets, card numbers, URL credentials and query strings."""
    if not isinstance(text, str) or not text:
        return text if isinstance(text, str) else ""
    if text.isalnum():
        # Letters and digits only (a type, a metadata key or value): no URL, token, pair or
        # email can be in it, only a card number or a configured pattern.
        if len(text) >= 13:
            text = _CARD_RE.sub(_scrub_card, text)
        return _scrub_extra(text, extra_patterns)
    # Substring tests run at C speed and skip the passes that cannot match: most stacks hold
    # no secrets, and every regex pass costs tens of microseconds per KB.
    # Only a query string or credentials change a URL: a stack holds a URL per frame and
    # rarely either, and the URL pass calls back into Python for every URL it finds.
    if "://" in text and ("?" in text or ("@" in text and _URL_USERINFO_RE.search(text))):
        text = _URL_RE.sub(_scrub_url, text)
    if "eyJ" in text:
        text = _JWT_RE.sub(FILTERED, text)
    lowered = text.lower()
    # map() over the bound `in` test: no generator frame per hint (nine strings per event).
    if any(map(lowered.__contains__, _AUTH_HINTS)):
        text = _AUTH_RE.sub(_scrub_auth, text)
    # The case-insensitive pair regex costs ~120 us per KB; a case-sensitive probe of the
    # lower-cased text decides, near each hint, whether it can match at all.
    if _may_hold_pair(lowered):
        text = _PAIR_RE.sub(_scrub_pair, text)
    if _may_hold_email(text):
        text = _EMAIL_RE.sub(FILTERED, text)
    if len(text) >= 13:  # the shortest card number has 13 digits
        text = _CARD_RE.sub(_scrub_card, text)
    return _scrub_extra(text, extra_patterns)


def _scrub_extra(text: str, extra_patterns: tuple[str, ...]) -> str:
    if extra_patterns:
        for pattern in _compiled(tuple(extra_patterns)):
            text = pattern.sub(FILTERED, text)
    return text


def _may_hold_pair(lowered: str) -> bool:
    # Every key of the pair regex holds a hint at most 8 characters in (`private_key`), and
    # none with its `=` or `:` runs past 32: the probe runs in those windows around each hint
    # found, instead of trying its alternation at every position of a whole stack. Text full
    # of hints gets one whole search instead of a window per hint.
    if not any(map(lowered.__contains__, _PAIR_HINTS)):
        return False  # the common case, decided without a Python-level loop
    windows = 0
    for hint in _PAIR_HINTS:
        at = lowered.find(hint)
        while at != -1:
            windows += 1
            if windows > 16:
                return _PAIR_PROBE.search(lowered) is not None
            if _PAIR_PROBE.search(lowered, max(0, at - 8), at + 32):
                return True
            at = lowered.find(hint, at + 1)
    return False


_EMAIL_DOMAIN_START = re.compile(r"(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]")


def _may_hold_email(text: str) -> bool:
    # Firefox and Safari stacks hold an "@" per frame (`fn@https://...`): looking at what
    # follows each "@" is far cheaper than running the email regex from every position.
    at = text.find("@")
    while at != -1:
        if at > 0 and _EMAIL_DOMAIN_START.match(text, at + 1):
            return True
        at = text.find("@", at + 1)
    return False


def _scrub_url(m: re.Match) -> str:
    url = m[0]
    # Query strings are personal data (PRODUCT.md §1): keep the path, drop everything after `?`.
    url = url.split("?", 1)[0]
    scheme, _, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = f"{FILTERED}@{authority.rsplit('@', 1)[1]}"
    return f"{scheme}://{authority}{slash}{path}"


def _scrub_auth(m: re.Match) -> str:
    token = m[3]
    # After "Bearer" anything is a credential; after the other words ("Basic information",
    # "Token expired") only something that looks generated is.
    generated = (
        any(c.isdigit() or c in "+/=._~-" for c in token)
        or len(token) >= 20
        or (any(c.isupper() for c in token[1:]) and any(c.islower() for c in token))
    )
    if m[1].lower() == "bearer" or generated:
        return f"{m[1]}{m[2]}{FILTERED}"
    return m[0]


def _scrub_pair(m: re.Match) -> str:
    if m[2]:
        quote = m[2][0]
        return f"{m[1]}{quote}{FILTERED}{quote}"
    if m[3].startswith("[Filtered") or m[3].lower() in _AUTH_SCHEMES:
        return m[0]  # already scrubbed, or `Authorization: Bearer …` handled by _AUTH_RE
    return f"{m[1]}{FILTERED}"


def _scrub_card(m: re.Match) -> str:
    digits = [int(c) for c in m[0] if c.isdigit()]
    return FILTERED if 13 <= len(digits) <= 19 and _luhn(digits) else m[0]


def _luhn(digits: list[int]) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


@functools.lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    out = []
    for pattern in patterns:
        try:
            out.append(re.compile(pattern))
        except (re.error, TypeError):
            # Configuration is validated at start-up (see `invalid_patterns`); scrubbing itself
            # must never fail an ingest request.
            continue
    return tuple(out)


def invalid_patterns(patterns: tuple[str, ...]) -> list[str]:
    """The entries of `patterns` that are not valid regular expressions (for config checks)."""
    bad = []
    for pattern in patterns:
        try:
            re.compile(pattern)
        except (re.error, TypeError):
            bad.append(pattern)
    return bad


def is_sensitive_key(key: str) -> bool:
    """Whether a mapping key names a secret whose value must never be stored."""
    return bool(SENSITIVE_KEY_RE.search(key.lower())) and not _NOT_SENSITIVE_KEY_RE.match(key)


def scrub_value(value: Any, extra_patterns: tuple[str, ...] = (), _depth: int = 0) -> Any:
    """Recursively scrub strings in dicts/lists and blank the values of sensitive keys."""
    if isinstance(value, str):
        return scrub_text(value, extra_patterns)
    if _depth >= MAX_DEPTH and isinstance(value, (dict, list, tuple)):
        return FILTERED
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if isinstance(key, str) and is_sensitive_key(key):
                out[key] = FILTERED
            else:
                clean_key = scrub_text(key, extra_patterns) if isinstance(key, str) else key
                out[clean_key] = scrub_value(item, extra_patterns, _depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [scrub_value(item, extra_patterns, _depth + 1) for item in value]
    return value


def cap(text: str, max_bytes: int) -> str:
    """Cut to at most `max_bytes` UTF-8 bytes, ending in `…` when cut; lone surrogates become ?."""
    data = text.encode("utf-8", "replace")
    if len(data) <= max_bytes:
        return data.decode("utf-8")
    if max_bytes <= 0:
        return ""
    marker = ELLIPSIS.encode("utf-8")
    if max_bytes < len(marker):
        return data[:max_bytes].decode("utf-8", "ignore")
    # "ignore" only drops the partial character left at the cut: the rest is valid UTF-8.
    return data[: max_bytes - len(marker)].decode("utf-8", "ignore") + ELLIPSIS
