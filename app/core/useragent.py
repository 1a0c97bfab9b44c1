"""Reduce a User-Agent header to browser, major version, OS and device class; never stored raw."""

import functools
import re
import threading
from dataclasses import dataclass

import ua_parser
from ua_parser import Domain, load_lazy_builtins

MAX_UA = 512  # longer headers are cut: bounds the cache's memory and the regex work
DEVICES = ("desktop", "mobile", "tablet", "bot")

# ua-parser's generic "Spider" rule is its last device rule and also matches "silk" (Kindle)
# or "WhatsApp", which earlier rules claim first; we do not run the 600 device rules (they
# cost ~1 ms per new UA in pure Python), so these checks stand in for that catch-all.
# Plain substring tests on the lowercased UA: one big case-insensitive regex cost ~85 us.
BOT_TOKENS = (
    "crawl", "spider", "slurp", "archiver", "python-requests", "python-urllib", "python-httpx",
    "aiohttp", "go-http-client", "libwww-perl", "apache-httpclient", "node-fetch", "undici",
    "axios/", "scrapy", "httpclient", "lighthouse", "pagespeed", "gtmetrix", "pingdom",
    "statuscake", "uptimerobot", "uptime-kuma", "headlessshell", "phantomjs",
    "facebookexternalhit", "facebookcatalog", "whatsapp", "embedly", "web preview",
    "skypeuripreview", "feedfetcher", "mediapartners", "bingpreview", "baiduspider",
    "bytespider", "petalbot", "gptbot", "ccbot", "claudebot", "perplexity",
    "google-inspectiontool",
)  # fmt: skip
BOT_PREFIXES = ("curl/", "wget/", "java/")
# "bot" is matched case-sensitively so the Cubot phone brand ("CUBOT") is not a bot.
_BOT_WORD_RE = re.compile(r"[Bb]ots?(?![a-z])")
_TABLET_RE = re.compile(r"iPad|Kindle|\bSilk/|PlayBook|\bKF[A-Z]{2,5}\b|Tablet|Nexus (?:7|9|10)\b")
_MOBILE_RE = re.compile(
    r"iPhone|iPod|Mobile|Mobi\b|Windows Phone|IEMobile|BlackBerry|\bBB10\b|Opera Mini"
    r"|Opera Mobi|webOS|Symbian|Nokia|KaiOS"
)


@dataclass(frozen=True)
class UAClass:
    """What we keep of a User-Agent."""

    browser: str
    browser_version: str
    os: str
    device: str  # one of DEVICES


_BOT = UAClass("Other", "", "Other", "bot")
_lock = threading.Lock()
_resolver = None


def _get_resolver():
    """ua-parser's best resolver over browser + OS rules and only the leading Spider rules."""
    global _resolver
    if _resolver is not None:
        return _resolver
    with _lock:
        if _resolver is None:
            # Lazy matchers compile a regex on its first use: the first call costs ~30 ms
            # instead of ~130 ms for compiling all ~1,300 rules up front.
            agents, systems, devices = load_lazy_builtins()
            # The first device rules are mobile-crawler Spider rules that win before any
            # other; running just them keeps ua-parser's answer for those UAs.
            spiders = []
            for matcher in devices:
                if matcher.family != "Spider":
                    break
                spiders.append(matcher)
            # BestAvailableResolver is the native ua-parser-rs one when that package is
            # installed (~30 us per new UA instead of ~600 us), else the pure-Python one.
            _resolver = ua_parser.BestAvailableResolver((agents, systems, spiders))
        return _resolver


def warm_up() -> None:
    """Load and compile ua-parser's rules now (at start-up) instead of on the first request."""
    classify("Mozilla/5.0 (Windows NT 10.0; Win64; x64) warm-up")


def classify(ua: str | None) -> UAClass:
    """Browser family, major version, OS family and device class of a User-Agent header."""
    if not isinstance(ua, str):
        return _BOT
    # The native resolver takes UTF-8 only: lone surrogates become "?" instead of raising.
    return _classify(ua.strip()[:MAX_UA].encode("utf-8", "replace").decode("utf-8"))


@functools.lru_cache(maxsize=4096)
def _classify(ua: str) -> UAClass:
    if not ua:
        return _BOT  # real browsers always send one
    result = _get_resolver()(ua, Domain.ALL)
    agent, system, device = result.user_agent, result.os, result.device
    browser = agent.family if agent and agent.family else "Other"
    version = agent.major if agent and agent.major and agent.major.isdigit() else ""
    os_family = system.family if system and system.family else "Other"
    if (device is not None and device.family == "Spider") or _is_bot(ua):
        kind = "bot"
    elif _TABLET_RE.search(ua):  # before the phone tokens: iPad Safari also says "Mobile/"
        kind = "tablet"
    elif _MOBILE_RE.search(ua):
        kind = "mobile"
    elif "Android" in ua:
        # Android tablets are the Android UAs without the "Mobile" token (Google's rule).
        kind = "tablet"
    else:
        kind = "desktop"
    return UAClass(browser[:64], version[:16], os_family[:64], kind)


def _is_bot(ua: str) -> bool:
    lowered = ua.lower()
    if lowered.startswith(BOT_PREFIXES) or any(token in lowered for token in BOT_TOKENS):
        return True
    # Any "bot"/"Bot" word ending, except the Cubot phone brand ("Cubot", "CUBOT").
    return any(
        ua[max(0, m.start() - 2) : m.start()].lower() != "cu" for m in _BOT_WORD_RE.finditer(ua)
    )
