"""`faultline worker`: the alerts worker on its own, for deployments that set
`alerts.worker: false` (or want more senders); it runs until SIGTERM or Ctrl-C."""

import logging
import signal

from app.alerts.worker import Worker
from app.db import make_engine

log = logging.getLogger("faultline")


def run_worker(config: dict) -> None:
    """Send alerts from the configured database until stopped by a signal."""
    engine = make_engine(config["database"]["url"])
    worker = Worker(engine, config)
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: worker.stop())
    log.info("alerts worker started")
    try:
        worker.run()
    finally:
        engine.dispose()
    log.info("alerts worker stopped")
