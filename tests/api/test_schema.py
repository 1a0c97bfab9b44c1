"""The database schema: migrations match the models, and the OpenAPI document matches the routes."""

import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic.command import check
from alembic.config import Config
from openapi_spec_validator import validate
from sqlalchemy import Date, DateTime
from sqlalchemy.dialects import sqlite

from app.cli import MIGRATIONS
from app.models.column_types import Day, UTCDateTime


def test_migrations_match_the_models(database_url):
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.attributes["url"] = database_url
    config.attributes["configure_logging"] = False
    check(config)  # raises when autogenerate would produce operations


def test_openapi_documents_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    documented = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "openapi.openapi":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)  # <int:id>, <id> -> {id}
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, (path, method)
    triage = document["components"]["schemas"]["Triage"]["properties"]
    assert set(triage) == {"status", "resolve_in", "ignore_until"}


def test_openapi_document_is_valid_openapi_3(client):
    validate(client.get("/api/v1/openapi.json").json)  # raises on any schema violation


@pytest.mark.parametrize(
    "value",
    [
        datetime(2024, 6, 1, 12, 0, tzinfo=UTC),
        datetime(2024, 6, 1, 12, 0, 0, 1, tzinfo=UTC),
        datetime(2024, 6, 1, 23, 30, 15, 999999, tzinfo=timezone(timedelta(hours=-5))),
        datetime(2024, 6, 1, 1, 0, tzinfo=timezone(timedelta(hours=9, minutes=30))),
        datetime(2024, 6, 1, 12, 0),  # naive: taken as UTC already
        datetime(1, 1, 1, 0, 0),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        None,
    ],
)
def test_sqlite_stores_times_as_sqlalchemy_would(value):
    """The one-step SQLite binding writes the very text of SQLAlchemy's own two steps, so
    times stored by ingest and by the ORM compare and sort as one."""
    dialect = sqlite.dialect()
    ours = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    theirs = DateTime().dialect_impl(dialect).bind_processor(dialect)
    in_utc = value if value is None or value.tzinfo is None else value.astimezone(UTC)
    expected = theirs(in_utc if in_utc is None else in_utc.replace(tzinfo=None))
    assert ours(value) == expected


@pytest.mark.parametrize(
    "value",
    [date(2024, 6, 1), date(1, 1, 1), date(9999, 12, 31), datetime(2024, 6, 1, 23, 59), None],
)
def test_sqlite_stores_days_as_sqlalchemy_would(value):
    """Rollup days bound in one C call keep SQLAlchemy's own text (`2024-06-01`)."""
    dialect = sqlite.dialect()
    ours = Day().dialect_impl(dialect).bind_processor(dialect)
    theirs = Date().dialect_impl(dialect).bind_processor(dialect)
    assert ours(value) == theirs(value)
