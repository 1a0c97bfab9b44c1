"""Group commit for ingest: request threads hand their events to one writer thread per
process, which stores whatever has queued up in one transaction and then wakes them.

Each request still answers only after its event is committed; under load a transaction
carries many events, so SQLite's single writer and the per-statement cost are shared.
"""

import logging
import queue
import threading
from dataclasses import dataclass, field

from sqlalchemy import Engine

from app.core.pipeline import ExceptionRecord
from app.db import WRITE_OPTION
from app.store import IngestCache, save_exceptions

log = logging.getLogger("faultline.writer")
MAX_BATCH = 64


@dataclass
class _Pending:
    record: ExceptionRecord
    done: threading.Event = field(default_factory=threading.Event)
    stored: bool = False
    error: BaseException | None = None


class BatchWriter:
    """The process's ingest writer; `write` blocks until the event is committed."""

    def __init__(self, engine: Engine, cache: IngestCache, auto_register_cap: int) -> None:
        self.engine = engine
        self.cache = cache
        self.auto_register_cap = auto_register_cap
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def write(self, record: ExceptionRecord) -> bool:
        """Store one event; True once committed, False when dropped (source cap reached).
        Raises what storing it raised (for example OperationalError when the database is down)."""
        pending = _Pending(record)
        self._ensure_thread()
        self._queue.put(pending)
        pending.done.wait()
        if pending.error is not None:
            raise pending.error
        return pending.stored

    def _ensure_thread(self) -> None:
        # Started on first use, so that under gunicorn each worker starts its own after the fork.
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="ingest-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write_batch(batch)

    def _write_batch(self, batch: list[_Pending]) -> None:
        try:
            stored = self._commit([pending.record for pending in batch])
        except Exception as error:
            # A bad event must not fail the others, and a cached source whose project was
            # just deleted must not fail anything: forget the cache, then store one by one.
            self.cache.clear()
            if len(batch) > 1:
                for pending in batch:
                    self._write_batch([pending])
            else:
                self._retry_alone(batch[0], error)
            return
        for pending, was_stored in zip(batch, stored, strict=True):
            pending.stored = was_stored
            pending.done.set()

    def _retry_alone(self, pending: _Pending, first_error: Exception) -> None:
        try:
            pending.stored = self._commit([pending.record])[0]
        except Exception as error:
            log.warning("event not stored: %s", type(error).__name__)
            pending.error = error if type(error) is type(first_error) else first_error
        pending.done.set()

    def _commit(self, records: list[ExceptionRecord]) -> list[bool]:
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                return save_exceptions(conn, self.cache, records, self.auto_register_cap)
