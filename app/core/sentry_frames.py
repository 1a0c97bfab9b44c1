"""One exception of a Sentry event's chain: its type, value, mechanism and structured frames.

Sentry lists frames outermost first; Faultline keeps them innermost first, as the tracker's
parsed stacks are, so grouping and the group page read both alike. Frame variables are
never read: they hold whatever the code held (passwords, tokens, personal data).
"""

import functools

from app.core.frames import Frame
from app.core.scrub import cap, scrub_text
from app.core.stacktrace import EXTENSION_SCHEMES, is_in_app

MAX_FRAMES = 50  # the innermost ones, where the fault is
CONTEXT_LINES = 5  # of code before and after the frame's line
LINE_BYTES = 256
NAME_BYTES = 256
PATH_BYTES = 1024
MAX_LINENO = 2**31 - 1


def chain_entry(value: dict, patterns: tuple[str, ...]) -> dict | None:
    """The stored form of one `exception.values` entry; None when it names nothing at all."""
    exc_type = _name(value.get("type"))
    text = value.get("value")
    text = scrub_text(text, patterns) if isinstance(text, str) else ""
    stacktrace = value.get("stacktrace")
    raw_frames = stacktrace.get("frames") if isinstance(stacktrace, dict) else None
    frames = (
        [_cached_frame(f, patterns) for f in reversed(raw_frames) if isinstance(f, dict)]
        if isinstance(raw_frames, list)
        else []
    )
    if exc_type is None and not text and not frames:
        return None
    entry: dict = {"type": scrub_text(exc_type, patterns) if exc_type else "Error", "value": text}
    module = _name(value.get("module"))
    if module:
        entry["module"] = module
    mechanism = value.get("mechanism")
    if isinstance(mechanism, dict):
        kept = {
            key: mechanism[key]
            for key, kind in (("type", str), ("handled", bool))
            if isinstance(mechanism.get(key), kind)
        }
        if isinstance(kept.get("type"), str):
            kept["type"] = cap(kept["type"], 64)
        if kept:
            entry["mechanism"] = kept
    entry["frames"] = frames[:MAX_FRAMES]
    return entry


FRAME_FIELDS = ("filename", "abs_path", "function", "module", "lineno", "colno", "in_app")


def _cached_frame(data: dict, patterns: tuple[str, ...]) -> dict:
    """The stored form of a frame, built once per distinct frame: the same frames, with the
    same code around them, arrive with every event of a bug. Built once, a 12-frame event
    took 1.5 ms of server CPU instead of 1.9 (bench/ingest.py --endpoint envelope)."""
    pre, post = data.get("pre_context"), data.get("post_context")
    key = (
        *map(data.get, FRAME_FIELDS),
        data.get("context_line"),
        tuple(pre) if isinstance(pre, list) else pre,
        tuple(post) if isinstance(post, list) else post,
        patterns,
    )
    try:
        return _frame_of_key(key, data)
    except TypeError:  # an unhashable value where a string or number belongs
        return _frame(data, patterns)


MAX_CACHED_FRAMES = 8192
_frames_by_key: dict[tuple, dict] = {}


def _frame_of_key(key: tuple, data: dict) -> dict:
    frame = _frames_by_key.get(key)
    if frame is None:
        frame = _frame(data, key[-1])
        if len(_frames_by_key) >= MAX_CACHED_FRAMES:
            _frames_by_key.clear()
        _frames_by_key[key] = frame
    return frame  # shared between records, which only ever serialise it


def _frame(data: dict, patterns: tuple[str, ...]) -> dict:
    filename = _path(data.get("filename"))
    abs_path = _path(data.get("abs_path"))
    function = _name(data.get("function"))
    flagged = data.get("in_app")
    filename = filename or abs_path
    # None values are left out: most frames lack several of these.
    frame = {"function": function} if function else {}
    if filename:
        frame["filename"] = filename
    if abs_path and abs_path != filename:
        frame["abs_path"] = abs_path
    if module := _name(data.get("module")):
        frame["module"] = module
    for key in ("lineno", "colno"):
        if (number := _line(data.get(key))) is not None:
            frame[key] = number
    # The SDK knows its own install layout; a vendor or runtime path overrules it.
    frame["in_app"] = flagged is not False and is_in_app(abs_path or filename, function)
    context_line = data.get("context_line")
    if isinstance(context_line, str):
        frame["context_line"] = _code(context_line, patterns)
        for side in ("pre_context", "post_context"):
            lines = data.get(side)
            if isinstance(lines, list):
                lines = lines[-CONTEXT_LINES:] if side == "pre_context" else lines[:CONTEXT_LINES]
                frame[side] = [_code(line, patterns) for line in lines if isinstance(line, str)]
    return frame


def grouping_frames(frames: list[dict]) -> list[Frame]:
    """The stored frames of the raised exception as fingerprinting reads them."""
    return [
        Frame(
            function=frame.get("function"),
            filename=frame.get("filename"),
            lineno=frame.get("lineno"),
            colno=frame.get("colno"),
            in_app=frame["in_app"],
            module=frame.get("module"),
        )
        for frame in frames
    ]


def in_extension(frames: list[dict]) -> bool:
    """True when the exception was thrown inside a browser extension (not the site's code)."""
    if not frames:
        return False
    top = frames[0]
    location = (top.get("abs_path") or top.get("filename") or "").lower()
    return location.startswith(EXTENSION_SCHEMES)


def _name(value) -> str | None:
    return _clean_name(value) if isinstance(value, str) else None


def _path(value) -> str | None:
    return _clean_path(value) if isinstance(value, str) else None


# File names, modules and functions recur in every event of an application: cleaned once.
@functools.lru_cache(maxsize=16384)
def _clean_name(value: str) -> str | None:
    value = value.strip()
    return cap(value, NAME_BYTES) if value else None


@functools.lru_cache(maxsize=16384)
def _clean_path(value: str) -> str | None:
    """A file path or URL without its query and fragment (they can carry personal data)."""
    path = value.strip().split("?", 1)[0].split("#", 1)[0]
    return cap(path, PATH_BYTES) if path else None


def _line(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_LINENO:
        return value
    return None


# An event carries up to eleven lines of code per frame, and the same lines come back with
# every event of the same bug: scrubbing each line once per process took ingest of a 12-frame
# event from 2.9 to 1.9 ms of server CPU (bench/ingest.py --endpoint envelope).
@functools.lru_cache(maxsize=16384)
def _code(line: str, patterns: tuple[str, ...]) -> str:
    return cap(scrub_text(line, patterns), LINE_BYTES)
