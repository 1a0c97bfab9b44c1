"""Source maps in the dashboard, end to end: the map of a real esbuild bundle is uploaded through
the API, Debian's Chromium runs the bundle on a shop page and throws, the report goes through
/track/exception, and the group page shows the original function, file and code (and the
minified frames on request); the project's settings list the bundle and delete it. Screenshots
land in tests/browser/screenshots/ as dashboard-sourcemaps-*.png."""

import json

from playwright.sync_api import expect

from tests.browser.dashboard import api, settled, shot, sign_in, track, wait_for

PREFIX = "dashboard-sourcemaps"
SITE = "https://shop.example.com"
RELEASE = "1.4.0"

# The shop's code, and what `esbuild src/main.js --bundle --minify --sourcemap
# --outfile=dist/app-3f9a.js` (esbuild 0.28) makes of it: a cart without a coupon throws in
# computeTotal.
CART_JS = """\
// The cart's total, with the discount of its coupon.
export function computeTotal(cart) {
  let total = 0;
  for (const item of cart.items) {
    total += item.price * item.quantity;
  }
  const discount = cart.coupon.percent / 100;
  return Math.round(total * (1 - discount) * 100) / 100;
}

export function formatTotal(cart) {
  return `${computeTotal(cart).toFixed(2)} EUR`;
}
"""
MAIN_JS = """\
import { formatTotal } from "./cart.js";

function renderCart(cart) {
  const el = document.getElementById("total");
  el.textContent = formatTotal(cart);
}

document.getElementById("checkout").addEventListener("click", () => {
  renderCart({ items: [{ price: 12.5, quantity: 2 }], coupon: null });
});
"""
BUNDLE = (
    "(()=>{function r(t){let e=0;for(let o of t.items)e+=o.price*o.quantity;"
    "let c=t.coupon.percent/100;return Math.round(e*(1-c)*100)/100}"
    "function n(t){return`${r(t).toFixed(2)} EUR`}"
    'function u(t){let e=document.getElementById("total");e.textContent=n(t)}'
    'document.getElementById("checkout").addEventListener("click",()=>'
    "{u({items:[{price:12.5,quantity:2}],coupon:null})});})();\n"
    "//# sourceMappingURL=app-3f9a.js.map\n"
)
MAP = {
    "version": 3,
    "sources": ["../src/cart.js", "../src/main.js"],
    "sourcesContent": [CART_JS, MAIN_JS],
    "mappings": (
        "MACO,SAASA,EAAaC,EAAM,CACjC,IAAIC,EAAQ,EACZ,QAAWC,KAAQF,EAAK,MACtBC,GAASC,EAAK,"
        "MAAQA,EAAK,SAE7B,IAAMC,EAAWH,EAAK,OAAO,QAAU,IACvC,OAAO,KAAK,MAAMC,GAAS,EAAIE,GAAY,GAAG,"
        "EAAI,GACpD,CAEO,SAASC,EAAYJ,EAAM,CAChC,MAAO,GAAGD,EAAaC,CAAI,EAAE,QAAQ,CAAC,CAAC,MACzC,"
        "CCVA,SAASK,EAAWC,EAAM,CACxB,IAAMC,EAAK,SAAS,eAAe,OAAO,EAC1CA,EAAG,YAAcC,EAAYF,"
        "CAAI,CACnC,CAEA,SAAS,eAAe,UAAU,EAAE,iBAAiB,QAAS,IAAM,CAClED,EAAW,CAAE,MAAO,"
        "CAAC,CAAE,MAAO,KAAM,SAAU,CAAE,CAAC,EAAG,OAAQ,IAAK,CAAC,CACpE,CAAC"
    ),
    "names": [
        "computeTotal",
        "cart",
        "total",
        "item",
        "discount",
        "formatTotal",
        "renderCart",
        "cart",
        "el",
        "formatTotal",
    ],
}
SHOP_PAGE = (
    "<!doctype html><title>Cart</title><button id=checkout>Checkout</button>"
    '<span id=total></span><script src="/assets/app-3f9a.js"></script>'
    # The tracker's part: keep what the page threw.
    "<script>addEventListener('error', (e) => { window.thrown = e.error; });</script>"
)


def thrown_in_the_shop(browser) -> dict:
    """Run the bundle on the shop's cart page in Chromium, click Checkout; what it threw."""
    shop = browser.new_context().new_page()

    def serve(route):
        if route.request.url.endswith("/assets/app-3f9a.js"):
            route.fulfill(body=BUNDLE, content_type="text/javascript")
        else:
            route.fulfill(body=SHOP_PAGE, content_type="text/html")

    shop.route(SITE + "/**", serve)
    shop.goto(SITE + "/cart")
    shop.click("#checkout")
    shop.wait_for_function("() => window.thrown")
    thrown = shop.evaluate(
        "() => ({ type: thrown.name, message: thrown.message, stack: thrown.stack })"
    )
    shop.context.close()
    return thrown


def upload(page, base: str, project_id: int) -> tuple[int, dict]:
    """POST the bundle and its map as the browser would, multipart with the session's CSRF."""
    token = page.request.get(base + "/api/v1/csrf").json()["token"]
    return tuple(
        page.evaluate(
            """async ({ url, token, release, files }) => {
                const form = new FormData();
                form.append("release", release);
                form.append("url_prefix", "~/assets/");
                for (const [name, text, type] of files) {
                    form.append("file", new Blob([text], { type }), name);
                }
                const headers = { "X-CSRF-Token": token };
                const response = await fetch(url, { method: "POST", body: form, headers });
                return [response.status, await response.json()];
            }""",
            {
                "url": f"{base}/api/v1/projects/{project_id}/sourcemaps",
                "token": token,
                "release": RELEASE,
                "files": [
                    ["app-3f9a.js", BUNDLE, "text/javascript"],
                    ["app-3f9a.js.map", json.dumps(MAP), "application/json"],
                ],
            },
        )
    )


