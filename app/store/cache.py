"""A per-process memo for ingest: source ids, releases already stored, projects' DSN keys."""

import time


class IngestCache:
    """Per-process memo of source ids and known releases, so that most events need three
    statements. Entries expire, so other processes see a source moved to another project (or
    unassigned) within a TTL; the process that made the change clears its own at once."""

    def __init__(
        self, ttl_seconds: float = 30.0, max_entries: int = 10_000, key_ttl_seconds: float = 1.0
    ) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.sources: dict[str, tuple[int, int, float]] = {}
        self.releases: set[tuple[int, str]] = set()
        # A rotated key must stop working at once: a second in other processes, never more
        # (the process that rotated it clears its own). Reading the key per envelope cost a
        # connection checkout and a query, a tenth of ingest's CPU.
        self.key_ttl = key_ttl_seconds
        self.keys: dict[int, tuple[str | None, float]] = {}
        self.maps_noted: dict[int, float] = {}

    def project_key(self, project_id: int) -> tuple[bool, str | None]:
        """(fresh, key) of a project: its current DSN key, None when it has none (deleted)."""
        entry = self.keys.get(project_id)
        if entry is None or entry[1] < time.monotonic():
            return False, None
        return True, entry[0]

    def remember_project_key(self, project_id: int, key: str | None) -> None:
        """Cache a project's key (None: no such live project) for the key TTL."""
        if len(self.keys) >= self.max_entries:
            self.keys.clear()
        self.keys[project_id] = (key, time.monotonic() + self.key_ttl)

    def source(self, key: str) -> tuple[int, int] | None:
        """Cached (source id, project id), if fresh."""
        entry = self.sources.get(key)
        if entry is None or entry[2] < time.monotonic():
            return None
        return entry[0], entry[1]

    def remember_source(self, key: str, ids: tuple[int, int]) -> None:
        """Cache a source lookup."""
        if len(self.sources) >= self.max_entries:
            self.sources.clear()
        self.sources[key] = (*ids, time.monotonic() + self.ttl)

    def release_known(self, project_id: int, version: str) -> bool:
        """True when this process already stored the release."""
        return (project_id, version) in self.releases

    def remember_release(self, project_id: int, version: str) -> None:
        """Note a stored release."""
        if len(self.releases) >= self.max_entries:
            self.releases.clear()
        self.releases.add((project_id, version))

    def map_use_due(self, file_id: int, every_seconds: float = 60.0) -> bool:
        """True (and noted) when this process has not recorded the map's use for a while."""
        now = time.monotonic()
        if self.maps_noted.get(file_id, float("-inf")) > now - every_seconds:
            return False
        if len(self.maps_noted) >= self.max_entries:
            self.maps_noted.clear()
        self.maps_noted[file_id] = now
        return True

    def clear(self) -> None:
        """Forget everything (after an admin moved sources or rotated a key)."""
        self.sources.clear()
        self.releases.clear()
        self.keys.clear()
