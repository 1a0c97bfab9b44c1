"""Analytics writes: hits (page loads, unloads, custom events, pixel loads) and pixels.

Like app/store/exceptions.py: the hot path runs on a Core connection with prebuilt statements;
nothing here commits.
"""

import re
import secrets
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import raw_sql
from app.core.hits import HitRecord
from app.core.traffic import hit_contribution
from app.models import Pixel
from app.store.cache import IngestCache
from app.store.exceptions import find_or_register_source
from app.store.rollups import add_to_rollups
from app.store.statements import statements

PIXEL_ID_BYTES = 12  # 16 URL-safe characters: not enumerable
# What token_urlsafe makes; anything else is unknown without asking the database (which may
# refuse some characters, e.g. NUL on PostgreSQL).
_PIXEL_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")


def valid_pixel_id(pixel_id: str) -> bool:
    """True when the text could be a pixel id at all."""
    return _PIXEL_ID_RE.fullmatch(pixel_id) is not None


def save_hits(
    conn: Connection, cache: IngestCache, records: list[HitRecord], auto_register_cap: int
) -> list[bool]:
    """Insert a batch of hits and their rollups, registering new sources as exceptions do; per
    record, whether it was stored (False: the source cap was reached or it is unassigned)."""
    sql = statements(conn)
    rows, stored, rollup_entries = [], [], []
    for record in records:
        if record.project_id is not None:
            placed = _pixel_source(conn, cache, record)
        else:
            placed = find_or_register_source(
                conn,
                cache,
                record.source_key,
                record.source_kind,
                auto_register_cap,
                record.received_at,
            )
        stored.append(placed is not None)
        if placed is not None:
            source_id, project_id = placed
            rows.append(_hit_row(record, source_id=source_id, project_id=project_id))
            rollup_entries.append(
                (
                    project_id,
                    source_id,
                    record.received_at,
                    hit_contribution(record),
                    record.duration_ms,
                )
            )
    if rows:
        raw_sql.execute(conn, sql.insert_hit, rows)
        add_to_rollups(conn, rollup_entries)
    return stored


def _pixel_source(conn: Connection, cache: IngestCache, record: HitRecord) -> tuple[int, int]:
    # A pixel's source is created in the pixel's project on its first load, outside the
    # auto-registration cap: an admin made the pixel, strangers cannot invent one.
    cached = cache.source(record.source_key)
    if cached:
        return cached
    sql = statements(conn)
    found = conn.execute(sql.source_by_key, {"key": record.source_key}).first()
    if found is None:
        try:
            with conn.begin_nested():
                source_id = conn.execute(
                    sql.insert_source,
                    {
                        "project_id": record.project_id,
                        "key": record.source_key,
                        "kind": record.source_kind,
                        "auto_registered": False,
                        "created_at": record.received_at,
                    },
                ).scalar_one()
            # Cached only once committed, as app/store/exceptions.py explains.
            return source_id, record.project_id
        except IntegrityError:
            found = conn.execute(sql.source_by_key, {"key": record.source_key}).one()
    ids = (found[0], found[1])
    cache.remember_source(record.source_key, ids)
    return ids


def _hit_row(record: HitRecord, source_id: int, project_id: int) -> dict:
    return {
        "project_id": project_id,
        "source_id": source_id,
        "kind": record.kind,
        "received_at": record.received_at,
        "path": record.path,
        "unique_visit": record.unique_visit,
        "unique_page": record.unique_page,
        "referrer_host": record.referrer_host,
        "referrer_group": record.referrer_group,
        "country": record.country,
        "language": record.language,
        "browser": record.browser,
        "browser_version": record.browser_version,
        "os": record.os,
        "device": record.device,
        "utm_source": record.utm_source,
        "utm_medium": record.utm_medium,
        "utm_campaign": record.utm_campaign,
        "session_id": record.session_id,
        "beacon": record.beacon,
        "duration_ms": record.duration_ms,
        "event_name": record.event_name,
        "release": record.release,
        "metadata": record.metadata,
    }


def find_pixel(conn: Connection, pixel_id: str) -> tuple[int, str, dict] | None:
    """(project id, event name, metadata) of a pixel; None for an unknown id."""
    if not valid_pixel_id(pixel_id):
        return None
    row = conn.execute(statements(conn).pixel_by_id, {"pixel_id": pixel_id}).first()
    return (row[0], row[1], row[2] or {}) if row else None


def create_pixel(
    session: Session, project_id: int, name: str, event_name: str, metadata: dict, now: datetime
) -> Pixel:
    """Add a pixel with a fresh random public id."""
    pixel = Pixel(
        id=secrets.token_urlsafe(PIXEL_ID_BYTES),
        project_id=project_id,
        name=name,
        event_name=event_name,
        meta=metadata,
        created_at=now,
    )
    session.add(pixel)
    session.flush()
    return pixel
