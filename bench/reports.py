"""Seeded, realistic `/track/exception` bodies: 40 bugs, 12-frame V8/SpiderMonkey stacks."""

import hashlib
import json
import random

ORIGIN = "https://shop.example.com"
# Three deploys: every bundle gets a new content hash and the code shifts, as a real build does.
RELEASES = ("2024.06.1", "2024.06.2", "2024.07.0")

# Eight feature areas, one per line: bundle name, page, call chain (caller of the throw site
# first; "-" is an anonymous closure) and five throw sites, one per error kind below:
# 8 x 5 = 40 bugs, each its own (type, top frame).
_AREAS = """
checkout /checkout                     CheckoutForm.submit,-,Object.onSubmit
    validateAddress postOrder computeTax applyGiftCard loadPaymentStep
cart     /cart                         CartDrawer.updateLine,-,dispatchCartAction
    readLineItem syncCart setQuantity restoreSavedCart loadUpsells
search   /search                       SearchBox.onInput,-,runQuery
    renderHit fetchResults parseFacets highlightTerms loadFilters
product  /products/linen-shirt         ProductPage.render,-,useVariant
    pickVariant fetchStock formatPrice zoomImage loadReviews
account  /account/orders               OrderHistory.load,-,withSession
    readOrder fetchOrders paginate refreshToken loadInvoices
app      /                             Router.navigate,-,bootstrap
    resolveRoute prefetchRoute restoreScroll hydrateStore loadRoute
wishlist /wishlist                     WishlistButton.toggle,-,persistWishlist
    readWishlist saveWishlist countItems mergeGuestList loadWishlist
reviews  /products/linen-shirt/reviews ReviewForm.send,-,uploadPhotos
    readRating postReview resizePhoto checkProfanity loadEditor
"""
_LINES = _AREAS.strip().splitlines()
AREAS = tuple(
    (name, page, tuple(None if fn == "-" else fn for fn in chain.split(",")), tuple(sites.split()))
    for (name, page, chain), sites in zip(
        (line.split() for line in _LINES[::2]), _LINES[1::2], strict=True
    )
)

# (type, V8 wording, SpiderMonkey wording or None when the same): ids vary per event.
KINDS = (
    (
        "TypeError",
        "Cannot read properties of undefined (reading '{prop}')",
        'can\'t access property "{prop}", item{n} is undefined',
    ),
    ("Error", "Request failed with status code {status} (GET /api/{area}/{n})", None),
    ("RangeError", "Invalid quantity {n} for SKU {sku}", None),
    ("ValidationError", "Order {uuid} rejected: field 'postcode' is invalid ({n} chars)", None),
    ("ChunkLoadError", "Loading chunk {n} failed.\n(error: {origin}/assets/{n}.{hex}.js)", None),
)

# React's event plumbing in the vendor bundle: the shared, deeper half of every stack.
VENDOR = (
    "callCallback",
    "Object.invokeGuardedCallbackDev",
    "invokeGuardedCallback",
    "executeDispatch",
    "processDispatchQueue",
    "batchedUpdates$1",
    "dispatchEventForPlugins",
)

# Real browsers, desktop and mobile. Chromium engines print V8 stacks; Firefox prints
# SpiderMonkey's `fn@url:line:col`, and Safari's JavaScriptCore prints the same shape.
_AGENTS = """
Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36
Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36
Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36
Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0
Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36
Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0
Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0
Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0
Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15
Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1
Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1
"""  # noqa: E501
USER_AGENTS = tuple(
    ("v8" if "Chrome/" in agent else "gecko", agent) for agent in _AGENTS.strip().splitlines()
)


def bundle_url(name: str, release: str) -> str:
    """Hashed asset URL of a bundle in a release, e.g. /assets/app.3f9a2c1e.js."""
    digest = hashlib.sha1(f"{release}/{name}".encode()).hexdigest()[:8]
    return f"{ORIGIN}/assets/{name}.{digest}.js"


def _frame(style: str, function: str | None, url: str, line: int, col: int, outer: str) -> str:
    if style == "v8":
        where = f"{url}:{line}:{col}"
        return f"    at {function} ({where})" if function else f"    at {where}"
    # SpiderMonkey: no `Object.`/class prefix, and an anonymous closure is `outer/<`.
    name = function.rsplit(".", 1)[-1] if function else f"{outer}/<"
    return f"{name}@{url}:{line}:{col}"


def stack(style: str, bug: int, release: int, rng: random.Random) -> list[str]:
    """Twelve frames, innermost first: throw site, area chain, app shell, then vendor plumbing."""
    area, _page, chain, sites = AREAS[bug // len(KINDS)]
    rel = RELEASES[release]
    area_js, vendor_js = bundle_url(area, rel), bundle_url("vendor", rel)
    shift = release * 1733  # a new build moves every column
    calls = [(sites[bug % len(KINDS)], area_js), *[(fn, area_js) for fn in chain]]
    calls.append(("App.dispatch", bundle_url("app", rel)))
    calls += [(fn, vendor_js) for fn in VENDOR]
    lines = []
    outer = chain[0].rsplit(".", 1)[-1]
    for depth, (function, url) in enumerate(calls):
        line = 1 if "vendor" in url else 1 + depth  # minified vendor code is one long line
        col = 20514 + 97 * depth + 311 * bug + shift + rng.randrange(0, 4)
        lines.append(_frame(style, function, url, line, col, outer))
    return lines


def report(index: int, rng: random.Random) -> tuple[bytes, str]:
    """One request: (JSON body, User-Agent); bug, browser and release vary with `index`."""
    bug = index % (len(AREAS) * len(KINDS))
    style, agent = USER_AGENTS[rng.randrange(len(USER_AGENTS))]
    release = rng.randrange(len(RELEASES))
    area, page = AREAS[bug // len(KINDS)][:2]
    exc_type, v8_text, gecko_text = KINDS[bug % len(KINDS)]
    message = (gecko_text if style == "gecko" and gecko_text else v8_text).format(
        # The property read is part of the bug (engines agree on it): fixed per area.
        prop=("id", "price", "variants", "length")[bug // len(KINDS) % 4],
        n=rng.randrange(1, 99999),
        status=rng.choice((500, 502, 503, 504)),
        area=area,
        sku=f"SKU-{rng.randrange(10**6)}",
        uuid=f"{rng.getrandbits(128):032x}",
        hex=f"{rng.getrandbits(32):08x}",
        origin=ORIGIN,
    )
    frames = stack(style, bug, release, rng)
    text = "\n".join(frames)
    if style == "v8":
        text = f"{exc_type}: {message}\n{text}"  # V8's `stack` starts with the message
    body = {
        "u": f"{ORIGIN}{page}?ref=mail&utm_source=newsletter&cid={rng.randrange(10**9)}",
        "ty": exc_type,
        "m": message,
        "s": text,
        "h": rng.random() < 0.2,
        "b": f"{rng.getrandbits(64):016x}",
        "i": f"{rng.getrandbits(64):016x}",
        "v": RELEASES[release],
        "d": {
            "component": area,
            "locale": rng.choice(("en-US", "de-DE", "fr-FR")),
            "cart_items": str(rng.randrange(0, 12)),
        },
    }
    return json.dumps(body, separators=(",", ":")).encode(), agent


def reports(count: int, seed: int = 20240601) -> list[tuple[bytes, str]]:
    """`count` requests, the same for a given seed, cycling through all 40 bugs."""
    rng = random.Random(seed)
    return [report(index, rng) for index in range(count)]


if __name__ == "__main__":
    body, agent = reports(1)[0]
    print(agent)
    print(json.dumps(json.loads(body), indent=2))
