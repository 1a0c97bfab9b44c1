"""Writes: ingest's writer and what it stores, rollups, projects and retention. Never commits
except through the writer's own transactions."""

from app.store.cache import IngestCache
from app.store.projects import create_project, delete_project
from app.store.retention import purge_expired, start_retention
from app.store.writer import IngestWriter

__all__ = [
    "IngestCache",
    "IngestWriter",
    "create_project",
    "delete_project",
    "purge_expired",
    "start_retention",
]
