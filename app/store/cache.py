"""A per-process memo for ingest: source ids and releases already stored."""

import time


class IngestCache:
    """Per-process memo of source ids and known releases, so that most events need three
    statements. Entries expire, so other processes see a source moved to another project (or
    unassigned) within a TTL; the process that made the change clears its own at once."""

    def __init__(self, ttl_seconds: float = 30.0, max_entries: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.sources: dict[str, tuple[int, int, float]] = {}
        self.releases: set[tuple[int, str]] = set()

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

    def clear(self) -> None:
        """Forget everything (after an admin moved sources)."""
        self.sources.clear()
        self.releases.clear()
