"""Minified frames mapped to their original file, line and function before grouping.

A stored frame keeps its minified position and gains `mapped`, `original` (file, line, column,
function), `context` (code around the line), `map` (which upload explained it and how it was
found) or `unmapped_reason`, so the group page can show both and say why a frame stayed
minified. Grouping reads the original (see `Frame.from_dict`).
"""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from app.core.frames import Frame
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
# (the DSN's project or None, source key, release) -> the `Locate` of an event's project, or
# None when that project has no maps (app/sourcemaps/resolver.py).
MapsFor = Callable[[int | None, str, str | None], Locate | None]


@dataclass(frozen=True)
class MappedStack:
    """An event's frames as stored, the frames its grouping reads, and the maps used."""

    stored: list[dict]
    grouping: list[Frame]
    maps_used: frozenset[int]


def map_stack(
    frames: list[Frame], locate: Locate | None, debug_ids: dict[str, str] | None = None
) -> MappedStack:
    """Frames looked up in their project's maps before anything groups them, so the
    fingerprint and culprit are computed once, from the original files and functions where a
    map explains a frame. Without maps (`locate` None) each frame is stored as
    reported, with the debug ID its script reported for a later upload to find."""
    if locate is None:
        stored = [frame.to_dict() for frame in frames]
        if debug_ids:
            for data in stored:
                if data["filename"] in debug_ids:
                    data["debug_id"] = debug_ids[data["filename"]]
        # Marking each frame "no map" here took server CPU per event from 1.37 to 1.67 ms
        # (bench/ingest.py): the event API and a late upload read an unmarked frame so.
        return MappedStack(stored, frames, frozenset())
    stored, grouping, used = _map_frames(frames, locate, debug_ids or {})
    return MappedStack(stored, grouping if used else frames, frozenset(used))


def symbolicate(
    frames: list[Frame], locate: Locate, debug_ids: dict[str, str] | None = None
) -> tuple[list[dict], set[int]]:
    """Frames (innermost first) as stored dicts with their original positions where a map
    explains them, and the ids of the maps used. `debug_ids` maps script URLs to the debug
    IDs the page or SDK reported; each frame keeps its own, so a map uploaded later finds it."""
    stored, _grouping, used = _map_frames(frames, locate, debug_ids or {})
    return stored, used


def _map_frames(
    frames: list[Frame], locate: Locate, debug_ids: dict[str, str]
) -> tuple[list[dict], list[Frame], set[int]]:
    stored: list[dict] = []
    grouping: list[Frame] = []
    used: set[int] = set()
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
            grouping.append(frame)
        else:
            original, ref, has_code = outcome
            used.add(ref.file_id)
            fields, original_frame = _mapped(original, ref, has_code, frame.in_app, index > 0)
            data.update(fields)
            grouping.append(original_frame)
        stored.append(data)
    return stored, grouping, used


# The same frames of one bug come back with each of its events: their fields are built once
# (shared between records, which only ever serialise them), as is the map each script URL
# finds (app/sourcemaps/resolver.py): 12-frame mapped events took 1.70 ms of server CPU each
# before both, 1.41 to 1.48 after (bench/ingest.py --mapped).
@functools.lru_cache(maxsize=8192)
def _mapped(
    original: Original, ref: MapRef, has_code: bool, in_app: bool, has_callee: bool
) -> tuple[dict, Frame]:
    """What a map adds to a stored frame, and the frame grouping reads (as `Frame.from_dict`
    reads the stored one)."""
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
    grouping = Frame(
        function=original.function,
        filename=original.file,
        lineno=original.line,
        colno=original.column,
        in_app=fields["in_app"],
        mapped=True,
        tail_call=bool(fields.get("tail_call")),
    )
    return fields, grouping


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
