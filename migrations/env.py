"""Alembic environment: the URL comes from the Faultline config unless a caller passes one."""

from logging.config import fileConfig

from alembic import context

from app.config import config_path_from_env, load_config
from app.db import make_engine
from app.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run_migrations() -> None:
    """Run online migrations against the configured database (batch mode for SQLite)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("url") or load_config(config_path_from_env())["database"]["url"]
    engine = make_engine(url)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # Batch mode rebuilds a table by copying and dropping it; with foreign keys on, the
            # drop would fire ON DELETE actions on the rows referring to it (SET NULL on every
            # hit's source). The pragma only takes effect outside a transaction, so it goes
            # to the driver before SQLAlchemy begins one.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        _run(conn)
        # Alembic treats SQLite DDL as non-transactional and so never commits: without this,
        # the data a revision writes would be rolled back when the connection closes.
        conn.commit()
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
