"""Fixtures of the Sentry compatibility tests (the helpers are in harness.py)."""

import pytest

from tests.sentry.harness import serve_faultline


@pytest.fixture(scope="module")
def faultline(database_url, tmp_path_factory):
    """A served Faultline for a whole module (its tables are emptied afterwards)."""
    with serve_faultline(database_url, tmp_path_factory.mktemp("faultline")) as instance:
        yield instance
