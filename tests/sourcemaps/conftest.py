"""Fixtures of the source map tests (the shop's builds and helpers are in shop.py)."""

import threading

import pytest


@pytest.fixture(autouse=True)
def checkpoints_finish():
    """Let the SQLite checkpoint a test's last commit started finish within the test: one left
    running outlives the test database and fails at exit."""
    yield
    for thread in threading.enumerate():
        if thread.name == "faultline-checkpoint":
            thread.join(timeout=10)
