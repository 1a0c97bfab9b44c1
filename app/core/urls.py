"""Reduce a page URL to the (source, path) pair that analytics and exceptions store."""

import re
from urllib.parse import urlsplit

from app.core.scrub import cap

MAX_PATH_BYTES = 1024
MAX_URL = 8192  # longer "URLs" are hostile or broken; refuse to spend time on them
_DEFAULT_PORTS = {"http": 80, "https": 443}
# DNS labels (letters, digits, hyphen; underscore tolerated because real hosts use it).
_HOST_RE = re.compile(
    r"^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$"
)
_IPV6_RE = re.compile(r"^[0-9a-f:.]{2,45}$")


def without_query(url: str) -> str:
    """A URL or path with its query and fragment cut (they can carry personal data)."""
    return url.split("?", 1)[0].split("#", 1)[0]


def page_location(url: str) -> tuple[str, str] | None:
    """(`https://host[:port]`, path) for an http(s) page URL; None when it is not one."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or len(url) > MAX_URL or any(c in url for c in "\r\n\t\x00"):
        return None
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        hostname = parts.hostname
        port = parts.port
    except ValueError:
        return None  # e.g. a malformed IPv6 literal or a non-numeric port
    if scheme not in _DEFAULT_PORTS or not hostname:
        return None
    host = clean_host(hostname)
    if host is None:
        return None
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    # Sources are identified by host alone: http and https of one site are one source.
    return f"https://{host}", _clean_path(parts.path)


def clean_host(hostname: str) -> str | None:
    """A hostname lowercased, IDNA-encoded, `www.`-stripped and checked; None when invalid."""
    host = hostname.lower()
    if ":" in host:
        # urlsplit strips the brackets from IPv6 literals; put them back for display.
        return f"[{host}]" if _IPV6_RE.match(host) else None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if not _HOST_RE.match(host):
        return None
    host = host.rstrip(".")
    if host.startswith("www.") and len(host) > 4:
        host = host[4:]
    return host or None


def _clean_path(path: str) -> str:
    # Query and fragment are already gone (urlsplit); percent-encoding is kept as sent.
    if not path or not path.startswith("/"):
        path = "/" + path
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return cap(path, MAX_PATH_BYTES)


def host_of(source: str) -> str:
    """The host (with port, if any) of a `https://host` source key."""
    return source.split("://", 1)[-1]
