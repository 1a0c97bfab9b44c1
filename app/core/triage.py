"""Group lifecycle rules: when a new event regresses a resolved group or ends an ignore."""

import re
from dataclasses import dataclass
from datetime import datetime

STATUSES = ("unresolved", "resolved", "ignored")
# `pkg@1.2.3`, `v1.2`, `1.2.3-rc.1`, `2024.05.1+build7`: a release that sorts by its numbers.
RELEASE_VERSION = re.compile(
    r"^(?:(?P<package>[^@\s]+)@)?v?(?P<numbers>\d+(?:\.\d+){0,5})(?P<suffix>[-+.].*)?$"
)


@dataclass(frozen=True)
class GroupState:
    """The triage fields of a group after the new event was counted."""

    status: str
    event_count: int
    resolved_at: datetime | None
    resolution_kind: str | None
    resolution_release: str | None
    ignore_until_time: datetime | None
    ignore_until_count: int | None


def compare_releases(
    left: str, right: str, left_first_seen: datetime | None, right_first_seen: datetime | None
) -> int | None:
    """-1, 0 or 1 ordering two releases (by version when both are versions, else by first
    sighting); None when they cannot be ordered."""
    if left == right:
        return 0
    left_version, right_version = RELEASE_VERSION.match(left), RELEASE_VERSION.match(right)
    if left_version and right_version and left_version["package"] == right_version["package"]:
        return _cmp(_version_key(left_version), _version_key(right_version))
    if left_first_seen is None or right_first_seen is None:
        return None
    return _cmp(left_first_seen, right_first_seen)


def event_outcome(
    state: GroupState,
    event_time: datetime,
    event_release: str | None,
    order_against_resolution: int | None,
) -> str | None:
    """`"regressed"`, `"unignored"` or None for an event just counted in a group.

    `order_against_resolution` is compare_releases(event release, resolution release).
    """
    if state.status == "resolved":
        if state.resolution_kind in (None, "now"):
            return (
                "regressed"
                if state.resolved_at is None or event_time >= state.resolved_at
                else None
            )
        if event_release is None:
            return None  # no release on the event: nothing says it runs the fixed code
        if state.resolution_kind == "next_release":
            if state.resolution_release is None:
                return "regressed"
            return "regressed" if order_against_resolution == 1 else None
        # resolved in a named release: that release or a later one still failing
        return "regressed" if order_against_resolution in (0, 1) else None
    if state.status == "ignored":
        if state.ignore_until_count is not None and state.event_count >= state.ignore_until_count:
            return "unignored"
        if state.ignore_until_time is not None and event_time >= state.ignore_until_time:
            return "unignored"
    return None


def _version_key(match: re.Match) -> tuple:
    numbers = tuple(int(n) for n in match["numbers"].split("."))
    numbers = numbers + (0,) * (6 - len(numbers))
    suffix = match["suffix"] or ""
    # Semver: a pre-release (`-rc.1`) sorts before the release itself; build metadata is ignored.
    prerelease = suffix.startswith("-")
    return numbers, 0 if prerelease else 1, suffix if prerelease else ""


def _cmp(left, right) -> int:
    return (left > right) - (left < right)
