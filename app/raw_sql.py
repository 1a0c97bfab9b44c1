"""Ingest's hot statements run straight on the DBAPI cursor of a Core connection.

SQLAlchemy's execute (execution context, parameter construction, result wrapping) costs
several times what SQLite takes to run one ingest statement, and every stored event runs
five or more of them. The statements are still written with Core (app/store/statements.py,
app/store/rollups.py); here each is compiled once per dialect and set of parameter names, and its
parameters go through the same type processing (UTC datetimes, dates, JSON) that Core
applies. They run inside the connection's own transaction; errors are raised as SQLAlchemy
raises them (OperationalError, IntegrityError), and a lost connection is invalidated.
"""

import functools
import operator
from collections import namedtuple
from collections.abc import Callable, Sequence

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement


class RawStatement:
    """One Core statement compiled for one dialect and one set of parameter names."""

    def __init__(self, statement: ClauseElement, dialect: Dialect, keys: tuple[str, ...]):
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        self.sql = compiled.string
        processors, fixed = {}, {}
        for bind, name in compiled.bind_names.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
            if not bind.required:
                # A literal of the statement itself, such as `.values(status="unresolved")`.
                fixed[name] = bind.effective_value
        self._fixed = fixed
        # qmark (SQLite) takes a sequence in statement order; pyformat (psycopg) a dict.
        self._positional = compiled.positional
        names = compiled.positiontup if compiled.positional else set(compiled.bind_names.values())
        self._plan = [(name, processors.get(name)) for name in names]
        # Positional values are picked in one C call, then only the typed ones processed:
        # ingest builds several parameter rows per event, most of them plain.
        self._pick = operator.itemgetter(*names) if len(names) > 1 else None
        self._typed = [(at, process) for at, (_, process) in enumerate(self._plan) if process]
        # An INSERT, UPDATE or DELETE exports exactly its RETURNING columns.
        columns = list(getattr(statement, "exported_columns", ()))
        self.returns = bool(columns)
        if self.returns:
            self._row = namedtuple("Returned", [column.key for column in columns])
            self._results = [
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in columns
            ]

    def parameters(self, values: dict) -> list | dict:
        """The DBAPI parameters for one set of values, type-processed."""
        if self._fixed:
            values = {**self._fixed, **values}
        if self._positional and self._pick is not None:
            row = list(self._pick(values))
            for at, process in self._typed:
                row[at] = process(row[at])
            return row
        if self._positional:
            return [
                process(values[name]) if process else values[name] for name, process in self._plan
            ]
        return {
            name: process(values[name]) if process else values[name] for name, process in self._plan
        }

    def row(self, raw: Sequence):
        """A RETURNING row with its columns type-processed, read by attribute."""
        return self._row._make(
            process(value) if process is not None else value
            for process, value in zip(self._results, raw, strict=True)
        )


@functools.cache
def _compiled(statement: ClauseElement, dialect: Dialect, keys: tuple[str, ...]) -> RawStatement:
    return RawStatement(statement, dialect, keys)


def execute(conn: Connection, statement: ClauseElement, values: dict | list[dict]):
    """Run a statement with one set of values (returning its RETURNING row, if any: None when
    no row matched) or with many (executemany; returns None) in the connection's current
    transaction."""
    many = isinstance(values, list)
    if many and not values:
        return None
    first = values[0] if many else values
    raw = _compiled(statement, conn.dialect, tuple(first))
    if many:
        parameters = [raw.parameters(item) for item in values]
        return _on_cursor(conn, raw.sql, parameters, lambda cursor: cursor.executemany)
    parameters = raw.parameters(values)
    found = _on_cursor(conn, raw.sql, parameters, lambda cursor: cursor.execute, raw.returns)
    return raw.row(found) if found is not None else None


def execute_text(conn: Connection, sql: str) -> None:
    """Run one parameterless statement, such as BEGIN, on the connection's DBAPI cursor."""
    _on_cursor(conn, sql, (), lambda cursor: cursor.execute)


def _on_cursor(conn: Connection, sql: str, parameters, method: Callable, fetch_one: bool = False):
    dbapi_connection = conn.connection.dbapi_connection
    cursor = dbapi_connection.cursor()
    try:
        method(cursor)(sql, parameters)
        return cursor.fetchone() if fetch_one else None
    except conn.dialect.loaded_dbapi.Error as error:
        invalidated = conn.dialect.is_disconnect(error, dbapi_connection, cursor)
        if invalidated:
            conn.invalidate(error)
        raise DBAPIError.instance(
            sql,
            parameters,
            error,
            conn.dialect.loaded_dbapi.Error,
            hide_parameters=True,
            connection_invalidated=invalidated,
            dialect=conn.dialect,
        ) from error
    finally:
        cursor.close()
