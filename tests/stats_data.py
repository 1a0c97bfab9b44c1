"""Storing hits and exceptions at chosen times through the real pipeline and writer, so that
stats tests control the clock (the HTTP endpoints stamp the server's own time)."""

from datetime import UTC, datetime, timedelta

from app.core.hits import build_hit
from app.core.pipeline import IngestRules, RequestFacts, build_exception
from app.core.timegrid import DAY, floor
from app.schemas import ExceptionReportIn, HitIn
from tests.conftest import CHROME_UA

FIREFOX_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def days_ago(count: int, hours: float = 0) -> datetime:
    """UTC midnight `count` days before today, plus some hours: recent enough that raw rows
    are still kept, fixed enough to place rows on exact boundaries."""
    return floor(datetime.now(UTC), DAY) - count * DAY + timedelta(hours=hours)


class Recorder:
    """Stores hits and exceptions with the app's writer, at given times."""

    def __init__(self, app) -> None:
        self.writer = app.extensions["faultline.writer"]
        self.rules = IngestRules(caps=app.config["FAULTLINE"]["ingest"]["caps"])

    def hit(self, at: datetime, ua: str = CHROME_UA, language: str = "en-GB", **body) -> None:
        """One hit (`u` defaults to https://example.com/)."""
        body.setdefault("b", f"beacon-{at.timestamp()}")
        body.setdefault("u", "https://example.com/")
        record = build_hit(HitIn().load(body), RequestFacts(ua, at, language), self.rules)
        assert self.writer.write(record), body

    def exception(self, at: datetime, ua: str = CHROME_UA, **body) -> None:
        """One exception report (`u`, `ty`, `m` have defaults)."""
        body.setdefault("u", "https://example.com/")
        body.setdefault("ty", "TypeError")
        body.setdefault("m", "x is undefined")
        report = ExceptionReportIn().load(body)
        record = build_exception(report, RequestFacts(ua, at, "en"), self.rules)
        assert self.writer.write(record), body
