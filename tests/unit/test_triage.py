"""Lifecycle rules: release ordering, regression and the end of an ignore."""

from datetime import UTC, datetime, timedelta

import pytest

from app.core.triage import GroupState, compare_releases, event_outcome

T0 = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("1.2.10", "1.2.9", 1),
        ("v2.0", "1.99.99", 1),
        ("shop@2.4.1", "shop@2.4.1", 0),
        ("shop@2.5.0", "shop@2.4.9", 1),
        ("1.0.0-rc.1", "1.0.0", -1),
        ("1.0.0+build.7", "1.0.0", 0),
        ("2024.05.1", "2024.04.30", 1),
    ],
)
def test_versions_order_by_number(left, right, expected):
    assert compare_releases(left, right, None, None) == expected


def test_non_versions_order_by_first_sighting():
    assert compare_releases("abc123", "def456", T0, T0 + timedelta(days=1)) == -1
    assert compare_releases("abc123", "def456", T0 + timedelta(days=1), T0) == 1
    assert compare_releases("abc123", "def456", None, T0) is None
    # different packages are not comparable by number
    assert compare_releases("web@1.0", "api@2.0", T0 + timedelta(hours=1), T0) == 1


def state(**changes) -> GroupState:
    """A group state with defaults for a resolved group."""
    values = dict(
        status="resolved",
        event_count=5,
        resolved_at=T0,
        resolution_kind="now",
        resolution_release=None,
        ignore_until_time=None,
        ignore_until_count=None,
    )
    values.update(changes)
    return GroupState(**values)


def test_resolved_now_regresses_on_any_later_event():
    assert event_outcome(state(), T0 + timedelta(seconds=1), None, None) == "regressed"


def test_next_release_regresses_only_on_a_later_release():
    resolved = state(resolution_kind="next_release", resolution_release="1.0")
    assert event_outcome(resolved, T0, "1.0", 0) is None
    assert event_outcome(resolved, T0, "0.9", -1) is None
    assert event_outcome(resolved, T0, None, None) is None
    assert event_outcome(resolved, T0, "1.1", 1) == "regressed"
    no_release_then = state(resolution_kind="next_release", resolution_release=None)
    assert event_outcome(no_release_then, T0, "1.0", None) == "regressed"


def test_named_release_regresses_at_or_after_it():
    resolved = state(resolution_kind="release", resolution_release="2.0")
    assert event_outcome(resolved, T0, "1.9", -1) is None
    assert event_outcome(resolved, T0, "2.0", 0) == "regressed"
    assert event_outcome(resolved, T0, "2.1", 1) == "regressed"
    assert event_outcome(resolved, T0, "unknown", None) is None


def test_ignore_ends_by_count_or_time():
    by_count = state(status="ignored", event_count=10, ignore_until_count=10)
    assert event_outcome(by_count, T0, None, None) == "unignored"
    assert (
        event_outcome(state(status="ignored", event_count=9, ignore_until_count=10), T0, None, None)
        is None
    )
    by_time = state(status="ignored", ignore_until_time=T0)
    assert event_outcome(by_time, T0 - timedelta(seconds=1), None, None) is None
    assert event_outcome(by_time, T0, None, None) == "unignored"
    forever = state(status="ignored")
    assert event_outcome(forever, T0 + timedelta(days=999), None, None) is None


def test_unresolved_groups_are_left_alone():
    assert event_outcome(state(status="unresolved"), T0, "9.9", 1) is None
