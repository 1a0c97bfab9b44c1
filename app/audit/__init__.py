"""The audit log: who did what, when, through which session or token (never from which IP)."""

from app.audit.log import CLI, audit, record

__all__ = ["CLI", "audit", "record"]
