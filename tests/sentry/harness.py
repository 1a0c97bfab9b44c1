"""A served Faultline for the Sentry compatibility tests, with projects, an API token, a
counting proxy in front of it and ways to read back what was stored."""

import copy
import http.client
import json
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.access.tokens import create_token
from app.config import load_config
from app.db import make_engine
from app.models import ExceptionEvent
from tests.conftest import _empty_tables
from tests.sentry.clients import ROOT, decode_body, envelope_items, read_body
from tests.served import served

WAIT_S = 30  # how long stored events may take to show up before a test gives up


def sentry_config(database_url: str, **ratelimit) -> dict:
    """The shared test config (see tests/conftest.py), limits changed by `ratelimit`."""
    loaded = load_config(None, environ={})
    loaded["mode"] = "test"
    loaded["secret_key"] = "test-secret-" + "x" * 40
    loaded["database"]["url"] = database_url
    loaded["ratelimit"].update(
        tracking_per_minute=100000, tracking_burst=100000, unauthenticated_per_minute=100000
    )
    loaded["ratelimit"].update(ratelimit)
    return loaded


class Faultline:
    """One served instance: its address, database, API token and projects."""

    def __init__(self, base: str, log: Path, config_path: Path, database_url: str):
        self.base, self.log, self.config_path = base, log, config_path
        self.engine = make_engine(database_url)
        with Session(self.engine) as session:
            plaintext, _ = create_token(session, "sentry-tests")
            session.commit()
        self.auth = {"Authorization": f"Bearer {plaintext}"}

    def create_project(self, name: str) -> dict:
        """A new project made the documented way (`faultline project create`), its DSN
        pointed at this server (the CLI names web.base_url, unknown before the port is)."""
        command = [sys.executable, "-m", "app.cli", "--config", str(self.config_path)]
        out = subprocess.run(
            [*command, "project", "create", "--name", name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        project = json.loads(out.strip().splitlines()[-1])
        dsn = urlsplit(project["dsn"])
        project["public_key"] = dsn.username
        project["dsn"] = f"{dsn.scheme}://{dsn.username}@{urlsplit(self.base).netloc}{dsn.path}"
        return project

    def api(self, path: str):
        """GET a management API path with the token; the decoded answer."""
        request = urllib.request.Request(self.base + path, headers=self.auth)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def groups(self, project_id: int) -> list[dict]:
        """Every group of a project (one page is plenty here)."""
        return self.api(f"/api/v1/groups?project={project_id}&limit=100")["items"]

    def events(self, group_id: int) -> list[dict]:
        """The events of a group, as the API shows them."""
        return self.api(f"/api/v1/groups/{group_id}/events?limit=100")["items"]

    def stored(self, event_ids) -> dict[str, list[int]]:
        """Stored event id -> the group ids of the rows with that id (one, if stored once)."""
        wanted = list(event_ids)
        rows: dict[str, list[int]] = {}
        with Session(self.engine) as session:
            for start in range(0, len(wanted), 500):
                query = select(ExceptionEvent.event_id, ExceptionEvent.group_id).where(
                    ExceptionEvent.event_id.in_(wanted[start : start + 500])
                )
                for event_id, group_id in session.execute(query):
                    rows.setdefault(event_id, []).append(group_id)
        return rows

    def stored_in(self, project_id: int) -> int:
        """How many events the project holds."""
        query = select(func.count()).where(ExceptionEvent.project_id == project_id)
        with Session(self.engine) as session:
            return session.scalar(query)

    def wait_for_groups(self, project_id: int, events: int) -> list[dict]:
        """The project's groups once they hold `events` events in all."""
        deadline = time.monotonic() + WAIT_S
        while True:
            groups = self.groups(project_id)
            if sum(group["count"] for group in groups) >= events:
                return groups
            if time.monotonic() > deadline:
                raise AssertionError(f"{events} events expected, the groups are: {groups!r}")
            time.sleep(0.2)


@contextmanager
def serve_faultline(database_url: str, folder: Path, **ratelimit):
    """Serve Faultline on the test database; yield a Faultline. Tables are emptied after."""
    config = sentry_config(database_url, **ratelimit)
    try:
        with served(copy.deepcopy(config), folder) as (base, log, _process):
            faultline = Faultline(base, log, folder / "served.yaml", database_url)
            try:
                yield faultline
            finally:
                faultline.engine.dispose()
    finally:
        _empty_tables(database_url)


def post(base: str, path: str, body: bytes, headers: dict, chunked=False):
    """POST raw bytes; (status, headers, body). `chunked` streams the body the way
    @sentry/node does, without a Content-Length."""
    target = urlsplit(base)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    try:
        if chunked:
            connection.request(
                "POST", path, body=iter([body]), headers=headers, encode_chunked=True
            )
        else:
            connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class CountingProxy(BaseHTTPRequestHandler):
    """Forwards every request to Faultline and notes what went through: the item types of
    each envelope, the status and the back-pressure headers of each answer."""

    protocol_version = "HTTP/1.1"

    def do_OPTIONS(self):
        self._forward(b"")

    def do_POST(self):
        self._forward(read_body(self))

    def _forward(self, body: bytes):
        headers = {
            name: value
            for name, value in self.headers.items()
            if name.lower() not in ("host", "transfer-encoding", "content-length", "connection")
        }
        sent_at = time.monotonic()
        status, answer_headers, answer = post(self.server.target, self.path, body, headers)
        if self.command == "POST":
            self.server.seen.append(
                {
                    "sent_at": sent_at,
                    "at": time.monotonic(),
                    "items": _item_types(body, self.headers.get("Content-Encoding")),
                    "status": status,
                    "retry_after": answer_headers.get("Retry-After"),
                    "rate_limits": answer_headers.get("X-Sentry-Rate-Limits"),
                }
            )
        self.send_response(status)
        for name, value in answer_headers.items():
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def _item_types(body: bytes, encoding: str | None) -> list[str]:
    try:
        return [item.get("type") for item, _ in envelope_items(decode_body(body, encoding))[1]]
    except (ValueError, OSError):
        return ["?"]


@contextmanager
def counting_proxy(target: str):
    """A proxy on 127.0.0.1 in front of `target`; yield (its base URL, the list of what went
    through, appended to as requests arrive)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), CountingProxy)
    server.target, server.seen = target, []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.seen
    finally:
        server.shutdown()
        server.server_close()
