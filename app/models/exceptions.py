"""Exception groups, their days, triage history and releases, the events, and what was dropped."""

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

from app.models.base import Base, BigId
from app.models.column_types import Day, UTCDateTime


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
