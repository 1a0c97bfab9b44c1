"""Country from the browser's IANA timezone, language from Accept-Language: no IP geolocation."""

import functools
from importlib.resources import files

MAX_ZONE = 64  # the longest IANA zone name is ~32 characters
MAX_LINK_HOPS = 4
MAX_LANGUAGE = 8  # BCP 47 language subtags are 2-8 letters


def _zone_table(name: str) -> list[list[str]]:
    text = files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@functools.cache
def _countries() -> dict[str, str]:
    # zone.tab names one country per zone (`Africa/Accra` -> GH); zone1970.tab only fills its
    # gaps with the zone's first (most populous) country.
    countries = {row[2]: row[0] for row in _zone_table("zone.tab")}
    for row in _zone_table("zone1970.tab"):
        countries.setdefault(row[2], row[0].split(",")[0])
    return countries


@functools.cache
def _links() -> dict[str, str]:
    # tzdata ships no `backward` file, but its compiled source tzdata.zi holds the same links
    # as `L <target> <old name>` lines (`L Asia/Kolkata Asia/Calcutta`).
    text = files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text(encoding="utf-8")
    links = {}
    for line in text.splitlines():
        if line.startswith("L "):
            _, target, alias = line.split()
            links[alias] = target
    return links


def country_of_timezone(zone: str | None) -> str | None:
    """ISO 3166 alpha-2 code for an IANA zone or one of its aliases; None when unknown."""
    if not isinstance(zone, str) or not zone or len(zone) > MAX_ZONE:
        return None
    countries, links = _countries(), _links()
    for _ in range(MAX_LINK_HOPS):
        if zone in countries:
            return countries[zone]
        zone = links.get(zone)
        if zone is None:
            return None
    return None


def base_language(accept_language: str | None) -> str | None:
    """The base subtag of the first Accept-Language entry (`en-US,en;q=0.9` -> `en`)."""
    if not accept_language:
        return None
    first = accept_language[:200].split(",", 1)[0].split(";", 1)[0].strip()
    base = first.split("-", 1)[0].split("_", 1)[0].lower()
    if not base or len(base) > MAX_LANGUAGE or not (base.isascii() and base.isalpha()):
        return None  # `*`, garbage or a script we do not understand
    return base
