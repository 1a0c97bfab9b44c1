"""Seeded, realistic `/track/hit` bodies: page views of a shop with their unloads and events.

A view is a load, then (mostly) an unload with its time on page; some views fire a custom
event. Browsers, timezones, languages, referrers and campaign tags vary as on a real site.
"""

import json
import random

from reports import ORIGIN, USER_AGENTS

PAGES = (
    "/", "/products/linen-shirt", "/products/wool-socks/", "/cart", "/checkout",
    "/search", "/blog/summer-lookbook", "/account/orders", "/Collections/Sale/",
)  # fmt: skip
REFERRERS = (
    None, None, None,  # direct: no referrer at all
    "https://www.google.com/search?q=linen+shirt",
    "https://www.google.de/",
    "https://duckduckgo.com/",
    "https://t.co/x8Kd93Lm",
    "https://l.facebook.com/l.php?u=https%3A%2F%2Fshop.example.com%2F",
    "https://news.ycombinator.com/item?id=41234567",
    "https://mail.google.com/mail/u/0/",
    "https://blog.example.org/2024/06/best-shirts",
    f"{ORIGIN}/products/linen-shirt",  # internal navigation: a self-referral, dropped
)  # fmt: skip
CAMPAIGNS = (
    "",
    "",
    "?utm_source=newsletter&utm_medium=email&utm_campaign=summer-sale",
    "?utm_source=twitter&utm_medium=social",
    "?ref=abc&utm_campaign=&gclid=Cj0KCQjw",
)
TIMEZONES = (
    "Europe/Berlin", "Europe/London", "America/New_York", "US/Eastern", "Asia/Calcutta",
    "Asia/Tokyo", "Australia/Sydney", "America/Sao_Paulo", "Africa/Accra", "Europe/Paris",
)  # fmt: skip
LANGUAGES = ("en-US,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9", "ja", "pt-BR")
EVENTS = (("add_to_cart", {"sku": "LS-042", "size": "M"}), ("signup", {"plan": "pro"}))


def views(count: int, seed: int = 20240601) -> list[tuple[bytes, str, dict]]:
    """`count` requests (body, User-Agent, extra headers), the same for a given seed."""
    rng = random.Random(seed)
    requests: list[tuple[bytes, str, dict]] = []
    while len(requests) < count:
        agent = USER_AGENTS[rng.randrange(len(USER_AGENTS))][1]
        headers = {"Accept-Language": rng.choice(LANGUAGES)}
        url = f"{ORIGIN}{rng.choice(PAGES)}{rng.choice(CAMPAIGNS)}"
        common = {
            "b": f"{rng.getrandbits(64):016x}",
            "i": f"{rng.getrandbits(64):016x}",
            "u": url,
            "t": rng.choice(TIMEZONES),
        }
        load = {**common, "e": "load", "r": rng.choice(REFERRERS)}
        load.update(q=rng.random() < 0.4, p=rng.random() < 0.6)
        bodies = [load]
        if rng.random() < 0.2:
            name, metadata = rng.choice(EVENTS)
            bodies.append({**common, "e": "custom", "n": name, "d": metadata})
        if rng.random() < 0.85:
            bodies.append({**common, "e": "unload", "m": rng.randrange(80, 600_000)})
        for body in bodies:
            body = {key: value for key, value in body.items() if value is not None}
            requests.append((json.dumps(body, separators=(",", ":")).encode(), agent, headers))
    return requests[:count]


if __name__ == "__main__":
    for body, agent, headers in views(4):
        print(agent, headers)
        print(json.dumps(json.loads(body), indent=2))
