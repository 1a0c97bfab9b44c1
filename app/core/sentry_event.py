"""A Sentry SDK event in, a storable exception record (or a drop) out: pure, like the pipeline.

https://develop.sentry.dev/sdk/data-model/event-payloads/ : what is kept is the exception
chain with its frames and code, the message, and what describes the software (platform,
release, environment, SDK, level, logger, transaction, tags, extra, a few context classes).
What describes a person (user, cookies, headers, bodies, server name, breadcrumbs, frame
variables, installed modules) is never read, so it cannot be stored.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app.core import fingerprint as fp
from app.core.engines import event_engine
from app.core.pipeline import (
    Drop,
    ExceptionRecord,
    IngestRules,
    is_cross_origin_noise,
    new_event_id,
    optional_text,
    override_parts,
)
from app.core.scrub import cap, scrub_text
from app.core.sentry_fields import (
    context_name,
    contexts_kept,
    debug_ids_kept,
    extra_kept,
    tags_kept,
)
from app.core.sentry_frames import chain_entry, grouping_frames, in_extension
from app.core.symbolicate import MAPPED_PLATFORMS, MapsFor, map_stack
from app.core.urls import page_location, without_query
from app.core.useragent import classify

MAX_CHAIN = 10  # exceptions kept of a chain, the raised one and its nearest causes
# How far an SDK's clock may be from ours before its timestamp is replaced by ours: offline
# clients send late, but a month-old or future event would land outside every chart.
PAST_WINDOW = timedelta(days=30)
FUTURE_WINDOW = timedelta(minutes=1)
UNLABELED = "<unlabeled event>"


@dataclass(frozen=True)
class SdkFacts:
    """What the endpoint knows of the request: the DSN's project, when, and the User-Agent."""

    project_id: int
    received_at: datetime
    user_agent: str = ""


def build_sentry_event(
    event: dict, facts: SdkFacts, rules: IngestRules, maps: MapsFor | None = None
) -> ExceptionRecord | Drop:
    """Map one event payload to a record, or say why it is dropped (noise, extensions, bots);
    `maps` finds the source maps its frames are read through before grouping."""
    caps = rules.caps
    patterns = rules.scrub_patterns
    platform = _text(event.get("platform"), 32)
    agent = classify(_request_user_agent(event) or facts.user_agent)
    if platform == "javascript" and agent.device == "bot":
        return Drop("filtered")
    chain = [
        chain_entry(value, patterns)
        for value in _exception_values(event)[-MAX_CHAIN:]
        if isinstance(value, dict)
    ]
    chain = [entry for entry in chain if entry is not None]
    template = None
    is_exception = bool(chain) and not _is_message_with_stack(event)
    if is_exception:
        raised = chain[-1]
        exc_type = cap(raised["type"], caps["exception_type"])
        message = cap(raised.get("value", ""), caps["exception_message"])
        frames = grouping_frames(raised["frames"])
        if in_extension(raised["frames"]) or is_cross_origin_noise(message, frames):
            return Drop("filtered")
        mechanism = raised.get("mechanism") or {}
        handled = mechanism.get("handled") is not False
        basis_message = message
    else:
        exc_type = "Message"
        template, message = _message(event, patterns)
        template = cap(template, caps["exception_message"])
        message = cap(message, caps["exception_message"])
        frames, handled, basis_message = [], True, template
        if is_cross_origin_noise(message, frames):
            return Drop("filtered")
    override = override_parts(_fingerprint_parts(event.get("fingerprint")))
    web = platform == "javascript"
    release = optional_text(_text(event.get("release"), 1000), caps["release"])
    debug_ids = debug_ids_kept(event.get("debug_meta"))
    mappable = maps and frames and platform in MAPPED_PLATFORMS
    locate = maps(facts.project_id, f"sdk://{facts.project_id}", release) if mappable else None
    stack_frames = map_stack(frames, locate, debug_ids)
    engine = event_engine(platform, agent.browser, agent.os)
    fingerprint = fp.compute(exc_type, basis_message, stack_frames.grouping, override, engine)
    url = _url(event)
    location = page_location(url) if url else None
    contexts = contexts_kept(event.get("contexts"), patterns)
    sdk = event.get("sdk") if isinstance(event.get("sdk"), dict) else {}
    return ExceptionRecord(
        event_id=_event_id(event.get("event_id")),
        received_at=_timestamp(event.get("timestamp"), facts.received_at),
        source_key=f"sdk://{facts.project_id}",
        source_kind="app",
        project_id=facts.project_id,
        path=cap(location[1], caps["path"]) if location else None,
        exc_type=exc_type,
        message=message,
        message_template=template if template != message else None,
        stack=None,
        frames=stack_frames.stored,
        handled=handled,
        release=release,
        browser=agent.browser if web else context_name(contexts, "browser"),
        browser_version=agent.browser_version if web else "",
        os=agent.os if web else context_name(contexts, "os"),
        device=agent.device if web else "",
        beacon=None,
        session_id=None,
        extra=extra_kept(event.get("extra"), caps, patterns),
        fingerprint=fingerprint.hash,
        fingerprint_version=fingerprint.version,
        fingerprint_basis=fingerprint.basis,
        fingerprint_override=override,
        title=fp.title(exc_type, message) if is_exception else _message_title(message),
        culprit=fp.culprit(stack_frames.grouping, exc_type, engine),
        platform=platform,
        environment=_text(event.get("environment"), 64),
        level=(_text(event.get("level"), 16) or ("error" if is_exception else "info")).lower(),
        logger=_text(event.get("logger"), 128),
        transaction=_scrubbed(event.get("transaction"), 200, patterns),
        url=url,
        sdk_name=_text(sdk.get("name"), 64),
        sdk_version=_text(sdk.get("version"), 32),
        tags=tags_kept(event.get("tags"), patterns),
        contexts=contexts,
        # A message keeps no chain: the JavaScript SDKs' synthetic exception would show it as
        # an "Error" that nobody raised.
        chain=(chain or None) if is_exception else None,
        debug_ids=debug_ids,
        maps_used=stack_frames.maps_used,
    )


