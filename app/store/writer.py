"""Ingest writes, answered only after the transaction that holds them has committed.

On SQLite (one writer at a time) the threads of a process queue on a lock, woken at once,
rather than in SQLite's busy handler, which sleeps in growing steps. Whichever thread gets
the lock writes every record queued by then, its own and those of the threads still waiting,
in one transaction (group commit): a commit and each rollup cell are paid once per batch, not
once per event, and no thread hands work to another (a writer thread was measured too: its
hand-offs cost more CPU than batching saved). A waiting thread that gets the lock after its
record was written returns that outcome at once. PostgreSQL takes concurrent writers as
they come, one event per transaction.
"""

import fcntl
import os
import threading
from contextlib import nullcontext

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from app.core.hits import HitRecord
from app.core.pipeline import ExceptionRecord
from app.core.sentry_event import DroppedItems
from app.db import WRITE_OPTION
from app.store.cache import IngestCache
from app.store.checkpoint import Checkpointer
from app.store.dropped import save_dropped
from app.store.exceptions import save_exceptions
from app.store.hits import save_hits

# Each kind of record and the data function that stores a batch of it.
SAVERS = {ExceptionRecord: save_exceptions, HitRecord: save_hits, DroppedItems: save_dropped}


class WriteTurn:
    """Whose turn it is to write a SQLite file: one thread of one process at a time.

    Threads queue on a lock and processes on an flock of a file beside the database; both wake
    the next writer the moment the turn is released, where SQLite's own busy handler would
    sleep 1, 2, 5, 10... ms between tries.
    """

    def __init__(self, database: str | None) -> None:
        self._threads = threading.Lock()
        self._path = f"{database}-ingest.lock" if database and database != ":memory:" else None
        self._fd: int | None = None

    def __enter__(self) -> "WriteTurn":
        self._threads.acquire()
        if self._path is not None:
            try:
                if self._fd is None:
                    self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            except BaseException:
                self._threads.release()
                raise
        return self

    def __exit__(self, *_exc) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()


class _Pending:
    """One record waiting for a batch, then its outcome: stored, dropped or failed."""

    __slots__ = ("done", "error", "record", "stored")

    def __init__(self, record: ExceptionRecord | HitRecord) -> None:
        self.record = record
        self.done = False
        self.stored = False
        self.error: BaseException | None = None


class IngestWriter:
    """The process's ingest writer, for exceptions and hits alike."""

    def __init__(
        self, engine: Engine, cache: IngestCache, auto_register_cap: int, processes: int = 1
    ) -> None:
        self.engine = engine
        self.cache = cache
        self.auto_register_cap = auto_register_cap
        self.group_commit = engine.dialect.name == "sqlite"
        # The lock file only when several serving processes share the file: each flock call
        # lets the other threads take the GIL, and a lone process has no one to queue behind
        # (a command-line write waits in SQLite's busy handler instead, as it always may).
        database = engine.url.database if processes > 1 else None
        self._serial = WriteTurn(database) if self.group_commit else nullcontext()
        self._checkpointer = Checkpointer(engine) if self.group_commit else None
        self._queue_lock = threading.Lock()
        self._queue: list[_Pending] = []
        # Under group commit one thread writes at a time, so one connection serves them all
        # (no pool checkout per batch); it is replaced after it fails.
        self._connection: Connection | None = None

    def turn(self):
        """The write turn ingest takes (SQLite; nothing to take on PostgreSQL): the process's
        other writers take it too, so they queue with ingest rather than in the busy handler."""
        return self._serial

    def write(self, record: ExceptionRecord | HitRecord) -> bool:
        """Store one event or hit; True once committed, False when dropped (source cap reached).
        Raises what storing it raised (OperationalError when the database is down)."""
        if not self.group_commit:
            return self._commit([record])[0]
        pending = _Pending(record)
        with self._queue_lock:
            self._queue.append(pending)
        with self._serial:
            if not pending.done:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._write_batch(batch)
        if pending.error is not None:
            raise pending.error
        return pending.stored

    def _write_batch(self, batch: list[_Pending]) -> None:
        outcomes = self.write_many([pending.record for pending in batch])
        for pending, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                pending.error = outcome
            else:
                pending.stored = outcome
            pending.done = True

    def write_many(self, records: list) -> list[bool | Exception]:
        """Store records in one transaction; per record True (stored), False (dropped: source
        cap) or the error that kept it out. A record that fails is retried alone, so it never
        costs the others their place; when the database is down, every record gets that error."""
        try:
            return self._commit(records)
        except OperationalError as error:
            return [error] * len(records)
        except Exception as error:
            if len(records) == 1:
                return [error]
        outcomes: list[bool | Exception] = []
        for record in records:
            try:
                outcomes.append(self._commit([record])[0])
            except Exception as error:  # handed to its own request, raised there
                outcomes.append(error)
        return outcomes

    def _commit(self, records: list) -> list[bool]:
        """Store records of either kind in one transaction; per record, whether it was kept."""
        kinds: dict[type, list[int]] = {}
        for position, record in enumerate(records):
            kinds.setdefault(type(record), []).append(position)
        stored = [False] * len(records)
        conn = self._connection or self._connect()
        try:
            with conn.begin():
                for kind, positions in kinds.items():
                    saved = SAVERS[kind](
                        conn, self.cache, [records[p] for p in positions], self.auto_register_cap
                    )
                    for position, kept in zip(positions, saved, strict=True):
                        stored[position] = kept
        except Exception:
            # The cache may now name releases that were rolled back.
            self.cache.clear()
            conn.close()
            self._connection = None
            raise
        if self.group_commit:
            self._connection = conn
            self._checkpointer.committed()
        else:
            conn.close()
        return stored

    def _connect(self) -> Connection:
        conn = self.engine.connect().execution_options(**{WRITE_OPTION: True})
        if self.group_commit:
            self._checkpointer.backstop(conn.connection.driver_connection)
        return conn
