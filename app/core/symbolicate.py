"""Minified frames mapped to their original file, line and function before grouping.

A stored frame keeps its minified position and gains `mapped`, `original` (file, line, column,
function), `context` (code around the line), `map` (which upload explained it and how it was
found) or `unmapped_reason`, so the group page can show both and say why a frame stayed
minified. Grouping reads the original (see `Frame.from_dict`).
"""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from app.core import fingerprint as fp
from app.core.engines import event_engine
from app.core.frames import Frame
from app.core.pipeline import ExceptionRecord
from app.core.sourcemap import (
    BROKEN_MAP,
    NO_FILE,
    NO_MAP,
    NO_POSITION,
    NO_SOURCES_CONTENT,
    NOT_SYMBOLICATED,
    REASONS,
    LoadedMap,
    Original,
)

# Tracker reports (no platform) and the JavaScript SDKs; a Python frame has no map.
MAPPED_PLATFORMS = frozenset({None, "javascript", "node"})

# How a frame's script was matched to its map, in the order they are tried.
BY_DEBUG_ID = "debug_id"
BY_RELEASE_URL = "release_url"
BY_FILE_NAME = "file_name"


@dataclass(frozen=True)
class MapRef:
    """Which stored map explained a frame, and how it was found."""

    file_id: int
    bundle_id: int
    name: str
    matched_by: str


# (script URL, its debug ID) -> the map for that script, or a reason code (NO_MAP, BROKEN_MAP).
Locate = Callable[[str, str | None], "tuple[LoadedMap, MapRef] | str"]


def symbolicate(
    frames: list[Frame], locate: Locate, debug_ids: dict[str, str] | None = None
) -> tuple[list[dict], set[int]]:
    """Frames (innermost first) as stored dicts with their original positions where a map
    explains them, and the ids of the maps used. `debug_ids` maps script URLs to the debug
    IDs the page or SDK reported; each frame keeps its own, so a map uploaded later finds it."""
    stored: list[dict] = []
    used: set[int] = set()
    debug_ids = debug_ids or {}
    for index, frame in enumerate(frames):
        data = frame.to_dict()
        debug_id = debug_ids.get(frame.filename) if frame.filename else None
        if debug_id:
            data["debug_id"] = debug_id
        caller = frames[index + 1] if index + 1 < len(frames) else None
        outcome = _map_frame(frame, caller, debug_id, locate)
        if isinstance(outcome, str):
            data["mapped"] = False
            data["unmapped_reason"] = outcome
        else:
            original, ref, has_code = outcome
            used.add(ref.file_id)
            data.update(_mapped_fields(original, ref, has_code, frame.in_app, index > 0))
        stored.append(data)
    return stored, used


# The same frames of one bug come back with each of its events: their fields are built once
# (shared between records, which only ever serialise them), as is the map each script URL
# finds (app/sourcemaps/resolver.py): 12-frame mapped events took 1.70 ms of server CPU each
# before both, 1.41 to 1.48 after (bench/ingest.py --mapped).
@functools.lru_cache(maxsize=8192)
def _mapped_fields(
    original: Original, ref: MapRef, has_code: bool, in_app: bool, has_callee: bool
) -> dict:
    """What a map adds to a stored frame."""
    fields: dict = {
        "mapped": True,
        "original": {
            "file": original.file,
            "line": original.line,
            "column": original.column,
            # None when the original code is anonymous there: never the mangled name.
            "function": original.function,
        },
        "in_app": in_app and "/node_modules/" not in original.file,
    }
    if has_callee and is_tail_call(original.context_line, original.column):
        fields["tail_call"] = True
    if original.context_line is not None:
        fields["context"] = {
            "pre": list(original.pre_context),
            "line": original.context_line,
            "post": list(original.post_context),
        }
    fields["map"] = {
        "file_id": ref.file_id,
        "bundle_id": ref.bundle_id,
        "name": ref.name,
        "matched_by": ref.matched_by,
    }
    if not has_code:
        fields["map_note"] = NO_SOURCES_CONTENT
    return fields


_CALLEE_RE = re.compile(r"(?:[\w$]+\s*\??\.\s*)*[\w$]*$")
_CALLEE_AHEAD_RE = re.compile(r"[\w$]*(?:\s*\??\.\s*[\w$]+)*\s*")
_ENDS_EXPRESSION = (";", "}", ")", ",", ":", "//")


