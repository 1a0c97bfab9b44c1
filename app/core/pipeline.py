"""The ingest middle: a validated report plus request facts in, a storable record or a drop out."""

import os
import random
import time
from dataclasses import dataclass, field
from datetime import datetime

from app.core import fingerprint as fp
from app.core.engines import js_engine
from app.core.scrub import cap, scrub_text, scrub_value
from app.core.sourcemap import normalise_debug_id
from app.core.stacktrace import parse_stack
from app.core.symbolicate import MapsFor, map_stack
from app.core.urls import page_location, without_query
from app.core.useragent import UAClass, classify

MAX_FINGERPRINT_PARTS = 16
MAX_FINGERPRINT_PART_BYTES = 256
MAX_DEBUG_IDS = 50
MAX_DEBUG_ID_KEY = 4000


@dataclass(frozen=True)
class RequestFacts:
    """What the pipeline may know about the request: never the IP."""

    user_agent: str
    received_at: datetime
    accept_language: str = ""


@dataclass(frozen=True)
class IngestRules:
    """The configured caps, host allow-list and extra scrub patterns."""

    caps: dict
    allowed_hosts: tuple[str, ...] = ()
    scrub_patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Drop:
    """A report accepted but not stored, and why (for counters, never for the client)."""

    reason: str


@dataclass
class ExceptionRecord:
    """A scrubbed, reduced exception ready for the store."""

    event_id: str
    received_at: datetime
    source_key: str
    path: str
    exc_type: str
    message: str
    stack: str | None
    frames: list[dict]
    handled: bool
    release: str | None
    browser: str
    browser_version: str
    os: str
    device: str
    beacon: str | None
    session_id: str | None
    extra: dict
    fingerprint: str
    fingerprint_version: int
    fingerprint_basis: list[str]
    fingerprint_override: list[str] | None
    title: str
    culprit: str | None
    source_kind: str = field(default="web")
    # Set for an SDK event: the project its DSN names, which decides where it is stored
    # (server events have no page host to route by).
    project_id: int | None = None
    # What a Sentry SDK reports beside the exception; None for tracker reports.
    platform: str | None = None
    environment: str | None = None
    level: str | None = None
    logger: str | None = None
    transaction: str | None = None
    url: str | None = None
    sdk_name: str | None = None
    sdk_version: str | None = None
    tags: dict | None = None
    contexts: dict | None = None
    chain: list | None = None
    message_template: str | None = None
    # Script URL -> debug ID, as the page (`window._sentryDebugIds`) or the SDK reported them;
    # kept on each frame, not as a column.
    debug_ids: dict[str, str] | None = None
    # Stored source maps that explained a frame: their last use is noted with the event.
    maps_used: frozenset[int] = frozenset()


# Event ids need to be unique, not secret. uuid4 reads os.urandom, which releases the GIL:
# with several request threads each call became a GIL hand-off costing ~10x the call itself.
# A private generator, seeded from urandom and reseeded in every forked child, avoids that;
# being private, nothing that reseeds the global `random` (test tools do) can repeat ids.
_event_ids = random.Random()
os.register_at_fork(after_in_child=_event_ids.seed)


def new_event_id() -> str:
    """A 32-hex-digit event id (the Sentry event id format): the millisecond it was made, then
    80 random bits, as in a UUIDv7."""
    # Time first, so each new id lands at the end of the unique index instead of on a random
    # page of it: a page written per event, and read from disk once the index outgrows memory.
    return f"{time.time_ns() // 1_000_000:012x}{_event_ids.getrandbits(80):020x}"


def host_allowed(source_key: str, allowed_hosts: tuple[str, ...]) -> bool:
    """True when no allow-list is set, or the host is listed (`*.example.com` covers subdomains)."""
    if not allowed_hosts:
        return True
    host = source_key.split("://", 1)[-1].split(":", 1)[0]
    for allowed in allowed_hosts:
        allowed = allowed.lower().removeprefix("www.")
        if allowed.startswith("*."):
            if host == allowed[2:] or host.endswith(allowed[1:]):
                return True
        elif host == allowed:
            return True
    return False


def admit(url: str, facts: RequestFacts, rules: IngestRules) -> tuple[str, str, UAClass] | Drop:
    """The checks every page-borne report passes first: a usable URL, an allowed host and a
    browser that is not a bot; (source key, path, User-Agent classes) or why it is dropped."""
    location = page_location(url)
    if location is None:
        return Drop("bad_url")
    source_key, path = location
    if not host_allowed(source_key, rules.allowed_hosts):
        return Drop("host_not_allowed")
    agent = classify(facts.user_agent)
    if agent.device == "bot":
        return Drop("bot")
    return source_key, path, agent


