"""The row of `exception_events` that one stored record becomes."""

from app.core.pipeline import ExceptionRecord


def event_row(
    record: ExceptionRecord, project_id: int, source_id: int | None, group_id: int
) -> dict:
    """The column values of an event row for a record placed in its project and group."""
    return {
        "event_id": record.event_id,
        "project_id": project_id,
        "source_id": source_id,
        "group_id": group_id,
        "received_at": record.received_at,
        "exc_type": record.exc_type,
        "message": record.message,
        "stack": record.stack,
        "frames": record.frames,
        "handled": record.handled,
        "release": record.release,
        "path": record.path,
        "browser": record.browser,
        "browser_version": record.browser_version,
        "os": record.os,
        "device": record.device,
        "beacon": record.beacon,
        "session_id": record.session_id,
        "extra": record.extra,
        "fingerprint": record.fingerprint,
        "fingerprint_override": record.fingerprint_override,
        "platform": record.platform,
        "environment": record.environment,
        "level": record.level,
        "logger": record.logger,
        "transaction_name": record.transaction,
        "url": record.url,
        "sdk_name": record.sdk_name,
        "sdk_version": record.sdk_version,
        "tags": record.tags,
        "contexts": record.contexts,
        "chain": record.chain,
        "message_template": record.message_template,
    }
