"""Finding the stored map for a frame's script, with parsed maps kept in memory.

Per project an index of its maps (by debug ID, by release + URL, by file name) is read once
and re-read only when an upload or delete changed the project's files (checked at most once
a second). Parsed maps are kept in a small LRU: a cold 1 MB map costs milliseconds to parse
(`bench/grouping.py` prints the figure), a warm lookup microseconds.
"""

import threading
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, func, select

from app.core.sourcemap import BROKEN_MAP, NO_MAP, LoadedMap
from app.core.sourcemap_files import MINIFIED_SOURCE, SOURCE_MAP
from app.core.symbolicate import BY_DEBUG_ID, BY_FILE_NAME, BY_RELEASE_URL, Locate, MapRef
from app.core.urls import without_query
from app.models import Source, SourceMapFile

INDEX_TTL_SECONDS = 1.0
MAX_LOADED = 48


@dataclass
class MapIndex:
    """One project's maps: file id and bundle id by debug ID, (release, URL) and file name."""

    generation: tuple
    by_debug_id: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    by_url: dict[tuple[str | None, str], tuple[int, int, str]] = field(default_factory=dict)
    by_name: dict[str, list[tuple[int, int, str, str | None]]] = field(default_factory=dict)
    # (bundle id, script name) -> file id of the minified script uploaded beside a map
    sources: dict[tuple[int, str], int] = field(default_factory=dict)
    # (script URL, debug ID, release) -> what _find answered: the same scripts recur.
    found: dict[tuple, tuple | None] = field(default_factory=dict)
    checked_at: float = 0.0


def url_keys(filename: str) -> list[str]:
    """The stored URLs a frame's script URL can match: itself and `~/path` (any origin)."""
    url = without_query(filename)
    keys = [url]
    if "://" in url:
        rest = url.split("://", 1)[1]
        path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        keys.append("~" + path)
    elif url.startswith("/"):
        keys.append("~" + url)
    return keys


def file_name(filename: str) -> str:
    """The last path segment of a script URL, query cut."""
    return without_query(filename).rstrip("/").rsplit("/", 1)[-1]