def test_a_minified_error_mapped_in_the_dashboard(faultline, browser, page):
    sign_in(page, faultline)
    settled(page)

    # The shop's first page view makes its project; its map goes up before the error comes.
    track(faultline, "/track/hit", {"b": "b/cart", "u": SITE + "/cart", "v": RELEASE})
    project = wait_for(
        "the shop's project never appeared",
        lambda: next(
            (
                p
                for p in api(page, faultline, "/projects")["items"]
                if p["name"] == "shop.example.com"
            ),
            None,
        ),
        seconds=15,
    )
    status, answer = upload(page, faultline, project["id"])
    assert status == 201, answer
    bundle = answer["bundle"]

    thrown = thrown_in_the_shop(browser)
    assert thrown["stack"].splitlines()[1] == f"    at r ({SITE}/assets/app-3f9a.js:1:87)"
    track(
        faultline,
        "/track/exception",
        {
            "u": SITE + "/cart",
            "ty": thrown["type"],
            "m": thrown["message"],
            "s": thrown["stack"],
            "v": RELEASE,
        },
    )
    groups = wait_for(
        "the exception was never grouped",
        lambda: api(page, faultline, "/groups", params={"project": project["id"]})["items"],
        seconds=15,
    )

    # The group page: the original function, file:line:column and code, the map named.
    page.goto(f"{faultline}/#/issues/{groups[0]['id']}")
    settled(page)
    stack = page.locator(".stack").first
    expect(stack.locator(".stack-bar")).to_contain_text("Source maps: 4 of 4 frames mapped")
    frames = stack.locator(".frames > .frame")
    top = frames.first
    expect(top.locator(".fn")).to_have_text("computeTotal")
    expect(top.locator(".file")).to_have_text("../src/cart.js:7:32")
    expect(top.locator(".frame-note")).to_have_text(
        "Mapped with the source map of app-3f9a.js (bundle "
        f"{bundle['id']}), matched by release and URL."
    )
    current = top.locator(".line.current")
    expect(current.locator(".ln")).to_have_text("7")
    expect(current.locator(".src")).to_have_text("  const discount = cart.coupon.percent / 100;")
    expect(top.locator(".line .ln").first).to_have_text("2")
    expect(frames.locator(".file")).to_have_text(
        ["../src/cart.js:7:32", "../src/cart.js:12:13", "../src/main.js:5:20", "../src/main.js:9:3"]
    )
    # The click handler is a nameless arrow function: anonymous, not its minified name.
    expect(frames.locator(".fn")).to_have_text(
        ["computeTotal", "formatTotal", "renderCart", "(anonymous)"]
    )
    expect(frames.nth(2).locator(".line.current .src")).to_have_text(
        "  el.textContent = formatTotal(cart);"
    )
    shot(page, PREFIX, "group")

    # The frames as Chromium reported them, and back.
    toggle = stack.get_by_role("button", name="Show minified")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(frames.locator(".fn")).to_have_text(["r", "n", "u", "HTMLButtonElement.<anonymous>"])
    expect(frames.first.locator(".file")).to_have_text(f"{SITE}/assets/app-3f9a.js:1:87")
    expect(stack.locator(".code")).to_have_count(0)
    shot(page, PREFIX, "group-minified")
    toggle.click()
    expect(frames.first.locator(".fn")).to_have_text("computeTotal")

    # The project's settings, from the map's note: the bundle with its two files.
    top.locator(".frame-note a").click()
    settled(page)
    card = page.locator("section.sourcemaps")
    item = card.locator(".bundle")
    expect(item).to_have_count(1)
    expect(item.locator("h3")).to_have_text(f"Release {RELEASE}")
    expect(item.locator(".pill")).to_have_text("API")
    expect(item.locator("tbody tr")).to_have_count(2)
    expect(item.locator("tbody")).to_contain_text("minified script")
    expect(item.locator("tbody")).to_contain_text("source map")
    facts = item.locator(".bundle-facts")
    expect(facts.locator("xpath=dt[.='Uploaded']/following-sibling::dd[1]")).to_have_text(
        "just now"
    )
    shot(page, PREFIX, "settings")

    # Both pages fit a phone.
    group_url = f"{faultline}/#/issues/{groups[0]['id']}"
    settings_url = page.url
    page.set_viewport_size({"width": 360, "height": 740})
    for name, url in [("phone-group", group_url), ("phone-settings", settings_url)]:
        page.goto(url)
        settled(page)
        page.wait_for_selector(".stack, .sourcemaps")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
        shot(page, PREFIX, name)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Deleting asks first; cancelled, nothing goes.
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    item.get_by_role("button", name="Delete").click()
    expect(item).to_have_count(1)
    assert messages and messages[0].startswith(f"Delete the source maps of release {RELEASE}")
    page.once("dialog", lambda dialog: dialog.accept())
    item.get_by_role("button", name="Delete").click()
    expect(card).to_contain_text("No source maps uploaded yet.")
    expect(card.locator("code").first).to_have_text(
        f"faultline sourcemaps upload --project shop.example.com --release {RELEASE} dist/"
    )
    assert api(page, faultline, f"/projects/{project['id']}/sourcemaps") == {"bundles": []}
    shot(page, PREFIX, "settings-empty")
    assert page.errors == []
