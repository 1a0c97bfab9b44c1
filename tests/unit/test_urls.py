"""Page URLs reduced to (source, path)."""

import pytest

from app.core.urls import host_of, page_location


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.Example.com/a/b/?q=1#x", ("https://example.com", "/a/b")),
        ("http://example.com", ("https://example.com", "/")),
        ("https://example.com/", ("https://example.com", "/")),
        ("https://example.com//", ("https://example.com", "/")),
        ("http://example.com:80/x", ("https://example.com", "/x")),
        ("https://example.com:443/x", ("https://example.com", "/x")),
        ("https://example.com:8443/x/", ("https://example.com:8443", "/x")),
        ("http://localhost:5000/", ("https://localhost:5000", "/")),
        ("https://[::1]:8080/p", ("https://[::1]:8080", "/p")),
        ("https://127.0.0.1/p", ("https://127.0.0.1", "/p")),
        ("https://user:pw@example.com/p", ("https://example.com", "/p")),
        ("https://example.com/a%20b/%C3%A9", ("https://example.com", "/a%20b/%C3%A9")),
        ("https://bücher.example/x", ("https://xn--bcher-kva.example", "/x")),
        ("  https://example.com/x  ", ("https://example.com", "/x")),
        ("https://www.example.com?utm_source=x", ("https://example.com", "/")),
        ("https://wwwexample.com/", ("https://wwwexample.com", "/")),
    ],
)
def test_page_location(url, expected):
    assert page_location(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "ftp://example.com/",
        "javascript:alert(1)",
        "data:text/html,hi",
        "file:///etc/passwd",
        "/relative/path",
        "example.com/path",
        "https://",
        "https:///path",
        "http://exa mple.com/",
        "http://<script>/",
        "http://exa_mple..com/",
        "https://[::1/",
        "https://example.com:99999/",
        "https://example.com:abc/",
        "https://example.com/\r\nX-Injected: 1",
        None,
        42,
    ],
)
def test_rejected(url):
    assert page_location(url) is None


def test_path_is_capped_at_1024_bytes():
    source, path = page_location("https://example.com/" + "é" * 2000)
    assert source == "https://example.com"
    assert len(path.encode("utf-8")) <= 1024
    assert path.endswith("…")


def test_host_of():
    assert host_of("https://example.com") == "example.com"
    assert host_of("https://localhost:5000") == "localhost:5000"
