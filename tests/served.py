"""Run the real `faultline serve` (gunicorn) on a free port for tests that need a server."""

import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import yaml
from sqlalchemy import func, select

from app.db import make_engine
from app.models import ExceptionEvent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(config: dict, folder: Path):
    """Start the server with this config; yield (base URL, path of its log file, process).
    The server runs in its own process group, so a test can kill all of it at once."""
    port = free_port()
    config_path = folder / "served.yaml"
    config_path.write_text(yaml.safe_dump(config))
    log_path = folder / "served.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app.cli",
                "--config",
                str(config_path),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, process, log_path)
            yield base, log_path, process
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=20)


def wait_until_up(base: str, process, log_path: Path, seconds: float = 30) -> None:
    """Wait until a started server answers its health check; fail with its log if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited:\n" + log_path.read_text())
        try:
            with urllib.request.urlopen(base + "/api/v1/health", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not come up:\n" + log_path.read_text())


def post_report(base: str, body: bytes, user_agent: str) -> int:
    """POST one exception report to a served instance the way the tracker does; the status."""
    request = urllib.request.Request(
        base + "/track/exception",
        data=body,
        headers={"Content-Type": "text/plain", "User-Agent": user_agent},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def stored_events(url: str) -> int:
    """Exception events in the database at `url`, read on a fresh connection."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(ExceptionEvent))
    finally:
        engine.dispose()
