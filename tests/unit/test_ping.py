"""The daily-uniqueness decision, with the clock in the test's hands."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.core.ping import is_unique, last_modified, today_midnight

NOON = datetime(2026, 11, 24, 12, 30, tzinfo=UTC)


def test_midnight_and_last_modified():
    assert today_midnight(NOON) == datetime(2026, 11, 24, tzinfo=UTC)
    assert last_modified(NOON) == "Tue, 24 Nov 2026 00:00:00 GMT"
    # A clock in another zone still means the UTC day.
    tokyo = datetime(2026, 11, 25, 8, 0, tzinfo=timezone(timedelta(hours=9)))
    assert last_modified(tokyo) == "Tue, 24 Nov 2026 00:00:00 GMT"  # 23:00 UTC on the 24th


@pytest.mark.parametrize(
    ("header", "unique"),
    [
        (None, True),
        ("", True),
        ("Tue, 24 Nov 2026 00:00:00 GMT", False),
        ("Tue, 24 Nov 2026 11:00:00 GMT", False),
        ("Wed, 25 Nov 2026 00:00:00 GMT", False),  # a clock ahead of ours is not a new day
        ("Mon, 23 Nov 2026 23:59:59 GMT", True),
        ("Mon, 23 Nov 2026 00:00:00 GMT", True),
        ("Tuesday, 24-Nov-26 00:00:00 GMT", False),  # RFC 850, still an HTTP date
        ("Tue Nov 24 00:00:00 2026", False),  # asctime, no zone: GMT
        ("Tue, 24 Nov 2026 00:00:00 +0100", True),  # 23:00 UTC the day before
        ("Tue, 99 Nov 2026 00:00:00 GMT", True),
        ("garbage", True),
        ("x" * 1000, True),
        ("0", True),
    ],
)
def test_is_unique(header, unique):
    assert is_unique(header, NOON) is unique


def test_midnight_rollover():
    # The Last-Modified handed out just before midnight makes the first ping after it unique,
    # and the one handed out after midnight makes the next ping of the new day not unique.
    before = datetime(2026, 11, 24, 23, 59, 59, 999000, tzinfo=UTC)
    after = before + timedelta(milliseconds=2)
    stored = last_modified(before)
    assert is_unique(stored, before) is False
    assert is_unique(stored, after) is True
    assert is_unique(last_modified(after), after) is False
    assert last_modified(after) == "Wed, 25 Nov 2026 00:00:00 GMT"
