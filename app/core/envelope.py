"""Sentry envelopes: a JSON header line, then items, each a JSON header line and a payload.

https://develop.sentry.dev/sdk/data-model/envelopes/ : an item header may give the payload's
`length` in bytes (the payload may then hold newlines); without it (the browser SDK omits it)
the payload runs to the next newline. Empty lines between items are allowed and a final newline
is optional. A malformed item is skipped and counted; it never costs the others their place.
"""

from dataclasses import dataclass, field

import orjson

# More items than any SDK sends in one envelope; the rest are counted as dropped.
MAX_ITEMS = 1000


class EnvelopeError(ValueError):
    """The envelope as a whole is unreadable (its header is not a JSON object)."""


@dataclass(frozen=True, slots=True)
class Item:
    """One envelope item: its type, its header and its raw payload."""

    type: str
    headers: dict
    payload: bytes


@dataclass
class Envelope:
    """An envelope's header, its readable items, and how many items could not be read."""

    headers: dict
    items: list[Item] = field(default_factory=list)
    malformed: int = 0


def _json_object(line: bytes) -> dict | None:
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def parse_envelope(data: bytes) -> Envelope:
    """Split an envelope into its header and items; raises EnvelopeError on a bad header."""
    end = data.find(b"\n")
    header_line = data if end < 0 else data[:end]
    headers = _json_object(header_line.strip()) if header_line.strip() else None
    if headers is None:
        raise EnvelopeError("envelope header is not a JSON object")
    envelope = Envelope(headers)
    position = len(data) if end < 0 else end + 1
    while position < len(data):
        end = data.find(b"\n", position)
        line_end = len(data) if end < 0 else end
        line = data[position:line_end].strip()
        position = line_end + 1
        if not line:
            continue  # empty lines between items
        item_headers = _json_object(line)
        if item_headers is None or not isinstance(item_headers.get("type"), str):
            # Without a readable header there is no length to skip by: its payload is taken
            # to be the next line (as in an envelope without lengths) and skipped with it, so
            # a payload that happens to look like a header never swallows the next item.
            envelope.malformed += 1
            end = data.find(b"\n", position)
            position = len(data) if end < 0 else end + 1
            continue
        length = item_headers.get("length")
        if isinstance(length, int) and not isinstance(length, bool) and length >= 0:
            # A header on the last line has no newline after it: its empty payload still fits.
            position = min(position, len(data))
            if position + length > len(data):
                envelope.malformed += 1  # cut short: a payload shorter than it says
                break
            payload = data[position : position + length]
            position += length
            if data[position : position + 1] == b"\n":
                position += 1
        elif length is not None:
            envelope.malformed += 1
            end = data.find(b"\n", position)
            position = len(data) if end < 0 else end + 1
            continue
        else:
            end = data.find(b"\n", position)
            payload = data[position : len(data) if end < 0 else end]
            position = len(data) if end < 0 else end + 1
        if len(envelope.items) >= MAX_ITEMS:
            envelope.malformed += 1
            continue
        envelope.items.append(Item(item_headers["type"], item_headers, payload))
    return envelope