class MapResolver:
    """The process's source map lookups for ingest and for re-symbolication."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._indexes: dict[int, MapIndex] = {}
        self._loaded: OrderedDict[int, LoadedMap | str] = OrderedDict()
        self._projects: dict[str, tuple[int | None, float]] = {}

    def project_of_source(self, source_key: str) -> int | None:
        """The project a page-borne report's source belongs to, if registered (cached 30 s,
        a miss 1 s)."""
        entry = self._projects.get(source_key)
        if entry is not None and entry[1] > time.monotonic():
            return entry[0]
        with self.engine.connect() as conn:
            project_id = conn.scalar(select(Source.project_id).where(Source.key == source_key))
        # A miss is kept a second only: a site's first report registers it, and the reports
        # after its first upload must find that project (this process forgets misses then).
        if len(self._projects) > 10_000:
            self._projects.clear()
        ttl = 30.0 if project_id is not None else 1.0
        self._projects[source_key] = (project_id, time.monotonic() + ttl)
        return project_id

    def has_maps(self, project_id: int) -> bool:
        """Whether the project has any map at all (most projects without maps pay one cached
        check per event)."""
        return bool(self._index(project_id).generation[0])

    def maps_for(
        self, project_id: int | None, source_key: str, release: str | None
    ) -> Locate | None:
        """Ingest's `MapsFor`: the maps of an event's project (the DSN's, else its page
        source's), or None when it has none. Called in the request thread, outside the write
        turn, so a cold map's parse never holds up other writers."""
        project_id = project_id or self.project_of_source(source_key)
        if project_id is None or not self.has_maps(project_id):
            return None
        return self.locator(project_id, release)

    def locator(
        self, project_id: int, release: str | None, conn: Connection | None = None
    ) -> Locate:
        """A `locate(filename, debug_id)` for one event of a project and release."""
        index = self._index(project_id, conn)
        # An event's frames mostly sit in one or two scripts: each is looked up once per event.
        this_event: dict[tuple, object] = {}

        def locate(filename: str, debug_id: str | None):
            if (filename, debug_id) not in this_event:
                this_event[filename, debug_id] = find(filename, debug_id)
            return this_event[filename, debug_id]

        def find(filename: str, debug_id: str | None):
            key = (filename, debug_id, release)
            if key in index.found:
                found = index.found[key]
            else:
                found = self._find(index, filename, debug_id, release)
                if len(index.found) < 10_000:
                    index.found[key] = found
            if found is None:
                return NO_MAP
            file_id, bundle_id, name, how = found
            loaded = self._load(index, file_id, bundle_id, name, conn)
            if isinstance(loaded, str):
                return loaded
            return loaded, MapRef(file_id, bundle_id, name, how)

        return locate

    def forget(self, project_id: int) -> None:
        """Drop a project's index at once (after an upload or delete in this process)."""
        with self._lock:
            self._indexes.pop(project_id, None)
            misses = [key for key, (found, _) in self._projects.items() if found is None]
            for key in misses:
                self._projects.pop(key, None)

    @staticmethod
    def _find(index: MapIndex, filename: str, debug_id: str | None, release: str | None):
        if debug_id and debug_id in index.by_debug_id:
            return (*index.by_debug_id[debug_id], BY_DEBUG_ID)
        for key in url_keys(filename):
            hit = index.by_url.get((release, key))
            if hit is not None:
                return (*hit, BY_RELEASE_URL)
        candidates = index.by_name.get(file_name(filename))
        if candidates:
            # Hashed bundle names are unique; a plain `app.js` prefers its own release.
            same = [c for c in candidates if c[3] == release]
            file_id, bundle_id, name, _ = (same or candidates)[-1]
            return file_id, bundle_id, name, BY_FILE_NAME
        return None

    def _index(self, project_id: int, conn: Connection | None = None) -> MapIndex:
        now = time.monotonic()
        index = self._indexes.get(project_id)
        if index is not None and now - index.checked_at < INDEX_TTL_SECONDS:
            return index
        with _connection(self.engine, conn) as c:
            generation = tuple(
                c.execute(
                    select(func.count(SourceMapFile.id), func.max(SourceMapFile.id)).where(
                        SourceMapFile.project_id == project_id
                    )
                ).one()
            )
            if index is None or index.generation != generation:
                index = _read_index(c, project_id, generation)
        index.checked_at = now
        with self._lock:
            self._indexes[project_id] = index
        return index

    def _load(self, index: MapIndex, file_id: int, bundle_id: int, name: str, conn):
        with self._lock:
            loaded = self._loaded.get(file_id)
            if loaded is not None:
                self._loaded.move_to_end(file_id)
                return loaded
        source_id = index.sources.get((bundle_id, name))
        with _connection(self.engine, conn) as c:
            map_bytes = _content(c, file_id)
            source_bytes = _content(c, source_id) if source_id is not None else None
        try:
            loaded = LoadedMap(map_bytes, source_bytes) if map_bytes is not None else NO_MAP
        except Exception:  # validated at upload; a map symbolic still refuses stays unmapped
            loaded = BROKEN_MAP
        with self._lock:
            self._loaded[file_id] = loaded
            while len(self._loaded) > MAX_LOADED:
                self._loaded.popitem(last=False)
        return loaded


def _read_index(conn: Connection, project_id: int, generation: tuple) -> MapIndex:
    index = MapIndex(generation=generation)
    rows = conn.execute(
        select(
            SourceMapFile.id,
            SourceMapFile.bundle_id,
            SourceMapFile.kind,
            SourceMapFile.url,
            SourceMapFile.name,
            SourceMapFile.debug_id,
            SourceMapFile.release,
        )
        .where(SourceMapFile.project_id == project_id)
        .order_by(SourceMapFile.id)
    )
    for row in rows:
        if row.kind == MINIFIED_SOURCE:
            index.sources[row.bundle_id, row.name] = row.id
            continue
        if row.kind != SOURCE_MAP:
            continue
        entry = (row.id, row.bundle_id, row.name)
        if row.debug_id:
            index.by_debug_id[row.debug_id] = entry
        if row.url:
            index.by_url[row.release, row.url] = entry
        index.by_name.setdefault(row.name, []).append((*entry, row.release))
    return index


def _content(conn: Connection, file_id: int) -> bytes | None:
    stored = conn.scalar(select(SourceMapFile.content).where(SourceMapFile.id == file_id))
    return zlib.decompress(stored) if stored is not None else None


class _connection:
    """The caller's connection when given (inside its transaction), else a short one."""

    def __init__(self, engine: Engine, conn: Connection | None) -> None:
        self.engine, self.conn, self.own = engine, conn, None

    def __enter__(self) -> Connection:
        if self.conn is not None:
            return self.conn
        self.own = self.engine.connect()
        return self.own

    def __exit__(self, *_exc) -> None:
        if self.own is not None:
            self.own.close()
