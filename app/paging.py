"""Keyset paging and times as every list of the API shows them: opaque cursors, ISO 8601."""

import base64
import binascii
import json
from datetime import UTC, datetime

from app.errors import ApiError

# The sorts whose cursor holds a number, and the JSON types it may have.
NUMBER_SORTS = {"count": int, "per_1k": int | float}


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a `Z`."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def encode_cursor(value, row_id: int) -> str:
    """An opaque cursor for keyset paging."""
    if isinstance(value, datetime):
        value = iso(value)
    raw = json.dumps([value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str | None) -> tuple:
    """The (value, id) a cursor stands for; 400 for anything we did not hand out."""
    try:
        value, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(row_id, int):
            raise ValueError
        if sort in ("last_seen", "first_seen"):
            value = datetime.fromisoformat(value)
        elif sort in NUMBER_SORTS and (
            isinstance(value, bool) or not isinstance(value, NUMBER_SORTS[sort])
        ):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "invalid_cursor", "The cursor is not valid.") from None
    return value, row_id
