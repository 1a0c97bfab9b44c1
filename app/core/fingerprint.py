"""Exception fingerprints: which events belong to one group, and why."""

import functools
import hashlib
import json
import re
from dataclasses import dataclass

from app.core.frames import Frame

# Stored on every group. Bump it whenever anything below changes the hash of the same input,
# and keep the old key reachable (or re-fingerprint) so groups never silently split or merge.
FINGERPRINT_VERSION = 1

MAX_FRAMES = 5  # top in-app frames that take part in the hash
MAX_MESSAGE = 1024  # first-line chars fed to the parameteriser (keeps the regex cost bounded)
MAX_TYPE = 128
MAX_OVERRIDE_PARTS = 32
MAX_OVERRIDE_PART = 256
TITLE_MAX = 200

_DEFAULT_RE = re.compile(r"^\{\{\s*default\s*\}\}$")

# One alternation, tried left to right at each position, as Sentry's parameteriser does.
# Every repetition is bounded so a hostile message cannot backtrack catastrophically.
_H = "[0-9A-Fa-f]"
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
            r"(?P<hex>\b0[xX][0-9A-Fa-f]{1,64}\b|(?<!\w)[0-9A-Fa-f]{7,128}(?!\w))",
            r"(?P<str>(?<![\w'\"`])(?:'[^'\n]{0,500}'|\"[^\"\n]{0,500}\"|`[^`\n]{0,500}`)(?!\w))",
            r"(?P<num>\d{1,64}(?:\.\d{1,64})?)",
        ]
    )
)
_SPACE_RE = re.compile(r"\s+")
_WORD_CHAR_RE = re.compile(r"[A-Za-z_]")

_ANONYMOUS = frozenset(
    {
        "",
        "?",
        "<anonymous>",
        "anonymous",
        "(anonymous)",
        "(anonymous function)",
        "<anonymous function>",
        "anonymous function",
        "<lambda>",
        # Engine labels for top-level or eval'd code: Chrome reports such frames with no
        # function at all, so keeping them would split one bug by browser.
        "eval",
        "eval code",
        "global code",
        "<global>",
    }
)
_FUNC_SPLIT_RE = re.compile(r"/<|[./]")
_ALIAS_RE = re.compile(r"\s*\[as [^\]]{0,200}\]$")

_VERSION_DIR_RE = re.compile(r"^v?\d+(?:\.\d+){0,5}(?:[-+][0-9A-Za-z.-]{1,40})?$")
_AT_VERSION_RE = re.compile(r"@v?\d[0-9A-Za-z.+-]{0,40}$")
_FILE_VERSION_RE = re.compile(r"[-@.]v?\d{1,6}(?:\.\d{1,6}){1,4}(?:-[0-9A-Za-z.]{1,20})?$")
# Next.js-style build ids: long base64url directory names with mixed case and digits.
_BUILD_ID_RE = re.compile(r"^(?=[^/]*\d)(?=[^/]*[a-z])(?=[^/]*[A-Z])[A-Za-z0-9_-]{16,64}$")
_HEAD_RE = re.compile(r"^([^.-]*)(.*)$", re.DOTALL)
_HEX_RE = re.compile(r"^[0-9a-fA-F]{6,128}$")
_TOKEN_RE = re.compile(r"[.-]([A-Za-z0-9_]{6,64})(?=[.-]|$)")
# Rollup/Vite 8-char base64url hashes may themselves contain `-` or `_`.
_ROLLUP_RE = re.compile(r"-([A-Za-z0-9_-]{8})$")
_WORD_WITH_VERSION_RE = re.compile(r"^[a-z]{2,}\d{1,4}$")  # es2015, html5, sha256
_PSEUDO_FILES = frozenset({"[native code]", "native", "native code", "<anonymous>", "eval code"})


@dataclass(frozen=True)
class Fingerprint:
    """The grouping key plus the readable parts it was computed from."""

    hash: str
    version: int
    basis: list[str]


def normalise_message(message: str) -> str:
    """First line of a message with ids, numbers, quoted values etc. replaced by placeholders."""
    if not isinstance(message, str):
        return ""
    first = message.strip().split("\n", 1)[0][:MAX_MESSAGE]
    return _SPACE_RE.sub(" ", _PARAM_RE.sub(_placeholder, first)).strip()


