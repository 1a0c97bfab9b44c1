"""Engine and per-request session: the request owns the transaction, data functions never commit."""

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import orjson
from flask import Flask, current_app, g, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from app import raw_sql

READ_METHODS = ("GET", "HEAD", "OPTIONS")
# Threads for the parts of one read that may run at once (see `read_at_once`); they start on
# first use, so none exists in a process before gunicorn forks it.
PARALLEL_READERS = 4
WRITE_OPTION = "faultline_write"


def json_text(value) -> str:
    """The text of a JSON column: orjson, several times faster than json.dumps on an event's
    frames, with json's answer for what orjson refuses (a lone surrogate, a huge integer)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(value)


def make_engine(url: str) -> Engine:
    """An engine tuned for the backend: WAL and a busy timeout on SQLite, pre-ping on PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            json_serializer=json_text,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, json_serializer=json_text
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Take transaction control from the driver so that `_sqlite_begin` decides how to begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers and the writer work at once; NORMAL still survives a process crash
    # or kill -9 (only an OS crash or power loss can drop the last commits).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # A deferred transaction that reads and then writes fails at once with SQLITE_BUSY when
    # another writer got in between; taking the write lock up front makes writers queue on
    # busy_timeout instead, so concurrent ingest never answers "database is locked".
    # Reads stay deferred so that they never wait for, or hold up, a writer.
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    raw_sql.execute_text(connection, "BEGIN IMMEDIATE" if immediate else "BEGIN")


def init_app(app: Flask) -> None:
    """Bind an engine and a session factory to the app and close sessions on teardown."""
    engine = make_engine(app.config["FAULTLINE"]["database"]["url"])
    app.extensions["faultline.engine"] = engine
    app.extensions["faultline.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["faultline.readers"] = ThreadPoolExecutor(
        PARALLEL_READERS, thread_name_prefix="faultline-read"
    )
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The request's session, opened on first use; requests that change data write from
    their first statement (see `_sqlite_begin`)."""
    if "db_session" not in g:
        session = current_app.extensions["faultline.sessionmaker"]()
        if request.method not in READ_METHODS:
            session.connection(execution_options={WRITE_OPTION: True})
        g.db_session = session
    return g.db_session


def read_at_once(reads: list[Callable[[Session], object]]) -> list:
    """Run independent reads at the same time, each in a session (and connection) of its own,
    and return their results in order. A stats payload's parts each scan the same rows, and
    both databases do that work without holding the GIL, so the parts share the cores."""
    make_session = current_app.extensions["faultline.sessionmaker"]

    def run(read: Callable[[Session], object]):
        with make_session() as session:
            return read(session)

    readers = current_app.extensions["faultline.readers"]
    return [future.result() for future in [readers.submit(run, read) for read in reads]]


def _close_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
