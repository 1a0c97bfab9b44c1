"""Time ranges and buckets for statistics: UTC, half-open [start, end), weeks from Monday."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MONDAY = datetime(1970, 1, 5, tzinfo=UTC)  # the epoch was a Thursday
MAX_BUCKETS = 2000
# Requested intervals and the coarser ones they may grow into, finest first.
INTERVALS = {
    "minute": timedelta(minutes=1),
    "15m": timedelta(minutes=15),
    "hour": timedelta(hours=1),
    "4h": timedelta(hours=4),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
}
REQUESTABLE = ("minute", "15m", "hour", "day", "week")
# Rollup time slots: every interval but the minute is a whole number of slots.
SLOT = timedelta(minutes=15)
DAY = timedelta(days=1)
DEFAULT_DAYS = 7
MAX_EPOCH_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z


@dataclass(frozen=True)
class Window:
    """A half-open UTC time range [start, end)."""

    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        """How long the window is."""
        return self.end - self.start

    def previous(self) -> "Window":
        """The window of equal length just before this one."""
        return Window(self.start - self.length, self.start)


def default_window(now: datetime) -> Window:
    """The last seven days: six whole UTC days and today so far."""
    return Window(floor(now, DAY) - (DEFAULT_DAYS - 1) * DAY, now)


def floor(moment: datetime, step: timedelta) -> datetime:
    """The start of the bucket of `step` holding `moment`: multiples of the step from the
    epoch, except weeks, which start on Monday."""
    origin = MONDAY if step == INTERVALS["week"] else EPOCH
    return origin + ((moment - origin) // step) * step


def ceil(moment: datetime, step: timedelta) -> datetime:
    """The first bucket boundary at or after `moment`."""
    start = floor(moment, step)
    return start if start == moment else start + step


def choose_interval(window: Window, requested: str | None) -> str:
    """The requested interval, coarsened until the window needs at most 2,000 buckets; without
    a request, hours for up to two days and days beyond."""
    if requested is None:
        requested = "hour" if window.length <= 2 * DAY else "day"
    names = list(INTERVALS)
    for name in names[names.index(requested) :]:
        if bucket_count(window, INTERVALS[name]) <= MAX_BUCKETS:
            return name
    return names[-1]


def bucket_count(window: Window, step: timedelta) -> int:
    """How many buckets of `step` cover the window."""
    if window.end <= window.start:
        return 0
    return (
        floor(window.end - timedelta(microseconds=1), step) - floor(window.start, step)
    ) // step + 1


def bucket_starts(window: Window, step: timedelta) -> list[datetime]:
    """Every bucket from the one holding the start to the one holding the last instant."""
    first = floor(window.start, step)
    return [first + index * step for index in range(bucket_count(window, step))]


@dataclass(frozen=True)
class Split:
    """A window cut at a grain: the aligned middle read from rollups, the ragged edges read
    from raw rows."""

    rollup: Window | None
    raw: tuple[Window, ...]


def split(window: Window, grain: timedelta, raw_since: datetime | None) -> Split:
    """Cut a window at whole `grain` units. Raw rows before `raw_since` are gone (retention),
    so an edge there is widened to its whole unit and read from the rollups."""
    start, end = ceil(window.start, grain), floor(window.end, grain)
    if raw_since is not None and window.start < raw_since:
        start = floor(window.start, grain)
    if start >= end:
        return Split(None, (window,) if window.end > window.start else ())
    edges = []
    if window.start < start:
        edges.append(Window(window.start, start))
    if end < window.end:
        edges.append(Window(end, window.end))
    return Split(Window(start, end), tuple(edges))


def parse_instant(text: str) -> datetime:
    """An instant from ISO 8601 (UTC when it names no zone; a bare date is its midnight) or
    from epoch milliseconds; ValueError otherwise."""
    text = text.strip()
    if text.isdigit():
        milliseconds = int(text)
        if milliseconds > MAX_EPOCH_MS:
            raise ValueError("epoch milliseconds out of range")
        return EPOCH + timedelta(milliseconds=milliseconds)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
