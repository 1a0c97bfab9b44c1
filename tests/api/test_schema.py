"""The database schema: migrations match the models, and the OpenAPI document matches the routes."""

import re

from alembic.command import check
from alembic.config import Config
from openapi_spec_validator import validate

from app.cli import MIGRATIONS


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
