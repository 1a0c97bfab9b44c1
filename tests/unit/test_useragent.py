"""User-Agent classification against real headers."""

import csv
from pathlib import Path

import pytest

from app.core.useragent import DEVICES, MAX_UA, UAClass, classify

ROWS = list(csv.DictReader((Path(__file__).parent.parent / "fixtures" / "useragents.csv").open()))


def test_fixture_covers_every_device_class():
    assert len(ROWS) >= 30
    assert {row["device"] for row in ROWS} == set(DEVICES)


@pytest.mark.parametrize("row", ROWS, ids=[row["ua"][:60] for row in ROWS])
def test_classify(row):
    expected = UAClass(row["browser"], row["browser_version"], row["os"], row["device"])
    assert classify(row["ua"]) == expected


@pytest.mark.parametrize(
    ("ua", "device"),
    [
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/120.0.6099.28 Safari/537.36",
            "desktop",
        ),
        (
            "Mozilla/5.0 (Linux; Android 11; CUBOT P50) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/119.0.6045.163 Mobile Safari/537.36",
            "mobile",
        ),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot"),
        ("Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", "bot"),
        ("curl/8.4.0", "bot"),
        ("python-requests/2.31.0", "bot"),
        ("Go-http-client/2.0", "bot"),
    ],
)
def test_bot_and_not_bot(ua, device):
    assert classify(ua).device == device


@pytest.mark.parametrize("ua", [None, "", "   ", 42])
def test_missing_user_agent_is_a_bot(ua):
    assert classify(ua) == UAClass("Other", "", "Other", "bot")


def test_unknown_browser_is_other():
    result = classify("SomethingNobodyHasSeen/1.0")
    assert result.browser == "Other"
    assert result.browser_version == ""
    assert result.device in DEVICES


def test_long_and_hostile_headers():
    chrome = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36"
    )
    assert classify(chrome + " " + "x" * 100_000) == classify(chrome)
    for ua in ["(" * 5000, "Mozilla/5.0 " * 1000, "\x00\ud800" * 100, ";" * MAX_UA * 2]:
        assert classify(ua).device in DEVICES


def test_results_are_cached():
    ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"
    assert classify(ua) is classify(ua)
