"""Alert tests end with writes: the writer's background WAL checkpoint (app/store/checkpoint.py)
follows within half a second, and must find the test database still there."""

import time

import pytest

from app.store.checkpoint import INTERVAL_SECONDS


@pytest.fixture(scope="session", autouse=True)
def let_the_last_checkpoint_finish(database_url):
    yield database_url
    time.sleep(INTERVAL_SECONDS + 0.2)
