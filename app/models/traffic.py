"""Page views (hits) and the rollups read from them: traffic slots, dimensions, durations."""

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId
from app.models.column_types import Day, UTCDateTime


class Hit(Base):
    """One page load, unload, custom event or pixel hit: only derived, coarse values."""

    __tablename__ = "hits"
    __table_args__ = (
        Index("ix_hits_project_received", "project_id", "received_at"),
        # Retention deletes by age across projects; stats over all projects read by time.
        Index("ix_hits_received", "received_at"),
        # A filter on one page (a click on the pages breakdown, the commonest filter) reads
        # that page's rows only.
        Index("ix_hits_project_path_received", "project_id", "path", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(8))  # load | unload | custom | pixel
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    path: Mapped[str | None] = mapped_column(String(1100))
    unique_visit: Mapped[bool] = mapped_column(Boolean)  # `q`: first visit to the site today
    unique_page: Mapped[bool] = mapped_column(Boolean)  # `p`: first view of the page today
    referrer_host: Mapped[str | None] = mapped_column(String(300))
    referrer_group: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(8))
    browser: Mapped[str | None] = mapped_column(String(64))
    browser_version: Mapped[str | None] = mapped_column(String(32))
    os: Mapped[str | None] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(16))
    utm_source: Mapped[str | None] = mapped_column(String(300))
    utm_medium: Mapped[str | None] = mapped_column(String(300))
    utm_campaign: Mapped[str | None] = mapped_column(String(300))
    session_id: Mapped[str | None] = mapped_column(String(300))
    beacon: Mapped[str | None] = mapped_column(String(300))
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    event_name: Mapped[str | None] = mapped_column(String(300))
    release: Mapped[str | None] = mapped_column(String(120))
    # `metadata` is reserved on declarative classes: the attribute is `meta`, the column not.
    # none_as_null: hits without metadata hold SQL NULL, not the JSON text `null`.
    meta: Mapped[dict | None] = mapped_column("metadata", JSON(none_as_null=True))


class _Measures:
    """The additive measures every rollup row carries (see app/core/traffic.py)."""

    visitors: Mapped[int] = mapped_column(BigInteger, default=0)
    page_visitors: Mapped[int] = mapped_column(BigInteger, default=0)
    pageviews: Mapped[int] = mapped_column(BigInteger, default=0)
    events: Mapped[int] = mapped_column(BigInteger, default=0)
    exceptions: Mapped[int] = mapped_column(BigInteger, default=0)
    unloads: Mapped[int] = mapped_column(BigInteger, default=0)
    bounces: Mapped[int] = mapped_column(BigInteger, default=0)


class TrafficSlot(_Measures, Base):
    """Totals per project, source and 15-minute slot: summaries, series and the sources and
    projects breakdowns without reading raw hits."""

    __tablename__ = "traffic_slots"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    slot: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), primary_key=True)


class TrafficDimension(_Measures, Base):
    """Totals per project, UTC day, dimension and value: the breakdowns."""

    __tablename__ = "traffic_dimensions"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Day, primary_key=True)
    value: Mapped[str] = mapped_column(String(1100), primary_key=True)


class DurationBin(Base):
    """Time-on-page histogram per project and UTC day: the median without raw unloads."""

    __tablename__ = "duration_bins"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Day, primary_key=True)
    bin: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    total_ms: Mapped[int] = mapped_column(BigInteger, default=0)
