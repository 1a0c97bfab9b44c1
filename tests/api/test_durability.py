"""Nothing acknowledged is lost: kill -9 the whole server right after the answers, restart it,
and every acknowledged event is there."""

import json
import os
import signal
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from app.db import make_engine
from app.models import ExceptionEvent
from tests.conftest import CHROME_UA, payload
from tests.served import post_report, served

REPORTS = 60


def post(base: str, n: int) -> int:
    """Send one report with its own message; the status code."""
    body = json.dumps(payload("stackless", m=f"Request {n} timed out")).encode()
    return post_report(base, body, CHROME_UA)


def stored(url: str) -> int:
    """Events in the database."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(ExceptionEvent))
    finally:
        engine.dispose()


def test_acknowledged_events_survive_kill_9(config, make_app, tmp_path):
    with served(config, tmp_path) as (base, _log, process):
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda n: post(base, n), range(REPORTS)))
        # No graceful shutdown: the master and its workers die at once, mid-flight.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    acknowledged = statuses.count(204)
    assert acknowledged == REPORTS
    assert stored(config["database"]["url"]) == acknowledged
    with served(config, tmp_path) as (base, _log, _process):
        assert post(base, REPORTS) == 204
    assert stored(config["database"]["url"]) == acknowledged + 1
