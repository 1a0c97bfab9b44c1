"""Storing events: batches count each group once, and a stale cache never loses an event."""

import dataclasses
import sqlite3
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, make_url, select
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.cli import run_migrations
from app.core.pipeline import IngestRules, RequestFacts, build_exception
from app.models import ExceptionEvent, ExceptionGroup, GroupDay, GroupTransition
from app.store.cache import IngestCache
from app.store.exceptions import find_or_register_source, save_exceptions
from tests.conftest import CHROME_UA, payload


def record(config, name="chrome_typeerror", at=None, **changes):
    """A record built by the real pipeline from a stored payload."""
    facts = RequestFacts(user_agent=CHROME_UA, received_at=at or datetime.now(UTC))
    rules = IngestRules(caps=config["ingest"]["caps"])
    return build_exception(payload(name, **changes), facts, rules)


def test_a_batch_counts_each_group_once(app, config, session):
    now = datetime.now(UTC)
    batch = [
        record(config, at=now, v="shop@1.0"),
        record(config, "chrome_referenceerror", at=now),
        record(config, at=now + timedelta(seconds=1), v="shop@1.1"),
        record(config, at=now + timedelta(days=1), v=None),
    ]
    engine = app.extensions["faultline.engine"]
    with engine.begin() as conn:
        assert save_exceptions(conn, IngestCache(), batch, 100) == [True] * 4
    groups = {g.exc_type: g for g in session.scalars(select(ExceptionGroup))}
    typeerror = groups["TypeError"]
    assert typeerror.event_count == 3
    assert (typeerror.first_release, typeerror.last_release) == ("shop@1.0", "shop@1.1")
    assert typeerror.last_seen == now + timedelta(days=1)
    assert groups["ReferenceError"].event_count == 1
    days = session.scalars(select(GroupDay.count).where(GroupDay.group_id == typeerror.id))
    assert sorted(days) == [1, 2]
    created = session.scalar(select(func.count()).select_from(GroupTransition))
    assert created == 2
    assert session.scalar(select(func.count()).select_from(ExceptionEvent)) == 4


def test_a_failing_record_leaves_its_batch_mates_stored(app, config, session):
    first = record(config)
    # The same event twice: the unique event id refuses the second copy.
    copy = dataclasses.replace(first)
    other = record(config, "chrome_referenceerror")
    outcomes = app.extensions["faultline.writer"].write_many([first, copy, other])
    assert outcomes[0] is True and outcomes[2] is True
    assert isinstance(outcomes[1], IntegrityError)
    stored = set(session.scalars(select(ExceptionEvent.event_id)))
    assert stored == {first.event_id, other.event_id}
    counts = dict(
        session.execute(select(ExceptionGroup.exc_type, ExceptionGroup.event_count)).all()
    )
    assert counts == {"TypeError": 1, "ReferenceError": 1}


def test_event_ids_are_sentry_shaped_unique_and_in_arrival_order(config):
    """Ids made later sort later (new rows land at the end of the unique index)."""
    first = record(config)
    time.sleep(0.002)
    later = [record(config).event_id for _ in range(200)]
    assert all(len(event_id) == 32 and int(event_id, 16) for event_id in later)
    assert len(set(later)) == 200
    assert all(first.event_id < event_id for event_id in later)


def test_concurrent_writers_in_one_process_count_every_event(app, config, session):
    writer = app.extensions["faultline.writer"]
    records = [record(config) for _ in range(40)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(writer.write, records)) == [True] * 40
    group = session.scalars(select(ExceptionGroup)).one()
    assert group.event_count == 40
    assert session.scalar(select(func.sum(GroupDay.count))) == 40


def test_a_source_is_cached_only_once_its_registration_has_committed(app):
    # Another thread of the process would otherwise store events under a project that its
    # own transaction cannot see yet (a foreign-key error, answered 500, on PostgreSQL).
    engine, cache, key = app.extensions["faultline.engine"], IngestCache(), "https://new.example"
    now = datetime.now(UTC)
    with engine.begin() as conn:
        registered = find_or_register_source(conn, cache, key, "web", 100, now)
        assert registered is not None
        assert cache.source(key) is None
    with engine.begin() as conn:
        assert find_or_register_source(conn, cache, key, "web", 100, now) == registered
    assert cache.source(key) == registered


def _events_in_file_alone(path: str, folder, event_ids: list[str]) -> int:
    """How many of the events a copy of the database file holds without its write-ahead log."""
    for attempt in range(100):
        # Copied by another process, as a backup would be: closing a descriptor of the file
        # in this one would drop the SQLite locks of this process's connections to it.
        copy = folder / f"copy-{attempt}.db"
        subprocess.run(["cp", path, str(copy)], check=True)
        conn = sqlite3.connect(copy)
        try:
            marks = ",".join("?" * len(event_ids))
            sql = f"SELECT count(*) FROM exception_events WHERE event_id IN ({marks})"
            return conn.execute(sql, event_ids).fetchone()[0]
        except sqlite3.DatabaseError:
            time.sleep(0.05)  # copied halfway through a checkpoint: copy again
        finally:
            conn.close()
    raise AssertionError("no consistent copy of the database file")


def test_committed_events_reach_the_database_file_not_only_its_log(config, tmp_path):
    """The background checkpoint copies what ingest committed into the file itself within
    a second; SQLite's own copies it only once the log passes 1,000 pages, inside the commit
    that got there, while every other writer waits. (A SQLite file of its own, so that the
    PostgreSQL pass runs it too.)"""
    url = f"sqlite:///{tmp_path}/ingest.db"
    run_migrations(url)
    app = create_app({**config, "database": {**config["database"], "url": url}})
    try:
        writer = app.extensions["faultline.writer"]
        records = [record(config) for _ in range(5)]
        assert [writer.write(r) for r in records] == [True] * 5
        path, ids = make_url(url).database, [r.event_id for r in records]
        deadline = time.monotonic() + 10
        while (found := _events_in_file_alone(path, tmp_path, ids)) < 5:
            assert time.monotonic() < deadline, f"{found} of 5 events in the file after 10 s"
            time.sleep(0.05)
    finally:
        app.extensions["faultline.engine"].dispose()
