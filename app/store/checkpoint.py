"""SQLite WAL checkpoints off the ingest write path.

A checkpoint copies the write-ahead log back into the database file and syncs both to disk.
By default SQLite runs one inside whichever commit takes the log past 1,000 pages: at ingest
rates that is every second or so, and the thread that commits then holds the write turn
through two fsyncs while every other ingest thread waits behind it. Here the writer's
connection checkpoints only as a backstop, at a larger log, and a short-lived background
thread runs a passive checkpoint (one that never blocks a writer or a reader) within half a
second of a commit, at most one per half second.
"""

import logging
import threading
import time

from sqlalchemy import Engine

log = logging.getLogger("faultline.checkpoint")
# In pages of the log: SQLite's default is 1,000; the backstop only matters when the
# background checkpoints cannot keep up (or cannot finish because of a long reader).
BACKSTOP_PAGES = 8000
INTERVAL_SECONDS = 0.5


class Checkpointer:
    """Passive checkpoints of one SQLite database, run beside its writer."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._pending = False
        self._last = 0.0

    @staticmethod
    def backstop(dbapi_connection) -> None:
        """Leave this connection's own checkpoints for when the log grows past the backstop."""
        dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")

    def committed(self) -> None:
        """Note a commit: a checkpoint follows within the interval, unless one is due already."""
        if self._pending:
            return
        with self._lock:
            if self._pending:
                return
            self._pending = True
        # A thread per checkpoint rather than a resident one: none outlives the writes it
        # follows, and none exists in a process before it forks.
        threading.Thread(target=self._run, name="faultline-checkpoint", daemon=True).start()

    def _run(self) -> None:
        time.sleep(max(0.0, self._last + INTERVAL_SECONDS - time.monotonic()))
        with self._lock:
            # Commits from here on may miss this checkpoint: they start the next one.
            self._pending, self._last = False, time.monotonic()
        try:
            connection = self.engine.raw_connection()
            try:
                connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                connection.close()
        except Exception:  # the backstop still checkpoints; ingest must not notice
            log.warning("background WAL checkpoint failed", exc_info=True)
