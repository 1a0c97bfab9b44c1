"""Exception fingerprints: which events belong to one group, and why."""

import functools
import hashlib
import json
import re
from dataclasses import dataclass

from app.core.engines import from_throw_site
from app.core.frames import Frame
from app.core.messages import (
    STACK_OVERFLOW,
    canonical_message,
    canonicalise,
    is_mangled,
    normalise_message,
)

__all__ = [
    "FINGERPRINT_VERSION",
    "Fingerprint",
    "bundle_module",
    "canonical_message",
    "compute",
    "culprit",
    "normalise_function",
    "normalise_message",
    "normalise_module",
    "title",
]

# Stored on every group. Bump it whenever anything below changes the hash of the same input,
# and keep the old key reachable (or re-fingerprint) so groups never silently split or merge.
FINGERPRINT_VERSION = 3

# Named in-app frames that take part in the hash: the first one, nearest the throw. Deeper
# frames would split one bug by browser: Safari keeps no frame past an `await` and drops a
# caller that made a tail call, Chrome stops at ten. What tells two faults apart is the message.
# A minified throw site also counts the frame below it (named or not): a bundle's small helpers
# (`formatMoney` as `u`) fail for many callers, and one build's names are all that tells those
# apart without a source map (its groups are per build anyway).
MAX_FRAMES = 1
# Server SDKs (Python, Node) name each frame's module and report the whole stack the same way
# on every host and run: there every in-app frame counts, as in Sentry, so one helper failing
# for two callers is two bugs.
MAX_MODULE_FRAMES = 32
# Frames mapped by a source map name the original function in every browser, so the caller
# counts too: a shared helper (`formatMoney`) failing for two callers is two bugs. Not more:
# Safari drops a caller that made a tail call, and async callers differ by engine. On the
# real-browser minified corpus (tests/unit/test_minified_corpus.py) 1 frame merged two bugs
# (pairwise precision 0.958), 2 frames none (1.000), at a pairwise recall of 0.980.
MAX_MAPPED_FRAMES = 2
MAX_CYCLE = 5  # distinct frames kept from a stack overflow's repeating cycle
OVERFLOW_WINDOW = 10  # ...looked for in the top frames only: Chrome prints no more
MAX_TYPE = 128
MAX_OVERRIDE_PARTS = 32
MAX_OVERRIDE_PART = 256
TITLE_MAX = 200

_DEFAULT_RE = re.compile(r"^\{\{\s*default\s*\}\}$")

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
        "module code",
        "<global>",
    }
)
_FUNC_SPLIT_RE = re.compile(r"/<|[./]")
_ROLLUP_SUFFIX_RE = re.compile(r"(?<=\w)\$\d{1,4}$")
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
_PAGE_ID_RE = re.compile(r"^(?:\d{1,20}|[0-9a-fA-F-]{8,64})$")
_PSEUDO_FILES = frozenset({"[native code]", "native", "native code", "<anonymous>", "eval code"})


@dataclass(frozen=True)
class Fingerprint:
    """The grouping key plus the readable parts it was computed from."""

    hash: str
    version: int
    basis: list[str]


# Pure and called per frame: the same bundle URLs and names recur in almost every event.
@functools.lru_cache(maxsize=8192)
def normalise_module(filename: str | None) -> str | None:
    """Stable module name from a URL or path: no origin, query, `.min`, versions or hashes."""
    parts = _path_parts(filename)
    if not parts:
        return None
    dirs = [_clean_dir(p) for p in parts[:-1]]
    module = "/".join([d for d in dirs if d] + [_clean_basename(parts[-1])])
    return module or None


@functools.lru_cache(maxsize=8192)
def bundle_module(filename: str | None) -> str | None:
    """A bundle's path as served, hashes and versions kept: the build its mangled names are of."""
    parts = _path_parts(filename)
    return "/".join(parts) if parts else None


def _path_parts(filename: str | None) -> list[str] | None:
    """The path segments of a URL or file name, origin, query and install location cut."""
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
    return [p for p in name.split("/") if p not in ("", ".", "..", "~")]


