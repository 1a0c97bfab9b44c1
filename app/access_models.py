"""SQLAlchemy 2 models of sign-in identities and the audit log."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.column_types import UTCDateTime
from app.models import Base, BigId


class UserIdentity(Base):
    """An identity provider's account (issuer + subject) that signs in as one local user."""

    __tablename__ = "user_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    """One administrative or triage action: who, when, what, and through which session or
    token. Never an IP address. Kept when the user or token is later deleted."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # Dotted names such as "group.resolve", "token.create", "signin.failure".
    action: Mapped[str] = mapped_column(String(64), index=True)
    # "user", "token", "cli" (the server's command line) or "anonymous" (failed sign-ins).
    actor_kind: Mapped[str] = mapped_column(String(16))
    # No foreign key: the entry outlives the user it names.
    actor_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_label: Mapped[str] = mapped_column(String(300))
    # "session:<first 12 hex of its key>" or "token:<id>"; None for the command line.
    via: Mapped[str | None] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
