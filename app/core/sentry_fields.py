"""The descriptive parts of a Sentry event that Faultline keeps: tags, extra and a few
context classes, each scrubbed and capped. Contexts are whitelisted field by field: the SDKs
fill them with machine and person details (memory, boot time, locale) nobody triages by."""

import json

import orjson

from app.core.scrub import FILTERED, cap, is_sensitive_key, scrub_text
from app.core.sourcemap import normalise_debug_id
from app.core.urls import without_query

MAX_DEBUG_IMAGES = 100
MAX_TAGS = 50
TAG_KEY_BYTES = 32  # Sentry's own limits on tag keys and values
TAG_VALUE_BYTES = 200
MAX_EXTRA = 32
# The Python SDK's argv integration: a command line holds host names, DSNs and passwords.
UNKEPT_EXTRA = frozenset({"sys.argv"})
CONTEXT_VALUE_BYTES = 128
# Context classes and the fields of each that describe the software, never the person.
CONTEXT_FIELDS = {
    "browser": ("name", "version"),
    "os": ("name", "version"),
    "runtime": ("name", "version"),
    "device": ("family", "model", "arch"),
    "app": ("app_name", "app_version"),
}


def tags_kept(value, patterns: tuple[str, ...]) -> dict | None:
    """Tags as a flat mapping of strings (a dict or `[key, value]` pairs), scrubbed and capped."""
    pairs = value.items() if isinstance(value, dict) else value if isinstance(value, list) else ()
    tags: dict[str, str] = {}
    for pair in pairs:
        if len(tags) >= MAX_TAGS:
            break
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            continue
        key, item = pair
        if not isinstance(key, str) or not key.strip() or isinstance(item, dict | list):
            continue
        if item is None:
            continue
        text = str(item).lower() if isinstance(item, bool) else str(item)
        key = cap(scrub_text(key.strip(), patterns), TAG_KEY_BYTES)
        tags[key] = (
            FILTERED if is_sensitive_key(key) else cap(scrub_text(text, patterns), TAG_VALUE_BYTES)
        )
    return tags or None


def extra_kept(value, caps: dict, patterns: tuple[str, ...]) -> dict:
    """Extra data as strings (nested values as compact JSON), secrets filtered by key."""
    if not isinstance(value, dict):
        return {}
    extra: dict[str, str] = {}
    for key, item in value.items():
        if len(extra) >= MAX_EXTRA:
            break
        if not isinstance(key, str) or item is None or key in UNKEPT_EXTRA:
            continue
        key = cap(scrub_text(key, patterns), caps["metadata_key"])
        if is_sensitive_key(key):
            extra[key] = FILTERED
            continue
        text = item if isinstance(item, str) else _compact_json(item)
        extra[key] = cap(scrub_text(text, patterns), caps["metadata_value"])
    return extra


def _compact_json(value) -> str:
    # Nested values are shown as compact JSON; scrubbing the text covers their leaves.
    try:
        return orjson.dumps(value, default=str).decode()
    except orjson.JSONEncodeError:  # an integer past 64 bits, which only json can write
        return json.dumps(value, default=str, separators=(",", ":"))


def contexts_kept(value, patterns: tuple[str, ...]) -> dict | None:
    """The whitelisted context classes and fields, in the order the SDK sent them."""
    if not isinstance(value, dict):
        return None
    kept: dict[str, dict] = {}
    for name, context in value.items():
        fields = CONTEXT_FIELDS.get(name) if isinstance(name, str) else None
        if fields is None or not isinstance(context, dict):
            continue
        values = {
            field: cap(scrub_text(str(context[field]).strip(), patterns), CONTEXT_VALUE_BYTES)
            for field in fields
            if isinstance(context.get(field), str | int | float)
            and not isinstance(context.get(field), bool)
            and str(context[field]).strip()
        }
        if values:
            kept[name] = values
    return kept or None


def context_name(contexts: dict | None, name: str) -> str:
    """The `name` of one kept context class (`Debian`), or the empty string."""
    return ((contexts or {}).get(name) or {}).get("name", "")


def debug_ids_kept(debug_meta) -> dict[str, str] | None:
    """Script URL -> debug ID from `debug_meta.images` (the browser SDK's source map images)."""
    images = debug_meta.get("images") if isinstance(debug_meta, dict) else None
    if not isinstance(images, list):
        return None
    found: dict[str, str] = {}
    for image in images[:MAX_DEBUG_IMAGES]:
        if not isinstance(image, dict) or image.get("type") != "sourcemap":
            continue
        url, debug_id = image.get("code_file"), image.get("debug_id")
        if not isinstance(url, str) or not isinstance(debug_id, str):
            continue
        if (normal := normalise_debug_id(debug_id)) is not None:
            found[without_query(url)] = normal
    return found or None