def _clean_dir(part: str) -> str:
    if _VERSION_DIR_RE.match(part) or _is_hash(part, first=False) or _BUILD_ID_RE.match(part):
        return ""
    return _AT_VERSION_RE.sub("", part)  # `react@18.2.0` -> `react`


def _clean_basename(base: str) -> str:
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem or len(ext) > 6:
        stem, ext = base, ""
        if _PAGE_ID_RE.match(base):
            return "<id>"  # an inline script on /products/18231: one module for every product
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
    # Firefox labels frames reached asynchronously: `async*f`, `promise callback*f`.
    name = name.rsplit("*", 1)[-1].strip()
    for prefix in ("async ", "new ", "bound "):
        if name.startswith(prefix):
            name = name[len(prefix) :].strip()
    name = _ALIAS_RE.sub("", name)
    if name.lower() in _ANONYMOUS:
        return None
    last = _FUNC_SPLIT_RE.split(name)[-1].strip()
    # Firefox's `g<` is a closure written inside `g`'s initializer: a place, not a name, and
    # one the other engines leave anonymous.
    if last.lower() in _ANONYMOUS or last.startswith("(anonymous") or last.endswith("<"):
        return None
    if last.startswith(("get ", "set ")):
        last = last[4:].strip()  # accessors: V8 prints `get total`, JavaScriptCore `total`
    # Rollup renames a function `f$1` when another module of the bundle defines `f` too, which
    # a deploy that adds such a module does to code that did not change.
    return _ROLLUP_SUFFIX_RE.sub("", last)[:200] or None


def normalise_type(exc_type: str | None) -> str:
    """Exception type with whitespace trimmed; empty means plain "Error"."""
    text = exc_type.strip() if isinstance(exc_type, str) else ""
    return text[:MAX_TYPE] or "Error"


def _grouping_name(frame: Frame) -> tuple[str | None, bool]:
    """The function name grouping relies on (None if anonymous), and whether it is mangled."""
    name = normalise_function(frame.function)
    if name is None or frame.module is not None or not is_mangled(name):
        return name, False
    if "." in (frame.function or ""):
        # V8's `Array.e`, `o.then.t`: a name it inferred for a minified closure called through
        # a property, which Firefox and Safari leave anonymous.
        return None, False
    # Python is never minified; `f` there is a real name.
    filename = frame.filename or ""
    return name, not (filename.endswith(".py") or filename.startswith("<"))


def _frame_key(frame: Frame) -> tuple[str | None, str | None, bool]:
    """(module, function, mangled) of a frame for grouping; module or function may be None."""
    function, mangled = _grouping_name(frame)
    if frame.module is not None:
        # A server SDK names the module (`shop.billing`): the same on every host and install,
        # where the path is not.
        return frame.module, function, False
    if mangled:
        # A minifier's name means one function within one build only (stable across
        # browsers), and another one in the next: keep the build, i.e. the bundle's hash.
        return bundle_module(frame.filename), function, True
    return normalise_module(frame.filename), function, False


def _usable(frame: Frame) -> bool:
    # Engines disagree on native frames (Firefox omits them, Chrome prints `<anonymous>`,
    # Safari `[native code]`), so they must not decide the group.
    return bool(frame.filename or frame.module) and frame.filename not in _PSEUDO_FILES


