"""Referrer reduced to its host and a group (search, social, ...); the path is never kept.

Groups match whole domain labels, never substrings: `t.co` is not in `somet.com`, `x.com` is
not in `fox.com`. The table is short on purpose: the well-known sites that send most traffic.
"""

from urllib.parse import urlsplit

from app.core.urls import MAX_URL, clean_host

# A domain matches itself and its subdomains (`l.facebook.com`); the longest listed suffix
# wins, so `mail.google.com` is email although `google.com` is search.
DOMAINS: dict[str, str] = {
    # search
    "google.com": "search", "bing.com": "search", "duckduckgo.com": "search",
    "search.yahoo.com": "search", "yandex.com": "search", "baidu.com": "search",
    "ecosia.org": "search", "search.brave.com": "search", "startpage.com": "search",
    "qwant.com": "search", "kagi.com": "search", "ask.com": "search", "naver.com": "search",
    "seznam.cz": "search",
    # social
    "facebook.com": "social", "fb.com": "social", "instagram.com": "social",
    "twitter.com": "social", "x.com": "social", "t.co": "social", "linkedin.com": "social",
    "lnkd.in": "social", "reddit.com": "social", "youtube.com": "social", "youtu.be": "social",
    "pinterest.com": "social", "tiktok.com": "social", "threads.net": "social",
    "bsky.app": "social", "mastodon.social": "social", "news.ycombinator.com": "social",
    "lobste.rs": "social", "vk.com": "social", "tumblr.com": "social", "quora.com": "social",
    # email (web mail; desktop mail clients send no referrer at all)
    "mail.google.com": "email", "outlook.live.com": "email", "outlook.office.com": "email",
    "outlook.office365.com": "email", "mail.yahoo.com": "email", "mail.proton.me": "email",
    "app.fastmail.com": "email", "mail.yandex.ru": "email", "mail.yandex.com": "email",
    # AI assistants
    "chatgpt.com": "ai", "chat.openai.com": "ai", "perplexity.ai": "ai", "claude.ai": "ai",
    "gemini.google.com": "ai", "copilot.microsoft.com": "ai",
}  # fmt: skip

# Brands with a site per country (`google.de`, `google.co.uk`, `yandex.ru`): the brand must be
# the first label, followed by a short country suffix of one or two labels.
BRANDS: dict[str, str] = {
    "google": "search", "bing": "search", "yahoo": "search", "yandex": "search",
    "baidu": "search", "ecosia": "search", "qwant": "search", "facebook": "social",
    "instagram": "social", "linkedin": "social", "pinterest": "social", "reddit": "social",
    "twitter": "social", "youtube": "social", "tiktok": "social",
}  # fmt: skip
GROUPS = ("search", "social", "email", "ai")
MAX_SUFFIX_LABEL = 3  # "de", "co", "uk", "com": a longer label is a domain, not a suffix


def classify_referrer(referrer: str | None, page_host: str) -> tuple[str | None, str | None]:
    """(referrer host, group) of a referrer URL; (None, None) when absent, bad or the same site.

    `page_host` is the host of the page (as in its source key, port allowed).
    """
    if not isinstance(referrer, str) or not referrer or len(referrer) > MAX_URL:
        return None, None
    try:
        parts = urlsplit(referrer.strip())
        hostname = parts.hostname
    except ValueError:
        return None, None
    if parts.scheme.lower() not in ("http", "https") or not hostname:
        return None, None
    host = clean_host(hostname)
    if host is None or host == page_host.split(":", 1)[0]:
        return None, None  # unparseable, or a self-referral (internal navigation)
    return host, referrer_group(host)


def referrer_group(host: str) -> str | None:
    """The group of a cleaned referrer host, matched on whole labels; None when unlisted."""
    labels = host.split(".")
    for start in range(len(labels)):
        group = DOMAINS.get(".".join(labels[start:]))
        if group:
            return group
    suffix = labels[1:]
    if 1 <= len(suffix) <= 2 and all(
        0 < len(label) <= MAX_SUFFIX_LABEL and label.isalpha() for label in suffix
    ):
        return BRANDS.get(labels[0])
    return None
