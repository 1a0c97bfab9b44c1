"""Ingest's step between building a record and writing it: its frames mapped by the project's
stored source maps (in the request thread, outside the write turn, so a cold map's parse never
holds up other writers)."""

from app.core.pipeline import ExceptionRecord
from app.core.sourcemap import NO_MAP
from app.core.symbolicate import apply_maps
from app.sourcemaps.resolver import MapResolver

# Tracker reports (no platform) and the JavaScript SDKs; a Python frame has no map.
MAPPED_PLATFORMS = frozenset({None, "javascript", "node"})


def _no_maps(_filename: str, _debug_id: str | None) -> str:
    return NO_MAP


def map_record(resolver: MapResolver, record: ExceptionRecord) -> ExceptionRecord:
    """The record with its frames looked up in the project's maps (each says why when none)."""
    if not record.frames or record.platform not in MAPPED_PLATFORMS:
        return record
    project_id = record.project_id or resolver.project_of_source(record.source_key)
    if project_id is None:
        return apply_maps(record, _no_maps)  # a source seen for the first time has no maps
    return apply_maps(record, resolver.locator(project_id, record.release))
