"""SQLAlchemy 2 models of who may come in: users, their browser sessions, identities and API
tokens, and the audit log of what they did."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId
from app.models.column_types import UTCDateTime


class ApiToken(Base):
    """A user's token for scripts; only its SHA-256 is stored. It acts with its scopes, never
    beyond its owner's role, and only on its projects when it lists some."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # None: made on the server's command line before tokens had owners (acts as administrator).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # Some of "read", "triage", "admin" (app/core/roles.py).
    scopes: Mapped[list] = mapped_column(JSON, default=lambda: ["read", "triage", "admin"])
    # Project ids the token may touch; None for all of them.
    project_ids: Mapped[list | None] = mapped_column(JSON)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class User(Base):
    """Someone who signs in to the dashboard: a local account (OIDC sign-ins will map here too)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased (see app/access/accounts.py), so the plain unique constraint holds
    # case-insensitively on every backend.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # An argon2id hash in PHC format; None for an account without a local password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # "admin", "member" or "viewer" (app/core/roles.py); an identity provider's sign-in
    # sets it from the access rules every time.
    role: Mapped[str] = mapped_column(String(16), default="member")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_admin(self) -> bool:
        """Whether this user administers the instance."""
        return self.role == "admin"


class UserSession(Base):
    """A signed-in browser; the cookie holds a random value, the table only its SHA-256."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Expired sessions are deleted by age when someone signs in.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Not a secret at rest: useless without the session cookie, which is never stored.
    csrf_token: Mapped[str] = mapped_column(String(64))
    # The identity provider (auth.oidc.providers[].name) that signed this session in; None for
    # a local password. Sign-out sends the browser to that provider's end_session_endpoint.
    provider: Mapped[str | None] = mapped_column(String(64))


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
