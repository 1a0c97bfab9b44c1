"""Writing audit entries: a data function that never commits, and the request-level shortcut
that names the caller behind the current API request."""

from datetime import UTC, datetime

from flask import g
from sqlalchemy.orm import Session

from app.core.roles import SCOPES, Caller
from app.db import get_session
from app.models import AuditEntry

# The server's command line: whoever runs it has the database.
CLI = Caller(kind="cli", label="cli", scopes=frozenset(SCOPES))
MAX_DETAIL_TEXT = 300


def _bounded(detail: dict) -> dict:
    # Entries are small and never carry a request body: long texts are cut.
    return {
        key: value[:MAX_DETAIL_TEXT] if isinstance(value, str) else value
        for key, value in detail.items()
    }


def record(
    session: Session,
    actor: Caller,
    action: str,
    target_type: str | None = None,
    target_id: object = None,
    now: datetime | None = None,
    **detail,
) -> AuditEntry:
    """Add one entry (committed with the change it describes)."""
    entry = AuditEntry(
        at=now or datetime.now(UTC),
        action=action,
        actor_kind=actor.kind,
        actor_user_id=actor.user_id,
        actor_label=actor.label[:300],
        via=actor.via,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id)[:64],
        detail=_bounded(detail),
    )
    session.add(entry)
    return entry


def audit(action: str, target_type: str | None = None, target_id: object = None, **detail):
    """Record an action of the caller behind this API request in the request's session."""
    return record(get_session(), g.caller, action, target_type, target_id, **detail)