def frame_pairs(
    frames: list[Frame], exc_type: str = "", overflow: bool = False
) -> tuple[str | None, list[tuple[str, str]]]:
    """(module of the innermost in-app frame, top named (module, function) pairs)."""
    innermost: str | None = None
    pairs: list[tuple[str, str]] = []
    candidates = [f for f in frames if f.in_app] or frames
    limit = MAX_CYCLE if overflow else MAX_FRAMES
    if candidates and candidates[0].module is not None:
        limit = MAX_MODULE_FRAMES
    elif candidates and candidates[0].mapped and not overflow:
        limit = MAX_MAPPED_FRAMES
    if overflow:
        candidates = candidates[:OVERFLOW_WINDOW]
    candidates = [f for f in candidates if _usable(f)]
    for index, frame in enumerate(candidates):
        module, function, mangled = _frame_key(frame)
        if module is None and function is None:
            continue
        if innermost is None:
            if function is not None and _is_error_class(function, exc_type):
                # Firefox and Safari list the error class's own constructor; Chrome does not.
                continue
            innermost = module or ""
        if function is None:
            # Anonymous frames: Firefox names some closures the others leave anonymous, and
            # Safari drops the ones that end in a tail call.
            continue
        if frame.tail_call and pairs:
            continue  # a caller Safari leaves out (see Frame.tail_call)
        pair = (module or "", function)
        if pair in pairs:
            continue  # recursion; in an overflow, which member of the cycle is on top is chance
        pairs.append(pair)
        if mangled and limit == MAX_FRAMES:
            pairs.extend(_caller(candidates[index + 1 :]))
        if len(pairs) >= limit:
            break
    return innermost, sorted(pairs) if overflow else pairs


def _caller(frames: list[Frame]) -> list[tuple[str, str]]:
    """The frame below a minified throw site as a (module, function or "") pair, if any."""
    for frame in frames:
        if "*" in (frame.function or "") or (frame.function or "").startswith("async "):
            # An awaiting caller: V8 and SpiderMonkey print it, JavaScriptCore never does.
            return []
        module, function, mangled = _frame_key(frame)
        if module is not None or function is not None:
            # Only a minifier's name is printed alike by every engine; real names here are
            # V8's guesses for closures that Firefox and Safari leave anonymous.
            return [(module or "", function if mangled else "")]
    return []


def _is_error_class(function: str, exc_type: str) -> bool:
    """Whether a frame is the constructor of the error being thrown (`PaymentError`)."""
    if function == exc_type:
        return True
    return function[0].isupper() and function.endswith(("Error", "Exception"))


def default_basis(
    exc_type: str, message: str, frames: list[Frame], engine: str | None = None
) -> list[str]:
    """The human-readable parts our own algorithm hashes; `engine` as app.core.engines
    names the one that printed the stack, when known."""
    kind, text, known = canonicalise(exc_type, message)
    kind = normalise_type(kind)
    basis = [f"type:{kind}"]
    frames = from_throw_site(frames, kind, engine)
    innermost, pairs = frame_pairs(frames, kind, overflow=text == STACK_OVERFLOW)
    if pairs:
        basis.extend(f"frame:{module}:{function}" for module, function in pairs)
    elif innermost is not None:
        basis.append(f"frame:{innermost}:")  # no name survived: at least which bundle threw
    # Two faults near one named frame differ in the message, the part Sentry reads from the
    # source line. It counts when every engine words it alike and it carries no data (an
    # engine error in canonical form), or when nothing else can tell bugs apart. An
    # application's own message may hold names and slugs that would split one bug (a bot on
    # a thousand product pages), so next to a named frame it does not count.
    if known or not pairs:
        basis.append(f"message:{normalise_message(text)}")
    return basis


def compute(
    exc_type: str,
    message: str,
    frames: list[Frame],
    override: list[str] | None = None,
    engine: str | None = None,
) -> Fingerprint:
    """Fingerprint an exception; `override` parts may include `{{ default }}` (Sentry style)."""
    basis = default_basis(exc_type, message, frames, engine)
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


def culprit(frames: list[Frame], exc_type: str = "", engine: str | None = None) -> str | None:
    """The frame grouping anchors on, as `function (module)`, else the module; None without."""
    in_app = [f for f in from_throw_site(frames, normalise_type(exc_type), engine) if f.in_app]
    innermost, pairs = frame_pairs(in_app)
    if pairs:
        module, function = pairs[0]
        return f"{function} ({module})" if module else function
    if innermost:
        return innermost
    # Frames without a file (eval'd code in Safari) still name a function worth showing.
    return next(filter(None, (normalise_function(f.function) for f in in_app)), None)