@functools.lru_cache(maxsize=4096)
def is_tail_call(line: str | None, column: int) -> bool:
    """Whether the call at a 1-based column of an original line is the function's last act
    (`return f(x)`, an arrow's body `() => f(x)`): engines with proper tail calls drop the
    calling frame, so it must not decide the group."""
    if not line or column < 1 or line[column - 1 :].startswith("new "):
        return False  # `return new X()` constructs: no engine drops that frame
    head = _CALLEE_RE.sub("", line[: column - 1]).rstrip()
    if not (head.endswith("=>") or re.search(r"(?:^|[^\w$])return$", head)):
        return False
    return _call_ends_expression(line, column - 1)


def _call_ends_expression(line: str, start: int) -> bool:
    """Whether nothing uses the result of the call at `start` (`return f(x) + 1` does): past
    the callee and its balanced arguments only the end of the expression may follow. A call
    whose arguments run past this line counts as ending it."""
    at = _CALLEE_AHEAD_RE.match(line, start).end()
    if at >= len(line) or line[at] != "(":
        return True
    depth = 0
    for index in range(at, len(line)):
        depth += (line[index] == "(") - (line[index] == ")")
        if depth == 0:
            rest = line[index + 1 :].strip()
            return not rest or rest.startswith(_ENDS_EXPRESSION)
    return True


def _map_frame(frame: Frame, caller: Frame | None, debug_id: str | None, locate: Locate):
    if not frame.filename:
        return NO_FILE
    if frame.lineno is None or frame.colno is None:
        return NO_POSITION
    located = locate(frame.filename, debug_id)
    if isinstance(located, str):
        return located
    loaded, ref = located
    call_site = None
    if caller is not None and caller.filename == frame.filename and caller.lineno and caller.colno:
        call_site = (caller.lineno, caller.colno)
    try:
        original = loaded.lookup(frame.lineno, frame.colno, call_site)
    except Exception:  # a stored map symbolic chokes on must not fail the ingest
        return BROKEN_MAP
    if isinstance(original, Original):
        return original, ref, loaded.has_sources_content
    return original


def frame_view(data: dict, looked_up: bool = True) -> dict:
    """A stored frame as the API shows it: `mapped` always, and the words for a reason code.
    A frame stored without a lookup (its project had no maps then) of an event maps apply to
    (`looked_up`) had no map; of another event, it was not looked up at all."""
    if data.get("mapped"):
        return data
    reason = data.get("unmapped_reason") or (NO_MAP if looked_up else NOT_SYMBOLICATED)
    return {
        **data,
        "mapped": False,
        "unmapped_reason": reason,
        "unmapped_detail": REASONS.get(reason),
    }


def awaits_map(frame: dict) -> bool:
    """Whether a stored frame may be explained by a map uploaded later: it found none, or was
    stored without a lookup because its project had no maps."""
    return "mapped" not in frame or frame.get("unmapped_reason") == NO_MAP


def apply_maps(record: ExceptionRecord, locate: Locate) -> ExceptionRecord:
    """The record with its frames mapped and, when a map explained any, grouped by the
    original files and functions (the fingerprint, title and culprit computed again)."""
    frames = [Frame.from_dict(data) for data in record.frames]
    stored, used = symbolicate(frames, locate, record.debug_ids)
    if not used:
        return replace(record, frames=stored)
    grouping = [Frame.from_dict(data) for data in stored]
    message = record.message_template or record.message
    engine = event_engine(record.platform, record.browser, record.os)
    fingerprint = fp.compute(
        record.exc_type, message, grouping, record.fingerprint_override, engine
    )
    return replace(
        record,
        frames=stored,
        fingerprint=fingerprint.hash,
        fingerprint_version=fingerprint.version,
        fingerprint_basis=fingerprint.basis,
        culprit=fp.culprit(grouping, record.exc_type, engine),
        maps_used=frozenset(used),
    )


def with_debug_ids(record: ExceptionRecord) -> ExceptionRecord:
    """The record with each frame's debug ID noted, unmapped: what a later upload looks for."""
    ids = record.debug_ids
    if not ids:
        return record
    frames = [
        {**data, "debug_id": ids[data["filename"]]} if data.get("filename") in ids else data
        for data in record.frames
    ]
    return replace(record, frames=frames)
