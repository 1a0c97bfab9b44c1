"""Reading the audit log: newest first, filtered, one page at a time."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEntry
from app.paging import decode_cursor, encode_cursor, iso


def entry_dict(entry: AuditEntry) -> dict:
    """An entry as the API shows it."""
    target = None
    if entry.target_type is not None or entry.target_id is not None:
        target = {"type": entry.target_type, "id": entry.target_id}
    return {
        "id": entry.id,
        "at": iso(entry.at),
        "action": entry.action,
        "actor": {
            "kind": entry.actor_kind,
            "user_id": entry.actor_user_id,
            "label": entry.actor_label,
        },
        "via": entry.via,
        "target": target,
        "detail": entry.detail or {},
    }


def _filtered(query, args: dict):
    action = args.get("action")
    if action is not None:
        # "group." means every group action; anything else is one action exactly.
        if action.endswith("."):
            query = query.where(AuditEntry.action.startswith(action, autoescape=True))
        else:
            query = query.where(AuditEntry.action == action)
    if "actor" in args:
        query = query.where(AuditEntry.actor_user_id == args["actor"])
    for name in ("actor_kind", "target_type", "target_id"):
        if name in args:
            query = query.where(getattr(AuditEntry, name) == args[name])
    if "since" in args:
        query = query.where(AuditEntry.at >= args["since"])
    if "until" in args:
        query = query.where(AuditEntry.at < args["until"])
    return query


def list_entries(session: Session, args: dict) -> dict:
    """One page of entries matching the loaded AuditArgs, newest first (by id: entries are
    written as things happen, so the id order is the time order)."""
    query = _filtered(select(AuditEntry), args)
    if "cursor" in args:
        query = query.where(AuditEntry.id < decode_cursor(args["cursor"], None)[1])
    limit = args["limit"]
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit + 1)).all()
    return {
        "items": [entry_dict(entry) for entry in rows[:limit]],
        "next_cursor": encode_cursor(None, rows[limit - 1].id) if len(rows) > limit else None,
    }
