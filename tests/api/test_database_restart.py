"""The database goes away under a running server: ingest answers 503 (never a 2xx it cannot
keep), then recovers by itself when the database is back, and nothing acknowledged is lost."""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import CHROME_UA, payload
from tests.served import post_report, served, stored_events

PG_DATA = os.environ.get("FAULTLINE_TEST_PG_DATA")
PG_BIN = os.environ.get("FAULTLINE_TEST_PG_BIN")


def pg_ctl(*args: str) -> None:
    """Run pg_ctl on the test cluster (as the postgres user when we are root)."""
    command = [f"{PG_BIN}/pg_ctl", "-D", PG_DATA, "-w", "-t", "60", *args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, cwd=Path(PG_DATA).parent)


@pytest.mark.skipif(PG_DATA is None, reason="needs the test command's own PostgreSQL cluster")
def test_ingest_survives_a_database_restart(config, make_app, tmp_path):
    url = config["database"]["url"]
    if not url.startswith("postgresql"):
        pytest.skip("SQLite has no server to restart; this runs in the PostgreSQL pass")
    port = os.environ["FAULTLINE_TEST_PG_PORT"]
    body = json.dumps(payload("chrome_typeerror")).encode()
    with served(config, tmp_path) as (base, _log, _process):
        before = [post_report(base, body, CHROME_UA) for _ in range(5)]
        pg_ctl("stop", "-m", "fast")
        try:
            during = [post_report(base, body, CHROME_UA) for _ in range(3)]
        finally:
            options = f"-p {port} -k {Path(PG_DATA).parent} -c listen_addresses=127.0.0.1"
            pg_ctl("start", "-o", options, "-l", str(Path(PG_DATA).parent / "restart.log"))
        after = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and after[-1:] != [204]:
            after.append(post_report(base, body, CHROME_UA))
            time.sleep(0.2)
    assert before == [204] * 5
    assert during == [503] * 3
    assert after[-1] == 204 and set(after) <= {204, 503}
    assert stored_events(url) == before.count(204) + after.count(204)
