"""Nothing acknowledged is lost: kill -9 the whole server right after the answers, restart it,
and every acknowledged event is there."""

import json
import os
import signal
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import CHROME_UA, payload
from tests.served import post_report, served, stored_events

REPORTS = 60


def post(base: str, n: int) -> int:
    """Send one report with its own message; the status code."""
    body = json.dumps(payload("stackless", m=f"Request {n} timed out")).encode()
    return post_report(base, body, CHROME_UA)


def test_acknowledged_events_survive_kill_9(config, make_app, tmp_path):
    with served(config, tmp_path) as (base, _log, process):
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda n: post(base, n), range(REPORTS)))
        # No graceful shutdown: the master and its workers die at once, mid-flight.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    acknowledged = statuses.count(204)
    assert acknowledged == REPORTS
    assert stored_events(config["database"]["url"]) == acknowledged
    with served(config, tmp_path) as (base, _log, _process):
        assert post(base, REPORTS) == 204
    assert stored_events(config["database"]["url"]) == acknowledged + 1
