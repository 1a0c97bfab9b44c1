"""Projects, the sites and apps (sources) that report to them, and their tracking pixels."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.column_types import UTCDateTime


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
