"""What a hit or an exception adds to the rollups, and the statistics read back from them.

Rollups hold sums only, so every statistic must be rebuilt from sums: counts add up, the
bounce rate is bounces over samples, and the median time on page comes from a histogram of
durations whose bins also keep the sum of their values.
"""

import math
from dataclasses import dataclass, field

BOUNCE_MIN_MS = 100
BOUNCE_MAX_MS = 5000
MIN_BOUNCE_SAMPLES = 5
# Bins keep the top 7 significant bits of a duration: 64 bins per doubling, each under 1.6%
# wide, so a day of one site needs a few hundred bins whatever its traffic.
BIN_EXACT_BELOW = 128
BIN_BITS = 7

# Breakdown name -> the rollup dimension it reads (the same names as the API's breakdowns).
BREAKDOWN_DIMENSIONS = {
    "pages": "path",
    "referrers": "referrer",
    "referrer_groups": "referrer_group",
    "countries": "country",
    "languages": "language",
    "browsers": "browser",
    "versions": "version",
    "operating_systems": "os",
    "devices": "device",
    "utm_sources": "utm_source",
    "utm_mediums": "utm_medium",
    "utm_campaigns": "utm_campaign",
    "event_names": "event",
    "releases": "release",
}
DIMENSIONS = tuple(BREAKDOWN_DIMENSIONS.values())
# The dimensions an exception carries (it has no referrer, country, language or campaign).
EXCEPTION_DIMENSIONS = ("path", "browser", "version", "os", "device", "release")


@dataclass
class Counts:
    """The additive measures of one rollup cell."""

    visitors: int = 0
    page_visitors: int = 0
    pageviews: int = 0
    events: int = 0
    exceptions: int = 0
    unloads: int = 0
    bounces: int = 0

    def as_row(self) -> dict[str, int]:
        """The measures as column values."""
        return dict(self.__dict__)

    def add(self, other: "Counts") -> None:
        """Add another cell's measures to this one (spelled out: it runs per rollup cell of
        every stored event, and a loop over the fields cost three times as much)."""
        self.visitors += other.visitors
        self.page_visitors += other.page_visitors
        self.pageviews += other.pageviews
        self.events += other.events
        self.exceptions += other.exceptions
        self.unloads += other.unloads
        self.bounces += other.bounces

    def subtract(self, other: "Counts") -> None:
        """Take another cell's measures out of this one."""
        for name, value in other.__dict__.items():
            setattr(self, name, getattr(self, name) - value)


@dataclass
class Contribution:
    """What one stored hit or exception adds: to its time slot, to each dimension value and,
    for an unload, to the duration histogram."""

    slot: Counts
    dimensions: dict[str, str] = field(default_factory=dict)
    duration_bin: int | None = None


def hit_contribution(hit) -> Contribution:
    """The rollup contribution of a hit record (load, unload, custom or pixel); missing
    dimension values are left out, since the stats derive them from the slot totals."""
    if hit.kind == "unload":
        duration = hit.duration_ms
        bounced = BOUNCE_MIN_MS <= duration <= BOUNCE_MAX_MS
        counts = Counts(unloads=1, bounces=int(bounced))
        return Contribution(counts, duration_bin=duration_bin(duration))
    if hit.kind == "load":
        counts = Counts(
            visitors=int(hit.unique_visit), page_visitors=int(hit.unique_page), pageviews=1
        )
    else:
        counts = Counts(events=1)
    return Contribution(counts, _present(dimension_values(hit, DIMENSIONS)))


# Dimension -> the attribute of a hit (or stored row) holding it; `version` is derived.
DIMENSION_ATTRIBUTES = {
    "path": "path",
    "referrer": "referrer_host",
    "referrer_group": "referrer_group",
    "country": "country",
    "language": "language",
    "browser": "browser",
    "os": "os",
    "device": "device",
    "utm_source": "utm_source",
    "utm_medium": "utm_medium",
    "utm_campaign": "utm_campaign",
    "event": "event_name",
    "release": "release",
}


def dimension_values(record, dimensions) -> dict[str, str]:
    """Dimension -> value of a hit or exception; a missing value is the empty string, as in
    breakdowns."""
    return {
        name: browser_version_key(record.browser, record.browser_version)
        if name == "version"
        else getattr(record, DIMENSION_ATTRIBUTES[name]) or ""
        for name in dimensions
    }


def exception_contribution(record) -> Contribution:
    """The rollup contribution of one stored exception event."""
    dimensions = dimension_values(record, EXCEPTION_DIMENSIONS)
    return Contribution(Counts(exceptions=1), _present(dimensions))


def _present(dimensions: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in dimensions.items() if value}


def browser_version_key(browser: str | None, version: str | None) -> str:
    """The versions breakdown key: the browser with its version (`Chrome 120.0.0.0`)."""
    if not browser:
        return ""
    return f"{browser} {version}" if version else browser


def duration_bin(duration_ms: int) -> int:
    """The histogram bin of a duration: its lower bound."""
    if duration_ms < BIN_EXACT_BELOW:
        return duration_ms
    shift = duration_ms.bit_length() - BIN_BITS
    return (duration_ms >> shift) << shift


def bounce_rate(bounces: int, samples: int) -> float | None:
    """Share of unload samples between 100 ms and 5 s; None under five samples."""
    if samples < MIN_BOUNCE_SAMPLES:
        return None
    return round(bounces / samples, 4)


def median_from_bins(bins: list[tuple[int, int, int]]) -> int | None:
    """The rounded median duration from (bin, count, sum of values) rows.

    Each rank is valued at the mean of its bin, which is the exact value whenever a bin holds
    a single distinct duration, and within the bin's width (under 1.6%) otherwise."""
    merged: dict[int, list[int]] = {}
    for bin_start, count, total in bins:
        cell = merged.setdefault(bin_start, [0, 0])
        cell[0] += count
        cell[1] += total
    samples = sum(cell[0] for cell in merged.values())
    if samples == 0:
        return None
    wanted = [(samples - 1) // 2, samples // 2]  # 0-based ranks of the middle one or two
    values, seen = [], 0
    for bin_start in sorted(merged):
        count, total = merged[bin_start]
        while wanted and wanted[0] < seen + count:
            values.append(total / count)
            wanted.pop(0)
        seen += count
    return math.floor(sum(values) / len(values) + 0.5)  # halves round up, not to even
