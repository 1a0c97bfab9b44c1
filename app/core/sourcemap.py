"""Source maps: checked when uploaded, then used to find where a minified position came from.

Parsing and lookups are Sentry's own `symbolic` (Rust; what Bugsink uses too). Given the
minified script beside its map, symbolic's SourceMapCache names the original function from
the source's scopes, as Sentry does; with the map alone, the name comes from the token at the
caller's call site, the way Sentry did before scopes.
"""

import json
from dataclasses import dataclass

from symbolic.sourcemap import SourceMapView
from symbolic.sourcemapcache import SourceMapCache

from app.core.jsscope import SourceScopes

CONTEXT_LINES = 5
# Lookups remembered per map: one bug's frames come back with each of its events. Decoding a
# token's context lines from symbolic was 70% of mapping a 12-frame event (410 -> 104 us
# median per event with the memo, bench/grouping.py).
MAX_REMEMBERED = 4096
MAX_CONTEXT_LINE = 300  # a minified line as context is noise, and may be megabytes

# Why a frame was not mapped: the API's `unmapped_reason` codes, with the words the group page
# shows (after Sentry's source map debugger).
NO_MAP = "no_map"
NOT_COVERED = "position_not_covered"
BROKEN_MAP = "broken_map"
NO_POSITION = "no_position"
NO_FILE = "no_file"
NOT_SYMBOLICATED = "not_symbolicated"
REASONS = {
    NO_MAP: "No debug ID matched a map, and no map was uploaded for this URL or file name.",
    NOT_COVERED: "The map's line range does not cover this position.",
    BROKEN_MAP: "The map could not be read.",
    NO_POSITION: "The frame has no line and column to look up.",
    NO_FILE: "The frame names no script file.",
    NOT_SYMBOLICATED: "Not looked up: source maps apply to JavaScript frames, and this event "
    "is not JavaScript or was stored before Faultline applied them.",
}
# A note on a mapped frame: the original position is known, its code is not.
NO_SOURCES_CONTENT = "The map has no sourcesContent, so no code can be shown."


class MapError(ValueError):
    """Why an upload is not a usable source map, in words for the person who sent it."""


@dataclass(frozen=True)
class MapFacts:
    """What an upload learns from a valid map: the script it explains and its debug ID."""

    file: str | None
    debug_id: str | None
    sources: int
    has_sources_content: bool


@dataclass(frozen=True)
class Original:
    """Where a minified position came from, with the code around it when the map has it."""

    file: str
    line: int
    column: int
    function: str | None
    pre_context: tuple[str, ...] = ()
    context_line: str | None = None
    post_context: tuple[str, ...] = ()


