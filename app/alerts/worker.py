"""The alerts worker: checks rate rules now and then, claims what is due in the outbox,
sends each message through its channel and records the outcome. It runs as a thread in each
`faultline serve` process and as `faultline worker`; any number may run at once.

Delivery is at least once: a worker killed mid-send leaves its claim to run out, and the
next one sends the same message again with the same idempotency key and Message-ID.
"""

import logging
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from app.alerts import outbox
from app.alerts.channels import send
from app.alerts.content import load_content
from app.alerts.rates import check_rates
from app.store.writer import WriteTurn

log = logging.getLogger("faultline")
# A message is only started when its channel's timeout (and this margin) ends inside the claim.
CLAIM_MARGIN_SECONDS = 5


def own_turn(engine: Engine) -> outbox.Turn:
    """A write turn for a worker outside the serving processes: SQLite's lock file beside the
    database (the one serving processes queue on), nothing on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return nullcontext
    turn = WriteTurn(engine.url.database)
    return lambda: turn


class Worker:
    """One worker's loop over the outbox and the rate rules."""

    def __init__(
        self,
        engine: Engine,
        config: dict,
        turn: outbox.Turn | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.engine = engine
        # Tests move the clock to see retries and digest windows come due without waiting.
        self.clock = clock or _now
        self.config = config
        self.alerts = config["alerts"]
        self.turn = turn or own_turn(engine)
        self.base_url = config["web"]["base_url"].rstrip("/")
        self.stopping = threading.Event()
        self._rates_due = 0.0

    def run_once(self) -> int:
        """One round: rate rules when due, then every due message; how many were tried."""
        if time.monotonic() >= self._rates_due:
            self._rates_due = time.monotonic() + self.alerts["rate_check_seconds"]
            fired = outbox.write(self.engine, self.turn, lambda c: check_rates(c, self.clock()))
            if fired:
                log.info("alerts: %s rate rule(s) fired", fired)
        messages, until = outbox.claim(self.engine, self.turn, self.alerts, self.clock())
        tried = 0
        for message in messages:
            loaded = load_content(self.engine, message.key, message.delivery_ids, self.base_url)
            if loaded is None:
                continue  # the channel was deleted, and its deliveries with it
            channel, content = loaded
            margin = timedelta(seconds=channel.timeout_seconds + CLAIM_MARGIN_SECONDS)
            if self.stopping.is_set() or self.clock() + margin > until:
                outbox.release(self.engine, self.turn, message, until)
                continue
            outcome = send(channel, content, self.config, self.clock())
            outbox.record(
                self.engine, self.turn, message, until, outcome, self.alerts, self.clock()
            )
            tried += 1
        return tried

    def run(self) -> None:
        """Loop until stopped, every `alerts.poll_seconds`; a failed round is logged and the
        next one tries again."""
        while not self.stopping.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("alerts worker round failed")
            self.stopping.wait(self.alerts["poll_seconds"])

    def stop(self) -> None:
        """Ask the loop to end after the message it is sending."""
        self.stopping.set()


def _now() -> datetime:
    return datetime.now(UTC)


def start_worker(engine: Engine, config: dict, turn: outbox.Turn) -> Worker:
    """Run a worker in a daemon thread of this process (after gunicorn's fork)."""
    worker = Worker(engine, config, turn)
    threading.Thread(target=worker.run, name="faultline-alerts", daemon=True).start()
    return worker