def _placeholder(m: re.Match) -> str:
    kind = m.lastgroup or "num"
    text = m[0]
    if kind == "hex" and text[:2].lower() != "0x" and len(text) == 7:
        # Short git SHAs are hex ids; 7 digits are a number; 7 letters are a word ("defaced").
        if text.isdigit():
            return "<num>"
        if not any(c.isdigit() for c in text):
            return text
    # From 8 characters every hex run is an id, digits-only ones included: a field of random
    # hex ids sometimes draws an all-digit value, and it must not split the group.
    if kind == "num":
        # Standalone numbers always; digit runs inside words only from 2 digits (`user123`),
        # so ordinary names such as `v2`, `h1` or `utf8` stay readable.
        start, end = m.span()
        source = m.string
        inside = (start > 0 and _WORD_CHAR_RE.match(source[start - 1])) or (
            end < len(source) and _WORD_CHAR_RE.match(source[end])
        )
        if inside and sum(c.isdigit() for c in text) < 2:
            return text
    return f"<{kind}>"


# Pure and called per frame: the same bundle URLs and names recur in almost every event.
@functools.lru_cache(maxsize=8192)
def normalise_module(filename: str | None) -> str | None:
    """Stable module name from a URL or path: no origin, query, `.min`, versions or hashes."""
    if not filename or filename in _PSEUDO_FILES:
        return None
    name = filename.replace("\\", "/")
    if name.startswith(("blob:", "data:", "<data:")):
        return None  # random per page load, or the script itself: nothing stable to keep
    name = name.split("?", 1)[0].split("#", 1)[0]
    scheme = re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]{0,30}:", name)
    if scheme is not None:
        rest = name[scheme.end() :]
        if rest.startswith("//"):
            rest = rest[2:]
            # webpack:///./src/x.js has an empty origin; http://host/x.js has one to drop.
            rest = rest.split("/", 1)[1] if "/" in rest else ""
        name = rest
    for marker in ("/site-packages/", "/dist-packages/", "/node_modules/"):
        # Install locations differ between machines; the package path does not.
        cut = name.rfind(marker)
        if cut >= 0:
            name = name[cut + len(marker) :]
            break
    parts = [p for p in name.split("/") if p not in ("", ".", "..", "~")]
    if not parts:
        return None
    dirs = [_clean_dir(p) for p in parts[:-1]]
    module = "/".join([d for d in dirs if d] + [_clean_basename(parts[-1])])
    return module or None


def _clean_dir(part: str) -> str:
    if _VERSION_DIR_RE.match(part) or _is_hash(part, first=False) or _BUILD_ID_RE.match(part):
        return ""
    return _AT_VERSION_RE.sub("", part)  # `react@18.2.0` -> `react`


def _clean_basename(base: str) -> str:
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem or len(ext) > 6:
        stem, ext = base, ""
    if stem.endswith(".min"):
        stem = stem[:-4]
    stem = _FILE_VERSION_RE.sub("", stem)  # jquery-3.7.1, lodash@4.17.21
    rollup = _ROLLUP_RE.search(stem)
    if rollup is not None and _is_rollup_hash(rollup[1]):
        stem = stem[: rollup.start()]
    head, tail = _HEAD_RE.match(stem).groups()  # always matches
    tail = _TOKEN_RE.sub(lambda m: "" if _is_hash(m[1], first=False) else m[0], tail)
    if _is_hash(head, first=True):
        head = "<hash>"  # chunks named only by their hash: keep the rest, lose the hash
    stem = head + tail
    return f"{stem}.{ext}" if ext else stem


def _is_rollup_hash(token: str) -> bool:
    return ("-" in token or "_" in token) and any(c.isdigit() or c.isupper() for c in token)


