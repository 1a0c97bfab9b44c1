"""The daily-uniqueness oracle behind `GET /track/ping`: no identifier, only the HTTP cache."""

from datetime import UTC, datetime, time
from email.utils import format_datetime, parsedate_to_datetime


def today_midnight(now: datetime) -> datetime:
    """00:00:00 UTC of the day `now` falls on (UTC)."""
    return datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)


def last_modified(now: datetime) -> str:
    """Today's UTC midnight as an IMF-fixdate (`Sun, 24 Nov 2026 00:00:00 GMT`)."""
    return format_datetime(today_midnight(now), usegmt=True)


def is_unique(if_modified_since: str | None, now: datetime) -> bool:
    """True (first request today) unless the header is a date at or after today's midnight.

    The browser sends back the `Last-Modified` we gave it, so a date from today means it has
    already asked today; a missing or unparseable header counts as a first visit.
    """
    if not if_modified_since or len(if_modified_since) > 64:
        return True
    try:
        seen = parsedate_to_datetime(if_modified_since.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return True
    if seen is None:
        return True
    if seen.tzinfo is None:
        seen = seen.replace(tzinfo=UTC)  # HTTP dates are GMT by definition
    return seen < today_midnight(now)
