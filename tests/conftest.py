"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when
FAULTLINE_TEST_DATABASE_URL is set), an app on it, a client and an API token."""

import copy
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

# Imported while the stack is shallow. Otherwise a run without property tests first imports it
# from the Hypothesis plugin's end-of-run summary, deep in pytest's hooks, and pytest's assertion
# rewriting of it trips CPython 3.11.7's AST recursion check: a SystemError and exit status 1.
import hypothesis  # noqa: F401
import pytest
from sqlalchemy import text

from app import create_app
from app.access.tokens import create_token
from app.cli import run_migrations
from app.config import load_config
from app.db import make_engine
from app.models import Base

FIXTURES = Path(__file__).parent / "fixtures"
CHROME_UA = (FIXTURES / "payloads" / "chrome_ua.txt").read_text().strip()


@pytest.fixture(scope="session")
def database_url():
    """A freshly migrated database for the whole run."""
    url = os.environ.get("FAULTLINE_TEST_DATABASE_URL")
    if url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        run_migrations(url)
        yield url
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/test.db"
        run_migrations(url)
        yield url
        # A checkpoint that follows the last test's commits must find its file still there.
        for thread in threading.enumerate():
            if thread.name == "faultline-checkpoint":
                thread.join(timeout=5)


@pytest.fixture(scope="session")
def redis_url():
    """A real Redis: the test command's (FAULTLINE_TEST_REDIS_URL), else one started here."""
    url = os.environ.get("FAULTLINE_TEST_REDIS_URL")
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    assert binary, "redis-server is missing: run the tests through scripts/test.sh"
    from tests.served import free_port

    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.3)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def config(database_url):
    """A test config on the test database, with limits high enough not to interfere."""
    loaded = load_config(None, environ={})
    loaded["mode"] = "test"
    loaded["secret_key"] = "test-secret-" + "x" * 40
    loaded["database"]["url"] = database_url
    loaded["ratelimit"]["tracking_per_minute"] = 100000
    loaded["ratelimit"]["tracking_burst"] = 100000
    loaded["ratelimit"]["unauthenticated_per_minute"] = 100000
    return loaded


@pytest.fixture
def make_app(config):
    """Build apps from (a changed copy of) the test config; tables are emptied afterwards."""
    engines = []

    def build(**changes):
        built_config = copy.deepcopy(config)
        for dotted, value in changes.items():
            *parents, leaf = dotted.split("__")
            target = built_config
            for parent in parents:
                target = target[parent]
            target[leaf] = value
        app = create_app(built_config)
        engines.append(app.extensions["faultline.engine"])
        return app

    yield build
    for engine in engines:
        engine.dispose()
    _empty_tables(config["database"]["url"])


# On PostgreSQL the ids start again at 1, as they do on SQLite once a table is empty.
_RESTART_SEQUENCES = text(
    "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
)


def _empty_tables(url: str) -> None:
    # DELETE, not TRUNCATE: on tables a test leaves this small, PostgreSQL's TRUNCATE of all
    # 26 took 60 to 110 ms and DELETE 14 to 23 ms, after each of some 2,500 tests.
    engine = make_engine(url)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
        if engine.dialect.name == "postgresql":
            conn.execute(_RESTART_SEQUENCES)
    engine.dispose()


@pytest.fixture
def app(make_app):
    """The app on the test config."""
    return make_app()


@pytest.fixture
def client(app):
    """A Flask test client."""
    return app.test_client()


@pytest.fixture
def session(app):
    """A session on the app's database for arranging and inspecting data."""
    with app.extensions["faultline.sessionmaker"]() as db_session:
        yield db_session


@pytest.fixture
def auth(app):
    """Authorization headers carrying a fresh API token."""
    with app.extensions["faultline.sessionmaker"]() as db_session:
        plaintext, _ = create_token(db_session, "tests")
        db_session.commit()
    return {"Authorization": f"Bearer {plaintext}"}


def payload(name: str, **changes) -> dict:
    """A stored real payload from tests/fixtures/payloads, with some keys changed."""
    data = json.loads((FIXTURES / "payloads" / f"{name}.json").read_text())
    data.update(changes)
    return data


def post_exception(client, body, content_type="text/plain", headers=None):
    """POST a report the way the tracker does (text/plain, no preflight)."""
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    merged = {"User-Agent": CHROME_UA, **(headers or {})}
    return client.post("/track/exception", data=raw, content_type=content_type, headers=merged)


def post_hit(client, body, content_type="text/plain", headers=None):
    """POST a hit the way the tracker does (text/plain beacon, a browser's headers)."""
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    merged = {"User-Agent": CHROME_UA, "Accept-Language": "de-DE,de;q=0.9,en;q=0.8"}
    merged.update(headers or {})
    return client.post("/track/hit", data=raw, content_type=content_type, headers=merged)
