"""SQLAlchemy 2 models of alerts: rules, channels, what fired, and the delivery outbox."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId
from app.models.column_types import UTCDateTime


class AlertChannel(Base):
    """Where a project's alerts go: an email list over SMTP, or a webhook."""

    __tablename__ = "alert_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    # "email" or "webhook"
    kind: Mapped[str] = mapped_column(String(16))
    # Email: comma-separated recipients. Webhook: the URL.
    target: Mapped[str] = mapped_column(String(2000))
    # Webhook body: "json" (documented), "slack" or "discord"; "email" for mail.
    format: Mapped[str] = mapped_column(String(16))
    # The key of a webhook's X-Faultline-Signature (HMAC-SHA256 of the body); None for mail.
    secret: Mapped[str | None] = mapped_column(String(128))
    timeout_seconds: Mapped[int] = mapped_column(Integer, default=10)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AlertRule(Base):
    """When to tell a project's channels: a new group, a regression, an ignore that ended, or
    a rate (events in a window, or errors per 1,000 page views of the project or a page)."""

    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    # "new_group", "regression", "ignore_ended", "event_rate" or "view_rate"
    kind: Mapped[str] = mapped_column(String(24))
    # event_rate: more than N events; view_rate: more than X errors per 1,000 page views.
    threshold: Mapped[float | None] = mapped_column(Float)
    window_minutes: Mapped[int | None] = mapped_column(Integer)
    # view_rate of one page (its path) instead of the whole project.
    page: Mapped[str | None] = mapped_column(String(1024))
    # Optional {"environment", "release", "handled", "level"} an event must match.
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    channel_ids: Mapped[list] = mapped_column(JSON, default=list)
    # One notification per group (or per page, for rates) per rule per cool-down.
    cooldown_minutes: Mapped[int] = mapped_column(Integer, default=60)
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AlertFiring(Base):
    """A rule that fired, for a group (or for the project or a page, for view rates): the
    group page lists these, and the cool-down reads the last one."""

    __tablename__ = "alert_firings"
    __table_args__ = (Index("ix_alert_firings_rule_group_at", "rule_id", "group_id", "fired_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("exception_groups.id", ondelete="CASCADE"), index=True
    )
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Why: {"count": ..., "window_minutes": ..., "per_1k": ..., "release": ...}
    reason: Mapped[dict] = mapped_column(JSON, default=dict)


class AlertDelivery(Base):
    """The outbox: one firing to one channel, written in the transaction that decided it and
    sent by the worker (at least once; the idempotency key and Message-ID let receivers drop a
    repeat)."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (Index("ix_alert_deliveries_state_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    firing_id: Mapped[int] = mapped_column(
        ForeignKey("alert_firings.id", ondelete="CASCADE"), index=True
    )
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("alert_channels.id", ondelete="CASCADE"), index=True
    )
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    # "pending", "sent" or "given_up"
    state: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A worker that claimed the row owns it until then (a killed worker's claim runs out).
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Sent as part of one digest message with the deliveries of the same key.
    digest_key: Mapped[str | None] = mapped_column(String(64))


class AlertAttempt(Base):
    """One try at sending a delivery, kept so that failures are visible."""

    __tablename__ = "alert_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("alert_deliveries.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    ok: Mapped[bool] = mapped_column(Boolean)
    # "HTTP 500", "connection refused", "250 OK" (never a response body).
    detail: Mapped[str] = mapped_column(String(500))