def build_exception(
    report: dict, facts: RequestFacts, rules: IngestRules, maps: MapsFor | None = None
) -> ExceptionRecord | Drop:
    """Turn a validated `/track/exception` body into a record, or say why it is dropped;
    `maps` finds the source maps its frames are read through before grouping."""
    admitted = admit(report["u"], facts, rules)
    if isinstance(admitted, Drop):
        return admitted
    source_key, path, agent = admitted

    caps = rules.caps
    patterns = rules.scrub_patterns
    exc_type = cap(scrub_text(report["ty"], patterns).strip(), caps["exception_type"]) or "Error"
    message = cap(scrub_text(report["m"], patterns), caps["exception_message"])
    stack = report.get("s")
    stack = cap(scrub_text(stack, patterns), caps["stack"]) if stack else None
    frames = parse_stack(stack)
    if is_cross_origin_noise(message, frames):
        return Drop("script_error")
    override = override_parts(report.get("fp"))
    release = optional_text(report.get("v"), caps["release"])
    debug_ids = page_debug_ids(report.get("di"))
    locate = maps(None, source_key, release) if maps and frames else None
    stack_frames = map_stack(frames, locate, debug_ids)
    engine = js_engine(agent.browser, agent.os)
    fingerprint = fp.compute(exc_type, message, stack_frames.grouping, override, engine)
    return ExceptionRecord(
        event_id=new_event_id(),
        received_at=facts.received_at,
        source_key=source_key,
        path=cap(path, caps["path"]),
        exc_type=exc_type,
        message=message,
        stack=stack,
        frames=stack_frames.stored,
        handled=bool(report.get("h", False)),
        release=release,
        browser=agent.browser,
        browser_version=agent.browser_version,
        os=agent.os,
        device=agent.device,
        beacon=optional_text(report.get("b"), caps["beacon"]),
        session_id=optional_text(report.get("i"), caps["session"]),
        extra=scrub_value(cap_metadata(report.get("d") or {}, caps)),
        fingerprint=fingerprint.hash,
        fingerprint_version=fingerprint.version,
        fingerprint_basis=fingerprint.basis,
        fingerprint_override=override,
        title=fp.title(exc_type, message),
        culprit=fp.culprit(stack_frames.grouping, exc_type, engine),
        debug_ids=debug_ids,
        maps_used=stack_frames.maps_used,
    )


def page_debug_ids(value) -> dict[str, str] | None:
    """Script URL -> debug ID from a page's report: keyed by script URL (what the tracker
    sends), or by the Error stacks of `window._sentryDebugIds` as sentry-cli's
    `sourcemaps inject` leaves them (each stack names its script)."""
    if not isinstance(value, dict):
        return None
    found: dict[str, str] = {}
    for key, debug_id in list(value.items())[:MAX_DEBUG_IDS]:
        if not isinstance(key, str) or not isinstance(debug_id, str):
            continue
        normal = normalise_debug_id(debug_id)
        if normal is None:
            continue
        if "://" in key and not any(c.isspace() for c in key):
            url = without_query(key[:MAX_DEBUG_ID_KEY])
            found[url] = normal
            continue
        frames = parse_stack(key[:MAX_DEBUG_ID_KEY])
        # The injected snippet runs at the script's top level: its frame names the script.
        filename = next((f.filename for f in frames if f.filename), None)
        if filename is not None:
            found[filename] = normal
    return found or None


def is_cross_origin_noise(message: str, frames: list) -> bool:
    """A browser's `Script error.`: all it says of an error in a cross-origin script, with no
    stack to tell one fault from another, so it would gather unrelated bugs in one group."""
    return not frames and message.strip().rstrip(".").lower() == "script error"


def cap_metadata(metadata: dict, caps: dict) -> dict:
    """Keep the first N entries with scalar values, keys and values cut to their caps."""
    kept: dict = {}
    for key, value in metadata.items():
        if len(kept) >= caps["metadata_entries"]:
            break
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, int | float):
            value = str(value)
        elif not isinstance(value, str):
            continue  # nested values are not part of the flat protocol: dropped, not rejected
        kept[cap(str(key), caps["metadata_key"])] = cap(value, caps["metadata_value"])
    return kept


def override_parts(value) -> list[str] | None:
    """A client's fingerprint override as capped strings; None when it sent none."""
    if value is None or value == "" or value == []:
        return None
    parts = [value] if isinstance(value, str) else list(value)
    return [cap(str(part), MAX_FINGERPRINT_PART_BYTES) for part in parts[:MAX_FINGERPRINT_PARTS]]


def optional_text(value: str | None, limit: int) -> str | None:
    """A stripped string cut to its cap; None for a missing or blank one."""
    if value is None:
        return None
    value = value.strip()
    return cap(value, limit) if value else None
