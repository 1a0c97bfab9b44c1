"""SQLAlchemy 2 models: projects, sources, exception events and groups, hits and pixels (users,
tokens and the audit log in app/access_models.py, source maps in app/sourcemap_models.py)."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.column_types import Day, UTCDateTime
from app.model_base import NAMING, Base, BigId  # noqa: F401  (re-exported)


class Project(Base):
    """A group of sources; integer ids because Sentry DSNs require them."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Deleting a project keeps its history (groups, events, hits, rollups) behind a tombstone:
    # it leaves every list and lookup, and its sources are moved or unassigned.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Source(Base):
    """Where data comes from: `https://host`, an application or a pixel."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: unassigned (its project was deleted); its traffic is dropped until an admin
    # assigns it again.
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(300), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    auto_registered: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ExceptionGroup(Base):
    """Events that share a fingerprint within a project, and their triage state."""

    __tablename__ = "exception_groups"
    __table_args__ = (
        UniqueConstraint("project_id", "fingerprint"),
        Index("ix_exception_groups_project_last_seen", "project_id", "last_seen"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    fingerprint_version: Mapped[int] = mapped_column(Integer)
    fingerprint_basis: Mapped[list] = mapped_column(JSON)
    title: Mapped[str] = mapped_column(String(1100))
    exc_type: Mapped[str] = mapped_column(String(1000))
    culprit: Mapped[str | None] = mapped_column(String(1100))
    status: Mapped[str] = mapped_column(String(16), default="unresolved")
    regressed: Mapped[bool] = mapped_column(Boolean, default=False)
    regressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    event_count: Mapped[int] = mapped_column(BigInteger, default=0)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    first_release: Mapped[str | None] = mapped_column(String(120))
    last_release: Mapped[str | None] = mapped_column(String(120))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "now" | "next_release" | "release"; with the release string the resolution refers to:
    # for next_release the latest release seen when resolving, for release the named fix.
    resolution_kind: Mapped[str | None] = mapped_column(String(16))
    resolution_release: Mapped[str | None] = mapped_column(String(120))
    ignored_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ignore_until_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ignore_until_count: Mapped[int | None] = mapped_column(BigInteger)
    # The latest event's platform and environment, for the inbox rows and the filter.
    platform: Mapped[str | None] = mapped_column(String(32))
    environment: Mapped[str | None] = mapped_column(String(64))
    # A group absorbed by a merge keeps its row so that its fingerprint still finds the
    # survivor in the same single upsert; lists and lookups skip it.
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("exception_groups.id", ondelete="CASCADE"), index=True
    )


class GroupDay(Base):
    """Events per group per UTC day: trends without scanning events."""

    __tablename__ = "group_days"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("exception_groups.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Day, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)


class GroupTransition(Base):
    """One line of a group's history: created, resolved, regressed, ignored, ..."""

    __tablename__ = "group_transitions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("exception_groups.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict | None] = mapped_column(JSON)


class Release(Base):
    """A release seen in a project, with when it was first seen (orders non-semver releases)."""

    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("project_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(120))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())


class ExceptionEvent(Base):
    """One stored exception report, already scrubbed and reduced."""

    __tablename__ = "exception_events"
    __table_args__ = (
        Index("ix_exception_events_group_id_id", "group_id", "id"),
        Index("ix_exception_events_project_received", "project_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(32), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    group_id: Mapped[int] = mapped_column(ForeignKey("exception_groups.id", ondelete="CASCADE"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    exc_type: Mapped[str] = mapped_column(String(1000))
    message: Mapped[str] = mapped_column(Text)
    stack: Mapped[str | None] = mapped_column(Text)
    frames: Mapped[list] = mapped_column(JSON)
    handled: Mapped[bool] = mapped_column(Boolean)
    release: Mapped[str | None] = mapped_column(String(120))
    path: Mapped[str | None] = mapped_column(String(1100))
    browser: Mapped[str | None] = mapped_column(String(64))
    browser_version: Mapped[str | None] = mapped_column(String(32))
    os: Mapped[str | None] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(16))
    beacon: Mapped[str | None] = mapped_column(String(300))
    session_id: Mapped[str | None] = mapped_column(String(300))
    extra: Mapped[dict] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(64))
    fingerprint_override: Mapped[list | None] = mapped_column(JSON)
    # What a Sentry SDK reports beside the exception; None for tracker reports.
    platform: Mapped[str | None] = mapped_column(String(32))
    environment: Mapped[str | None] = mapped_column(String(64))
    level: Mapped[str | None] = mapped_column(String(16))
    logger: Mapped[str | None] = mapped_column(String(128))
    transaction_name: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(1100))
    sdk_name: Mapped[str | None] = mapped_column(String(64))
    sdk_version: Mapped[str | None] = mapped_column(String(32))
    tags: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    contexts: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # The whole exception chain, causes first, each with its frames and code context.
    chain: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    # A message event's unformatted template (`Refused %s`), which it was grouped by: kept so
    # that regrouping sees what ingest saw, while `message` shows it formatted.
    message_template: Mapped[str | None] = mapped_column(Text)


class DroppedItem(Base):
    """Envelope items accepted and not stored, counted per project, day, category and reason."""

    __tablename__ = "dropped_items"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Day, primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    reason: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)


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


class Pixel(Base):
    """A tracking pixel (`/track/gif/<id>.gif`): each load stores one hit in its project."""

    __tablename__ = "pixels"

    # Public and unguessable: the id is the whole URL, so it must not be enumerable.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    event_name: Mapped[str] = mapped_column(String(300), default="pixel")
    meta: Mapped[dict] = mapped_column("metadata", JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# The access, alert and source map tables live beside this module (it would outgrow a readable
# size); imported here so that one metadata, and `from app.models import ...`, hold every table.
from app.access_models import (  # noqa: E402, F401
    ApiToken,
    AuditEntry,
    User,
    UserIdentity,
    UserSession,
)
from app.alert_models import (  # noqa: E402, F401
    AlertAttempt,
    AlertChannel,
    AlertDelivery,
    AlertFiring,
    AlertRule,
)
from app.sourcemap_models import (  # noqa: E402, F401
    SourceMapBundle,
    SourceMapFile,
    UploadChunk,
)
