"""Ingest writes: each event in its own committed transaction, answered only after commit.

On SQLite (one writer at a time) the threads of a process queue on a lock, woken at once,
rather than in SQLite's busy handler, which sleeps in growing steps. A writer thread that
batched events was measured too: its thread hand-offs cost more CPU than batching saved.
"""

import threading
from contextlib import nullcontext

from sqlalchemy import Engine

from app.core.hits import HitRecord
from app.core.pipeline import ExceptionRecord
from app.db import WRITE_OPTION
from app.hit_store import save_hits
from app.ingest_cache import IngestCache
from app.store import save_exceptions

# Each kind of record and the data function that stores a batch of it.
SAVERS = {ExceptionRecord: save_exceptions, HitRecord: save_hits}


class IngestWriter:
    """The process's ingest writer, for exceptions and hits alike."""

    def __init__(self, engine: Engine, cache: IngestCache, auto_register_cap: int) -> None:
        self.engine = engine
        self.cache = cache
        self.auto_register_cap = auto_register_cap
        self._serial = threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()

    def write(self, record: ExceptionRecord | HitRecord) -> bool:
        """Store one event or hit; True once committed, False when dropped (source cap reached).
        Raises what storing it raised (OperationalError when the database is down)."""
        save = SAVERS[type(record)]
        with self._serial, self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                return save(conn, self.cache, [record], self.auto_register_cap)[0]
