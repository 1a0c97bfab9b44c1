"""Fixtures for the API tests beyond the shared ones in tests/conftest.py."""

import pytest
from argon2 import PasswordHasher

from app.access import accounts


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """argon2id with tiny parameters: the real ones cost ~0.2 s a hash, which would dominate
    the sign-in tests. The rehash test puts the real parameters back; the CLI and served
    tests run in their own processes with them."""
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024))
