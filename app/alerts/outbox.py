"""The outbox as the worker reads and writes it: claim what is due, pack it into messages
(app/core/alerting.py decides how), then record each try and its outcome.

Claims are safe with several workers: PostgreSQL locks the due rows with `FOR UPDATE SKIP
LOCKED`, so two workers never take the same ones; SQLite takes the claim inside the write
turn (BEGIN IMMEDIATE, one writer at a time). A claim is a time: the worker owns the rows
until then, and a worker killed meanwhile simply lets it run out.
"""

from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, func, or_, select, update

from app.core.alerting import Message, Pending, plan_messages, retry_delay
from app.db import WRITE_OPTION
from app.models import AlertAttempt, AlertDelivery

# Enough for a burst of new groups to go out as a few digests, not as many small ones.
CLAIM_BATCH = 5000
DETAIL_CHARS = 200

Turn = Callable[[], AbstractContextManager]


def write(engine: Engine, turn: Turn, work: Callable[[Connection], object]):
    """Run `work` in one write transaction taken in the process's write turn; its result."""
    with turn(), engine.connect() as conn:
        conn = conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            return work(conn)


def claim(
    engine: Engine, turn: Turn, alerts: dict, now: datetime
) -> tuple[list[Message], datetime]:
    """Claim the due deliveries and pack them into messages (deferring what must wait for
    its channel's digest window); the messages and the claim's end."""
    until = now + timedelta(seconds=alerts["claim_seconds"])

    def work(conn: Connection) -> list[Message]:
        due = (
            select(
                AlertDelivery.id,
                AlertDelivery.channel_id,
                AlertDelivery.idempotency_key,
                AlertDelivery.digest_key,
            )
            .where(
                AlertDelivery.state == "pending",
                AlertDelivery.due_at <= now,
                or_(AlertDelivery.claimed_until.is_(None), AlertDelivery.claimed_until < now),
            )
            .order_by(AlertDelivery.due_at, AlertDelivery.id)
            .limit(CLAIM_BATCH)
        )
        if conn.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        pending = [Pending(*row) for row in conn.execute(due)]
        if not pending:
            return []
        channels = {item.channel_id for item in pending}
        plan = plan_messages(
            pending, last_messages(conn, channels, now), now, alerts["digest_seconds"]
        )
        waits: dict[datetime, list[int]] = defaultdict(list)
        for delivery_id, due_at in plan.deferred.items():
            waits[due_at].append(delivery_id)
        for due_at, ids in waits.items():
            conn.execute(
                update(AlertDelivery).where(AlertDelivery.id.in_(ids)).values(due_at=due_at)
            )
        for message in plan.messages:
            conn.execute(
                update(AlertDelivery)
                .where(AlertDelivery.id.in_(message.delivery_ids))
                .values(claimed_until=until, digest_key=message.key)
            )
        return plan.messages

    return write(engine, turn, work), until


def last_messages(conn: Connection, channel_ids: set[int], now: datetime) -> dict[int, datetime]:
    """When each channel was last tried, for those tried within the last hour."""
    rows = conn.execute(
        select(AlertDelivery.channel_id, func.max(AlertAttempt.at))
        .join(AlertAttempt, AlertAttempt.delivery_id == AlertDelivery.id)
        .where(
            AlertDelivery.channel_id.in_(channel_ids), AlertAttempt.at > now - timedelta(hours=1)
        )
        .group_by(AlertDelivery.channel_id)
    )
    return {channel_id: at for channel_id, at in rows}


def record(
    engine: Engine,
    turn: Turn,
    message: Message,
    until: datetime,
    outcome: tuple[bool, str],
    alerts: dict,
    now: datetime,
) -> None:
    """Record one try of a message: an attempt per delivery, then sent, a retry after the
    backoff, or given up after `max_attempts`. Rows another worker claimed since (ours ran
    out) get the attempt but keep that worker's state."""
    ok, detail = outcome
    detail = detail[:DETAIL_CHARS]

    def work(conn: Connection) -> None:
        ids = list(message.delivery_ids)
        conn.execute(
            AlertAttempt.__table__.insert(),
            [{"delivery_id": i, "at": now, "ok": ok, "detail": detail} for i in ids],
        )
        owned = (AlertDelivery.id.in_(ids), AlertDelivery.claimed_until == until)
        tried = {"attempts": AlertDelivery.attempts + 1, "claimed_until": None}
        if ok:
            conn.execute(
                update(AlertDelivery).where(*owned).values(state="sent", sent_at=now, **tried)
            )
            return
        # Every delivery of a message has been tried as often (they were packed together).
        attempts = 1 + (
            conn.scalar(select(func.max(AlertDelivery.attempts)).where(AlertDelivery.id.in_(ids)))
            or 0
        )
        if attempts >= alerts["max_attempts"]:
            conn.execute(update(AlertDelivery).where(*owned).values(state="given_up", **tried))
            return
        due = now + retry_delay(attempts, alerts["retry_base_seconds"])
        conn.execute(update(AlertDelivery).where(*owned).values(due_at=due, **tried))

    write(engine, turn, work)


def release(engine: Engine, turn: Turn, message: Message, until: datetime) -> None:
    """Give back a claimed message untried (the claim would run out before it finished)."""

    def work(conn: Connection) -> None:
        conn.execute(
            update(AlertDelivery)
            .where(AlertDelivery.id.in_(message.delivery_ids), AlertDelivery.claimed_until == until)
            .values(claimed_until=None)
        )

    write(engine, turn, work)
