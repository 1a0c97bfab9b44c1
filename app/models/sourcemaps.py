"""SQLAlchemy 2 models of uploaded source maps and sentry-cli's upload chunks."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.column_types import UTCDateTime


class SourceMapBundle(Base):
    """Maps and scripts uploaded together: one CLI run, API post or sentry-cli artifact bundle."""

    __tablename__ = "sourcemap_bundles"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    release: Mapped[str | None] = mapped_column(String(120))
    # "cli" | "api" | "sentry-cli"
    origin: Mapped[str] = mapped_column(String(16))
    # sentry-cli's bundle checksum: assembling the same bundle twice stores it once.
    checksum: Mapped[str | None] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SourceMapFile(Base):
    """A source map or the minified script it explains, found by debug ID, release + URL or
    the script's file name; `url`, `name` and `debug_id` are the script's, on both kinds."""

    __tablename__ = "sourcemap_files"
    __table_args__ = (
        Index("ix_sourcemap_files_project_debug_id", "project_id", "debug_id"),
        Index("ix_sourcemap_files_project_name", "project_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_id: Mapped[int] = mapped_column(
        ForeignKey("sourcemap_bundles.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    # "source_map" | "minified_source"
    kind: Mapped[str] = mapped_column(String(16))
    # `~/assets/app.js` (any origin) or a full URL without its query.
    url: Mapped[str | None] = mapped_column(String(1100))
    name: Mapped[str] = mapped_column(String(300))
    debug_id: Mapped[str | None] = mapped_column(String(36))
    release: Mapped[str | None] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha1: Mapped[str] = mapped_column(String(40))
    # zlib-compressed: maps shrink about fourfold.
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class UploadChunk(Base):
    """A piece of a sentry-cli upload, named by its SHA-1, until a bundle is assembled from it."""

    __tablename__ = "upload_chunks"

    checksum: Mapped[str] = mapped_column(String(40), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
