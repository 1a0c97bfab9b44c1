"""Referrer host and group: whole domain labels, never substrings; self-referrals dropped."""

import pytest

from app.core.referrer import BRANDS, DOMAINS, GROUPS, classify_referrer, referrer_group


@pytest.mark.parametrize(
    ("referrer", "expected"),
    [
        ("https://www.google.com/search?q=x", ("google.com", "search")),
        ("https://www.google.co.uk/", ("google.co.uk", "search")),
        ("https://google.de/url?q=1", ("google.de", "search")),
        ("https://mail.google.com/mail/u/0/", ("mail.google.com", "email")),
        ("https://gemini.google.com/app", ("gemini.google.com", "ai")),
        ("https://t.co/abc", ("t.co", "social")),
        ("https://somet.com/", ("somet.com", None)),
        ("https://x.com/user/status/1", ("x.com", "social")),
        ("https://fox.com/", ("fox.com", None)),
        ("https://l.facebook.com/l.php?u=x", ("l.facebook.com", "social")),
        ("https://news.ycombinator.com/item?id=1", ("news.ycombinator.com", "social")),
        ("https://ycombinator.com/", ("ycombinator.com", None)),
        ("https://googleusercontent.com/", ("googleusercontent.com", None)),
        ("https://google.evil.com/", ("google.evil.com", None)),
        ("https://notgoogle.com/", ("notgoogle.com", None)),
        ("https://duckduckgo.com/", ("duckduckgo.com", "search")),
        ("https://chatgpt.com/", ("chatgpt.com", "ai")),
        ("HTTPS://WWW.Reddit.COM/r/python", ("reddit.com", "social")),
        ("https://user:pw@blog.example.org:8443/p?q=1#f", ("blog.example.org", None)),
        ("https://example.com/other", (None, None)),  # same site
        ("https://WWW.EXAMPLE.com/", (None, None)),
        ("http://example.com:8080/", (None, None)),
        ("android-app://com.google.android.gm/", (None, None)),
        ("not a url", (None, None)),
        ("https://[::1/", (None, None)),
        ("", (None, None)),
        (None, (None, None)),
        ("https://" + "a" * 9000 + ".com/", (None, None)),
    ],
)
def test_classify_referrer(referrer, expected):
    assert classify_referrer(referrer, "example.com") == expected


def test_page_host_with_a_port_still_drops_self_referrals():
    assert classify_referrer("https://shop.example/", "shop.example:8443") == (None, None)


def test_every_listed_domain_and_brand_has_a_known_group():
    assert set(DOMAINS.values()) | set(BRANDS.values()) <= set(GROUPS)
    for domain, group in DOMAINS.items():
        assert referrer_group(domain) == group
        assert referrer_group(f"sub.{domain}") == group
        assert referrer_group(f"{domain}.evil-site.net") is None


@pytest.mark.parametrize("host", ["somet.com", "fox.com", "xt.co", "at.com", "box.com"])
def test_substrings_never_match(host):
    assert referrer_group(host) is None
