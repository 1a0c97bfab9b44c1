"""The analytics middle: a validated `/track/hit` body plus request facts in, a hit or a drop out.

What a hit keeps is derived here and nowhere else: never the IP, the raw User-Agent, the raw
Accept-Language, the query string (apart from three UTM tags) or the referrer's path.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlsplit

from app.core.pipeline import (
    Drop,
    IngestRules,
    RequestFacts,
    admit,
    cap_metadata,
    optional_text,
)
from app.core.referrer import classify_referrer
from app.core.regions import base_language, country_of_timezone
from app.core.scrub import cap, scrub_text, scrub_value
from app.core.urls import host_of

KINDS = ("load", "unload", "custom", "pixel")
MAX_DURATION_MS = 24 * 60 * 60 * 1000  # a tab open longer than a day measures nothing useful
UTM_TAGS = ("utm_source", "utm_medium", "utm_campaign")
MAX_QUERY_FIELDS = 200


@dataclass
class HitRecord:
    """One page load, unload, custom event or pixel hit, ready for the store."""

    kind: str
    received_at: datetime
    source_key: str
    path: str | None = None
    unique_visit: bool = False
    unique_page: bool = False
    referrer_host: str | None = None
    referrer_group: str | None = None
    country: str | None = None
    language: str | None = None
    browser: str | None = None
    browser_version: str | None = None
    os: str | None = None
    device: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    session_id: str | None = None
    beacon: str | None = None
    duration_ms: int | None = None
    event_name: str | None = None
    metadata: dict | None = None
    release: str | None = None
    source_kind: str = "web"
    # Set for pixels only: their source belongs to the pixel's project, not to a new one.
    project_id: int | None = None


def build_hit(hit: dict, facts: RequestFacts, rules: IngestRules) -> HitRecord | Drop:
    """Turn a validated `/track/hit` body into a record, or say why it is dropped."""
    admitted = admit(hit["u"], facts, rules)
    if isinstance(admitted, Drop):
        return admitted
    source_key, path, agent = admitted
    kind = hit.get("e") or "load"
    duration = None
    if kind == "unload":
        duration = _duration(hit.get("m"))
        if duration is None:
            # An unload's only content is its duration: without a sane one there is nothing
            # to keep (a null row would count in no statistic).
            return Drop("bad_duration")
    caps = rules.caps
    referrer_host, referrer_group = classify_referrer(hit.get("r"), host_of(source_key))
    utm = _utm_tags(hit["u"], caps["utm"])
    record = HitRecord(
        kind=kind,
        received_at=facts.received_at,
        source_key=source_key,
        path=cap(path, caps["path"]),
        unique_visit=bool(hit.get("q")),
        unique_page=bool(hit.get("p")),
        referrer_host=referrer_host,
        referrer_group=referrer_group,
        country=country_of_timezone(hit.get("t")),
        language=base_language(facts.accept_language),
        browser=agent.browser,
        browser_version=agent.browser_version,
        os=agent.os,
        device=agent.device,
        utm_source=utm.get("utm_source"),
        utm_medium=utm.get("utm_medium"),
        utm_campaign=utm.get("utm_campaign"),
        session_id=optional_text(hit.get("i"), caps["session"]),
        beacon=optional_text(hit.get("b"), caps["beacon"]),
        duration_ms=duration,
        release=optional_text(hit.get("v"), caps["release"]),
    )
    if kind == "custom":
        record.event_name = optional_text(hit.get("n"), caps["event_name"])
        record.metadata = scrub_value(cap_metadata(hit.get("d") or {}, caps))
    return record


def build_pixel_hit(
    pixel_id: str, project_id: int, event_name: str, metadata: dict, received_at: datetime
) -> HitRecord:
    """The hit of one pixel load: the pixel's own name and metadata, nothing about the reader."""
    return HitRecord(
        kind="pixel",
        received_at=received_at,
        source_key=f"pixel://{pixel_id}",
        event_name=event_name,
        metadata=metadata,
        source_kind="pixel",
        project_id=project_id,
    )


def _duration(value) -> int | None:
    if value is None:
        return None
    milliseconds = round(value)
    return milliseconds if 0 <= milliseconds <= MAX_DURATION_MS else None


def _utm_tags(url: str, limit: int) -> dict[str, str]:
    query = urlsplit(url.strip()).query
    if "utm_" not in query:
        return {}
    tags = {}
    # Empty values are skipped (`utm_medium=` is no medium); the last non-empty one wins.
    try:
        pairs = parse_qsl(query, max_num_fields=MAX_QUERY_FIELDS)
    except ValueError:
        return {}  # hundreds of fields: not a page URL worth reading
    for name, value in pairs:
        if name in UTM_TAGS:
            value = optional_text(scrub_text(value), limit)
            if value:
                tags[name] = value
    return tags