def _message_title(message: str) -> str:
    """A message event's title is its first line, as Sentry shows it."""
    return fp.title("Message", message).removeprefix("Message: ")


def _is_message_with_stack(event: dict) -> bool:
    """A message sent with `attachStacktrace`: the JavaScript SDKs wrap it in a synthetic
    exception without a type, which is still a message, grouped by its text."""
    values = _exception_values(event)
    last = values[-1] if values and isinstance(values[-1], dict) else {}
    mechanism = last.get("mechanism") if isinstance(last.get("mechanism"), dict) else {}
    has_message = isinstance(event.get("message"), str | dict) or "logentry" in event
    return has_message and not last.get("type") and mechanism.get("synthetic") is True


def _exception_values(event: dict) -> list:
    exception = event.get("exception")
    if isinstance(exception, dict):
        exception = exception.get("values")
    return exception if isinstance(exception, list) else []


def _message(event: dict, patterns: tuple[str, ...]) -> tuple[str, str]:
    """(template grouped by, message shown): `logentry` with params, or a plain `message`."""
    entry = event.get("logentry")
    if not isinstance(entry, dict):
        entry = event.get("message") if isinstance(event.get("message"), dict) else {}
    template = entry.get("message") or event.get("message")
    if not isinstance(template, str) or not template.strip():
        template = entry.get("formatted") if isinstance(entry.get("formatted"), str) else ""
    template = template or UNLABELED
    formatted = entry.get("formatted")
    if not isinstance(formatted, str) or not formatted:
        formatted = _format(template, entry.get("params"))
    return scrub_text(template, patterns), scrub_text(formatted, patterns)


def _format(template: str, params) -> str:
    # The SDKs send `formatted` themselves; this covers the few that send only the parts.
    if isinstance(params, list) and params and "%s" in template:
        try:
            return template % tuple(str(param) for param in params)
        except (TypeError, ValueError):
            return template
    return template


def _fingerprint_parts(value):
    if isinstance(value, list):
        return [part for part in value if isinstance(part, str | int | float)] or None
    return value if isinstance(value, str) else None


def _event_id(value) -> str:
    """The SDK's event id (32 hex digits, dashes allowed) so a retry stores nothing new;
    a fresh one when it sent none or a malformed one."""
    if isinstance(value, str):
        text = value.replace("-", "").lower()
        if len(text) == 32 and all(c in "0123456789abcdef" for c in text):
            return text
    return new_event_id()


def _timestamp(value, received_at: datetime) -> datetime:
    """When the event happened by the SDK's clock, ours when it is missing or implausible."""
    when = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            when = datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            when = None
    elif isinstance(value, str) and len(value) <= 40:
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            when = None
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    if when is None or not received_at - PAST_WINDOW <= when <= received_at + FUTURE_WINDOW:
        return received_at
    return min(when.astimezone(UTC), received_at)


def _text(value, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return cap(value, limit) if value else None


def _scrubbed(value, limit: int, patterns: tuple[str, ...]) -> str | None:
    text = _text(value, limit * 4)
    return cap(scrub_text(text, patterns), limit) if text else None


def _url(event: dict) -> str | None:
    """The request's URL without its query or fragment (they carry personal data)."""
    request = event.get("request")
    url = request.get("url") if isinstance(request, dict) else None
    if not isinstance(url, str) or not url.strip():
        return None
    url = without_query(url.strip())
    return cap(scrub_text(url), 1024) or None


def _request_user_agent(event: dict) -> str:
    request = event.get("request")
    headers = request.get("headers") if isinstance(request, dict) else None
    if isinstance(headers, list):  # `[[name, value], ...]` is allowed too
        headers = dict(pair for pair in headers if isinstance(pair, list) and len(pair) == 2)
    if not isinstance(headers, dict):
        return ""
    for name, value in headers.items():
        if isinstance(name, str) and name.lower() == "user-agent" and isinstance(value, str):
            return value
    return ""


@dataclass
class DroppedItems:
    """Envelope items accepted and not stored, by (category, reason), for a project's day."""

    project_id: int
    day: date
    counts: dict[tuple[str, str], int]