def check_map(data: bytes) -> MapFacts:
    """The facts of a valid version-3 map; MapError says what is wrong with any other file."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MapError(f"not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise MapError("not a source map: the JSON is not an object")
    if doc.get("version") != 3:
        raise MapError(f"version must be 3, not {doc.get('version')!r}")
    if "sections" in doc:
        raise MapError("index maps (with sections) are not supported: upload a flat map")
    sources = doc.get("sources")
    if not isinstance(sources, list) or not all(isinstance(s, str | None) for s in sources):
        raise MapError("`sources` must be a list of strings")
    if not isinstance(doc.get("mappings"), str):
        raise MapError("`mappings` must be a string")
    contents = doc.get("sourcesContent")
    if contents is not None and not isinstance(contents, list):
        raise MapError("`sourcesContent` must be a list")
    try:
        view = SourceMapView.from_json_bytes(data)
    except Exception as exc:  # symbolic raises its own hierarchy for every kind of damage
        raise MapError(f"invalid mappings: {exc}") from None
    if _references_missing_source(view, len(sources)):
        raise MapError("`mappings` refer to a source the map does not list")
    debug_id = doc.get("debug_id") or doc.get("debugId")
    file = doc.get("file")
    return MapFacts(
        file=file if isinstance(file, str) and file else None,
        debug_id=normalise_debug_id(debug_id) if isinstance(debug_id, str) else None,
        sources=len(sources),
        has_sources_content=bool(contents) and any(isinstance(c, str) for c in contents),
    )


# symbolic's source index of a one-field segment: generated code that comes from no source.
NO_SOURCE = 0xFFFFFFFF


def _references_missing_source(view: SourceMapView, count: int) -> bool:
    # symbolic keeps tokens whose source index is past the list; a lookup would then name no
    # file. Checking every token costs one pass at upload, never at ingest.
    return any(t.src_id is not None and t.src_id != NO_SOURCE and t.src_id >= count for t in view)


def normalise_debug_id(value: str) -> str | None:
    """A debug ID as lower-case dashed UUID text, or None when it is not one."""
    text = value.strip().lower()
    hexdigits = text.replace("-", "")
    if len(hexdigits) < 32 or any(c not in "0123456789abcdef" for c in hexdigits[:32]):
        return None
    h = hexdigits[:32]
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class LoadedMap:
    """A parsed map (and its minified script when uploaded), ready for lookups; build it once
    per stored map and keep it: parsing is the cost, lookups are microseconds."""

    def __init__(self, map_bytes: bytes, source_bytes: bytes | None = None) -> None:
        self.view = SourceMapView.from_json_bytes(map_bytes)
        self.cache = SourceMapCache.from_bytes(source_bytes, map_bytes) if source_bytes else None
        doc = json.loads(map_bytes)
        # Generated lines the map covers: a position below them would get the last token.
        self.lines = doc["mappings"].count(";") + 1
        contents = doc.get("sourcesContent") or []
        self.has_sources_content = any(isinstance(c, str) for c in contents)
        self._contents = contents
        self._split: dict[int, list[str]] = {}
        self._scopes: dict[int, SourceScopes] = {}
        self._index = {name: i for i, name in enumerate(doc.get("sources") or [])}
        self._remembered: dict[tuple, Original | str] = {}

    def lookup(self, line: int, column: int, caller: tuple[int, int] | None = None):
        """Original position of a 1-based (line, column), or the reason code why there is none;
        `caller` is the calling frame's position in the same script, which names the function
        when no minified script was uploaded."""
        key = (line, column, caller)
        found = self._remembered.get(key)
        if found is None:
            found = self._lookup(line, column, caller)
            if len(self._remembered) >= MAX_REMEMBERED:
                self._remembered.clear()
            self._remembered[key] = found
        return found

    def _lookup(self, line: int, column: int, caller: tuple[int, int] | None):
        if line < 1 or line > self.lines:
            return NOT_COVERED
        if self.cache is not None:
            token = self.cache.lookup(line, column, CONTEXT_LINES)
            if token is None or token.src is None:
                return NOT_COVERED
            return Original(
                file=token.src,
                line=token.line,
                column=token.col,
                function=self._function(self._index.get(token.src), token.line, token.col)
                or (None if self._has_content(token.src) else token.function_name),
                pre_context=tuple(_cut(s) for s in token.pre_context),
                context_line=_cut(token.context_line) if token.context_line else None,
                post_context=tuple(_cut(s) for s in token.post_context),
            )
        token = self.view.lookup(line - 1, max(column - 1, 0))
        if token is None or token.src is None or token.dst_line != line - 1:
            return NOT_COVERED
        function = self._function(token.src_id, token.src_line + 1, token.src_col + 1)
        if function is None and not self._has_content(token.src) and caller is not None:
            call = self.view.lookup(caller[0] - 1, max(caller[1] - 1, 0))
            if call is not None and call.dst_line == caller[0] - 1:
                function = call.name
        return Original(
            file=token.src,
            line=token.src_line + 1,
            column=token.src_col + 1,
            function=function,
            **self._context(token.src_id, token.src_line),
        )

    def _has_content(self, name: str | None) -> bool:
        index = self._index.get(name)
        return index is not None and index < len(self._contents) and bool(self._contents[index])

    def _function(self, source: int | None, line: int, column: int) -> str | None:
        """The enclosing function in the original source (see app/core/jsscope.py)."""
        if source is None or source >= len(self._contents):
            return None
        text = self._contents[source]
        if not isinstance(text, str):
            return None
        scopes = self._scopes.get(source)
        if scopes is None:
            scopes = self._scopes[source] = SourceScopes(text)
        return scopes.enclosing(line, column)

    def _context(self, source: int | None, line: int) -> dict:
        if source is None or source >= len(self._contents):
            return {}
        lines = self._split.get(source)
        if lines is None:
            text = self._contents[source]
            lines = text.splitlines() if isinstance(text, str) else []
            self._split[source] = lines
        if line >= len(lines):
            return {}  # the map points past the end of its source: no code to show
        return {
            "pre_context": tuple(_cut(s) for s in lines[max(0, line - CONTEXT_LINES) : line]),
            "context_line": _cut(lines[line]),
            "post_context": tuple(_cut(s) for s in lines[line + 1 : line + 1 + CONTEXT_LINES]),
        }


def _cut(text: str) -> str:
    text = text.rstrip("\r\n")
    return text if len(text) <= MAX_CONTEXT_LINE else text[: MAX_CONTEXT_LINE - 1] + "…"
