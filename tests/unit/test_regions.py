"""Country from an IANA timezone (zone.tab, zone1970.tab, links) and language from a header."""

import pytest

from app.core.regions import base_language, country_of_timezone


@pytest.mark.parametrize(
    ("zone", "country"),
    [
        ("Europe/Berlin", "DE"),
        ("Africa/Accra", "GH"),  # zone.tab names it; zone1970.tab folds it into Abidjan
        ("Europe/Busingen", "DE"),
        ("America/Argentina/Cordoba", "AR"),
        ("Asia/Calcutta", "IN"),  # a backward link to Asia/Kolkata
        ("US/Eastern", "US"),  # a backward link to America/New_York
        ("Europe/Kiev", "UA"),
        ("GB", "GB"),
        ("Mars/Olympus_Mons", None),
        ("Etc/UTC", None),
        ("UTC", None),
        ("europe/berlin", None),  # zone names are case-sensitive
        ("", None),
        (None, None),
        (42, None),
        ("A" * 500, None),
    ],
)
def test_country_of_timezone(zone, country):
    assert country_of_timezone(zone) == country


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("en-US,en;q=0.9", "en"),
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("fr", "fr"),
        ("PT-br", "pt"),
        ("zh_CN", "zh"),
        ("  es-419;q=1 , en", "es"),
        ("*", None),
        ("", None),
        (None, None),
        ("1234", None),
        ("en-US" * 100, "en"),
        ("ελ-GR", None),
        ("toolonglanguage-x", None),
    ],
)
def test_base_language(header, language):
    assert base_language(header) == language