def _is_hash(token: str, first: bool) -> bool:
    """Content-hash-looking token (hex, base32/36/64) rather than an ordinary word."""
    if len(token) < 6 or len(token) > 64:
        return False
    digits = sum(c.isdigit() for c in token)
    if _HEX_RE.match(token) and (digits or len(token) >= 16):
        return len(token) >= 8 or not first
    if first or not token.replace("_", "").isalnum() or len(token) > 32:
        return False
    letters = len(token) - digits - token.count("_")
    if digits and letters:
        return not _WORD_WITH_VERSION_RE.match(token)
    if not digits and not token.islower() and not token.istitle():
        # esbuild/rollup hashes without a digit: `main-ABCDEFGH.js`, `index-BjKzabcD.js`.
        return len(token) == 8 or sum(c.isupper() for c in token) >= 3
    return False


@functools.lru_cache(maxsize=8192)
def normalise_function(name: str | None) -> str | None:
    """Last segment of a function name; None for anonymous or engine-label names."""
    if not name:
        return None
    name = name.strip()
    for prefix in ("async ", "new "):
        if name.startswith(prefix):
            name = name[len(prefix) :].strip()
    name = _ALIAS_RE.sub("", name)
    if name.lower() in _ANONYMOUS:
        return None
    last = _FUNC_SPLIT_RE.split(name)[-1].strip()
    if last.lower() in _ANONYMOUS or last.startswith("(anonymous"):
        return None
    return last[:200]


def normalise_type(exc_type: str | None) -> str:
    """Exception type with whitespace trimmed; empty means plain "Error"."""
    text = exc_type.strip() if isinstance(exc_type, str) else ""
    return text[:MAX_TYPE] or "Error"


def frame_pairs(frames: list[Frame]) -> list[tuple[str, str]]:
    """The (module, function) pairs that take part in grouping, top frame first."""
    in_app = [f for f in frames if f.in_app]
    pairs: list[tuple[str, str]] = []
    for frame in in_app or frames:
        if not frame.filename or frame.filename in _PSEUDO_FILES:
            # Engines disagree on native frames (Firefox omits them, Chrome prints
            # `<anonymous>`, Safari `[native code]`), so they must not decide the group.
            continue
        module = normalise_module(frame.filename)
        function = normalise_function(frame.function)
        if module is None and function is None:
            continue
        pair = (module or "", function or "")
        if pairs and pairs[-1] == pair:
            continue  # recursion: the same frame again adds nothing
        pairs.append(pair)
        if len(pairs) == MAX_FRAMES:
            break
    return pairs


def default_basis(exc_type: str, message: str, frames: list[Frame]) -> list[str]:
    """The human-readable parts our own algorithm hashes."""
    basis = [f"type:{normalise_type(exc_type)}"]
    pairs = frame_pairs(frames)
    if pairs:
        basis.extend(f"frame:{module}:{function}" for module, function in pairs)
    else:
        basis.append(f"message:{normalise_message(message)}")
    return basis


def compute(
    exc_type: str, message: str, frames: list[Frame], override: list[str] | None = None
) -> Fingerprint:
    """Fingerprint an exception; `override` parts may include `{{ default }}` (Sentry style)."""
    basis = default_basis(exc_type, message, frames)
    if isinstance(override, str):
        override = [override]
    if override:
        resolved: list[str] = []
        for part in list(override)[:MAX_OVERRIDE_PARTS]:
            text = str(part)
            if _DEFAULT_RE.match(text.strip()):
                resolved.extend(basis)
            else:
                resolved.append(text[:MAX_OVERRIDE_PART])
        basis = resolved
    return Fingerprint(_digest(basis), FINGERPRINT_VERSION, basis)


def _digest(parts: list[str]) -> str:
    # JSON keeps part boundaries unambiguous (["a b"] never hashes like ["a", "b"]).
    payload = json.dumps([FINGERPRINT_VERSION, *parts], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def title(exc_type: str, message: str) -> str:
    """`Type: first line of message`, capped at 200 characters."""
    kind = normalise_type(exc_type)
    first = message.strip().split("\n", 1)[0].strip() if isinstance(message, str) else ""
    text = f"{kind}: {first}" if first else kind
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1] + "…"


def culprit(frames: list[Frame]) -> str | None:
    """Top in-app frame as `function (module)`, `module` or `function`; None without one."""
    for frame in frames:
        if not frame.in_app:
            continue
        module = normalise_module(frame.filename)
        function = normalise_function(frame.function)
        if function and module:
            return f"{function} ({module})"
        if module or function:
            return module or function
    return None
