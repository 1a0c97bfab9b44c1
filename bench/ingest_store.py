"""What the ingest benchmark reads back from its server's SQLite file, and the project (and
source maps) it sets up there through the real command line."""

import json
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT)]

from minified_events import BUILD  # noqa: E402
from reports import AREAS, KINDS  # noqa: E402

BUGS = len(AREAS) * len(KINDS)


def wait_stored(stored, expected: int, timeout: float) -> tuple[float, bool]:
    """Poll `stored()` until it reaches `expected`; (perf_counter when it did, whether it did).
    Gives up after `timeout` s, or after 10 s without progress."""
    deadline = time.monotonic() + timeout
    last, last_change = -1, time.monotonic()
    while True:
        try:
            count = stored()
        except sqlite3.OperationalError:  # the file is locked for a moment by a commit
            count = last
        now = time.monotonic()
        if count >= expected:
            return time.perf_counter(), True
        if count != last:
            last, last_change = count, now
        if now > deadline or now - last_change > 10:
            return time.perf_counter(), False
        time.sleep(0.05)


def event_counter(database: Path):
    """A callable counting stored exception events in the SQLite file (read-only)."""

    def count() -> int:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            return db.execute("SELECT count(*) FROM exception_events").fetchone()[0]

    return count


def create_project(cli: list[str], port: int) -> dict:
    """`faultline project create` in the benchmark's database; the DSN pointed at `port`."""
    out = subprocess.run(
        [*cli, "project", "create", "--name", "bench"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    project = json.loads(out.stdout.strip().splitlines()[-1])
    parts = urlsplit(project["dsn"])
    netloc = f"{parts.username}@127.0.0.1:{port}"
    project["dsn"] = urlunsplit(parts._replace(netloc=netloc))
    return project


def upload_build_maps(cli: list[str], database_url: str) -> None:
    """A project owning the shop's page source, with the minified build's map uploaded."""
    from sqlalchemy.orm import Session

    from app.db import make_engine
    from app.models import Source

    create_project(cli, 0)
    engine = make_engine(database_url)
    with Session(engine) as session:
        key = "https://shop.example.com"
        session.add(Source(project_id=1, key=key, kind="web", created_at=datetime.now(UTC)))
        session.commit()
    engine.dispose()
    upload = [*cli, "sourcemaps", "upload", "--project", "1", "--url-prefix", "~/assets"]
    subprocess.run([*upload, str(BUILD / "assets")], cwd=ROOT, check=True, capture_output=True)


def verify_hits(database: Path, acknowledged: int) -> dict:
    """Hits stored, read straight from the SQLite file (every benchmark hit is storable)."""
    with sqlite3.connect(database) as db:
        stored = db.execute("SELECT count(*) FROM hits").fetchone()[0]
        kinds = dict(db.execute("SELECT kind, count(*) FROM hits GROUP BY kind").fetchall())
    return {
        "acknowledged": acknowledged,
        "stored_events": stored,
        "events_match": stored == acknowledged,
        "kinds": kinds,
    }


def verify(database: Path, acknowledged: int) -> dict:
    """Events stored and groups made, read straight from the SQLite file."""
    with sqlite3.connect(database) as db:
        events = db.execute("SELECT count(*) FROM exception_events").fetchone()[0]
        groups = db.execute(
            "SELECT event_count, title, fingerprint_basis FROM exception_groups"
            " ORDER BY fingerprint_basis"
        ).fetchall()
    return {
        "acknowledged": acknowledged,
        "stored_events": events,
        "events_match": events == acknowledged,
        "groups": len(groups),
        "expected_groups": BUGS,
        "group_sample": [list(row) for row in groups[: 2 * BUGS]] if len(groups) != BUGS else [],
    }
