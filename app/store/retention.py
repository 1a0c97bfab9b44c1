"""Retention: raw events and hits older than `retention.days` are deleted in batches, each
batch its own short transaction, so ingest never waits long behind a purge. Rollups, groups
and their daily counts keep the history. Alerts fired as long ago go too, with their
deliveries and attempts (the database cascades). Source map bundles go when no event has used them
for as long, and sentry-cli chunks never assembled after a day."""

import logging
import random
import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, func, select

from app.db import WRITE_OPTION
from app.models import AlertFiring, ExceptionEvent, Hit, SourceMapBundle, SourceMapFile, UploadChunk

log = logging.getLogger("faultline")
BATCH = 5000
CHUNK_HOURS = 24  # sentry-cli uploads its chunks and assembles them within seconds
INTERVAL_SECONDS = 3600


def delete_batch(conn: Connection, model, before: datetime, batch: int = BATCH) -> int:
    """Delete up to `batch` rows of an event table received (a firing: fired) before a time;
    how many went."""
    at = model.fired_at if model is AlertFiring else model.received_at
    ids = conn.scalars(select(model.id).where(at < before).limit(batch)).all()
    if ids:
        conn.execute(delete(model).where(model.id.in_(ids)))
    return len(ids)


def purge_expired(engine: Engine, days: int, now: datetime) -> dict[str, int]:
    """Delete every raw event and hit older than `days`; rows removed per table."""
    before = now - timedelta(days=days)
    removed = {}
    for name, model in (("events", ExceptionEvent), ("hits", Hit)):
        removed[name] = 0
        while True:
            with engine.connect() as conn:
                conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    count = delete_batch(conn, model, before)
            removed[name] += count
            if count < BATCH:
                break
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            removed["sourcemap_bundles"] = delete_unused_bundles(conn, before)
            # Alerts are few (cool-downs see to it): a batch per hourly purge keeps up.
            delete_batch(conn, AlertFiring, before)
            conn.execute(
                delete(UploadChunk).where(
                    UploadChunk.created_at < now - timedelta(hours=CHUNK_HOURS)
                )
            )
    return removed


def delete_unused_bundles(conn: Connection, before: datetime) -> int:
    """Delete source map bundles neither uploaded nor used since a time; how many went."""
    last = func.coalesce(SourceMapBundle.last_used_at, SourceMapBundle.created_at)
    ids = conn.scalars(select(SourceMapBundle.id).where(last < before)).all()
    if ids:
        conn.execute(delete(SourceMapFile).where(SourceMapFile.bundle_id.in_(ids)))
        conn.execute(delete(SourceMapBundle).where(SourceMapBundle.id.in_(ids)))
    return len(ids)


def start_retention(engine: Engine, days: int) -> threading.Thread:
    """Purge soon after start and then about every hour (with jitter, so workers spread out)
    in a daemon thread of the serving process."""

    def run() -> None:
        time.sleep(random.uniform(5, 60))
        while True:
            try:
                removed = purge_expired(engine, days, datetime.now(UTC))
                if any(removed.values()):
                    log.info("retention: removed %(events)s events and %(hits)s hits", removed)
            except Exception:  # a failed purge is retried next time; serving goes on
                log.exception("retention purge failed")
            time.sleep(random.uniform(0.5, 1.5) * INTERVAL_SECONDS)

    thread = threading.Thread(target=run, name="faultline-retention", daemon=True)
    thread.start()
    return thread
