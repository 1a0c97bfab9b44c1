"""Which script each uploaded source map explains, from the files of one upload.

A `.js` file names its map in `//# sourceMappingURL=` (a path beside it or an inline `data:`
URL) and may carry `//# debugId=` (sentry-cli's `sourcemaps inject`). A map given alone
explains the script named by its file name minus `.map`, or by its `file` field. URLs follow
Sentry's `~/` convention: `~/assets/app.js` is `/assets/app.js` on any origin.
"""

import base64
import posixpath
import re
from dataclasses import dataclass

from app.core.sourcemap import MapError, MapFacts, check_map, normalise_debug_id
from app.core.urls import without_query

SOURCE_MAP = "source_map"
MINIFIED_SOURCE = "minified_source"
SCRIPT_SUFFIXES = (".js", ".mjs", ".cjs")
TAIL_BYTES = 4096  # the comments sit at the end of a bundle

_COMMENT_RE = re.compile(rb"^\s*//[#@]\s*(sourceMappingURL|debugId)=\s*(\S+)\s*$", re.MULTILINE)
_INLINE_MAP_RE = re.compile(r"^data:application/json(?:;charset=[^;,]+)?;base64,(.*)$", re.I)


@dataclass(frozen=True)
class Artifact:
    """One file to store: a map or a minified script, with the script's name, URL and ID."""

    kind: str
    name: str
    url: str | None
    debug_id: str | None
    content: bytes


def script_url(prefix: str | None, path: str) -> str:
    """The URL a script is served at: the prefix (`~/` by default) joined to its path."""
    base = (prefix or "~/").rstrip("/")
    return f"{base}/{path.lstrip('/')}" if base else f"/{path.lstrip('/')}"


def read_comments(script: bytes) -> tuple[str | None, str | None]:
    """The (sourceMappingURL, debugId) a minified script declares at its end."""
    found: dict[bytes, str] = {}
    for match in _COMMENT_RE.finditer(script[-TAIL_BYTES:]):
        found[match[1]] = match[2].decode("utf-8", "replace")
    debug_id = found.get(b"debugId")
    return found.get(b"sourceMappingURL"), normalise_debug_id(debug_id) if debug_id else None


def collect(files: list[tuple[str, bytes]], url_prefix: str | None = None) -> list[Artifact]:
    """Artifacts for one upload of (relative path, content) pairs; MapError names the file
    that is wrong, and nothing is kept from an upload with a broken map."""
    maps: dict[str, bytes] = {}
    scripts: dict[str, bytes] = {}
    for path, content in files:
        clean = posixpath.normpath(path.replace("\\", "/")).lstrip("/")
        if clean.endswith(".map"):
            maps[clean] = content
        elif clean.endswith(SCRIPT_SUFFIXES):
            scripts[clean] = content
    facts = {path: _checked(path, content) for path, content in maps.items()}
    artifacts: list[Artifact] = []
    explained: set[str] = set()
    for path, script in sorted(scripts.items()):
        map_url, debug_id = read_comments(script)
        name = posixpath.basename(path)
        url = script_url(url_prefix, path)
        map_path, map_content = _map_of(path, map_url, maps)
        if map_content is not None:
            if map_path is None:
                map_facts = _checked(f"{path} (inline map)", map_content)
            else:
                map_facts = facts[map_path]
                explained.add(map_path)
            debug_id = debug_id or map_facts.debug_id
            artifacts.append(Artifact(SOURCE_MAP, name, url, debug_id, map_content))
        artifacts.append(Artifact(MINIFIED_SOURCE, name, url, debug_id, script))
    for path in sorted(set(maps) - explained):
        script = _script_of(path, facts[path])
        folder = posixpath.dirname(path)
        url = script_url(url_prefix, posixpath.join(folder, script))
        artifacts.append(Artifact(SOURCE_MAP, script, url, facts[path].debug_id, maps[path]))
    return artifacts


def _checked(path: str, content: bytes) -> MapFacts:
    try:
        return check_map(content)
    except MapError as exc:
        raise MapError(f"{path}: {exc}") from None


def _map_of(script: str, map_url: str | None, maps: dict[str, bytes]):
    """(path, content) of the map a script declares, else of `<script>.map` beside it."""
    if map_url:
        inline = _INLINE_MAP_RE.match(map_url)
        if inline is not None:
            try:
                return None, base64.b64decode(inline[1], validate=True)
            except ValueError:
                raise MapError(f"{script}: the inline source map is not valid base64") from None
        if "://" not in map_url:
            relative = without_query(map_url)
            candidate = posixpath.normpath(posixpath.join(posixpath.dirname(script), relative))
            if candidate in maps:
                return candidate, maps[candidate]
    beside = f"{script}.map"
    return (beside, maps[beside]) if beside in maps else (None, None)


def _script_of(map_path: str, facts: MapFacts) -> str:
    """The file name of the script a lone map explains."""
    stem = posixpath.basename(map_path)[: -len(".map")]
    if stem.endswith(SCRIPT_SUFFIXES) or not facts.file:
        return stem
    return posixpath.basename(facts.file)
