"""Capture real `error.stack` texts from headless Chromium, Firefox ESR and WebKitGTK."""

import argparse
import datetime
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from app.core.stacktrace import parse_stack  # noqa: E402

STACKS = ROOT / "tests" / "fixtures" / "stacks"
INDEX = STACKS / "captured.json"
ORIGIN = "https://shop.example.com"  # the per-run loopback origin is rewritten to this
PAGE = "/checkout/cart?utm_source=newsletter"
TIMEOUT = 60.0
# Where V8 notices a stack overflow depends on JIT tiering, so the top column varies run to run.
VOLATILE = {"stack_overflow"}

# Served from deployment-like paths so the fixtures exercise in_app rules on realistic URLs.
VENDOR = (
    '!function(w){"use strict";var V={each:function(a,f){for(var i=0;i<a.length;i++)f(a[i],i);'
    "return a},pipe:function(){var fs=[].slice.call(arguments);return function(x){return "
    "fs.reduce(function(v,f){return f(v)},x)}},defer:function(f,ms){return setTimeout(f,ms||0)}};"
    "w.V=V}(window);\n"
)
LIBRARY = """(function (global) {
  function formatMoney(amount, code) {
    if (typeof amount !== "number") {
      throw new TypeError("formatMoney: amount must be a number, got " + typeof amount);
    }
    return new Intl.NumberFormat("en-US", { style: "currency", currency: code }).format(amount);
  }
  global.moneyFmt = { formatMoney: formatMoney };
})(window);
"""
CHUNK = """class CartView {
  constructor(cart) {
    this.cart = cart;
    this.count = cart.items.length;
  }
  get total() {
    return this.cart.items.reduce((sum, item) => sum + item.qty * item.unitPrice.amount, 0);
  }
}
class PaymentError extends Error {
  constructor(message, code) {
    super(message);
    this.name = "PaymentError";
    this.code = code;
  }
}
class CheckoutService {
  submit(order) {
    if (order.card.declined) {
      throw new PaymentError(`Card declined for order ${order.id}`, "card_declined");
    }
  }
}
window.Chunk = { CartView, PaymentError, CheckoutService };
"""
APP = """"use strict";
(function () {
  const posts = [];
  let asyncLeft = 0;
  function post(path, body) {
    posts.push(fetch(path, { method: "POST", body: JSON.stringify(body) }));
  }
  function report(scenario, e) {
    const stack = e && typeof e.stack === "string" ? e.stack : "";
    post("/report", { scenario, name: e && e.name, message: String(e && e.message),
                      stack, userAgent: navigator.userAgent });
  }
  function run(scenario, fn) {
    try { fn(); post("/report", { scenario, error: "did not throw" }); }
    catch (e) { report(scenario, e); }
  }
  function later(scenario, promise) {
    asyncLeft++;
    promise.then(() => post("/report", { scenario, error: "did not throw" }),
                 (e) => report(scenario, e)).finally(() => asyncLeft--);
  }
  function lineTotal(item) { return item.qty * item.price.amount; }
  function cartSubtotal(cart) {
    let sum = 0;
    for (const item of cart.items) sum += lineTotal(item);
    return sum;
  }
  function formatLine(item) { return item.name.trim() + " x" + item.qty; }
  function renderCart(cart) { return cart.items.map(formatLine).join("\\n"); }
  function shippingCost(weight) { return weight * shippingRate; }
  function placeOrder(id) { throw new Error("Order " + id + " failed: payment gateway timeout"); }
  function walkCategories(node, depth) {
    if (!node.children) throw new Error("Category tree is malformed at depth " + depth);
    return walkCategories(node.children[0], depth + 1);
  }
  function depthOf(node) { return 1 + depthOf(node.parent); }
  const api = {};
  api.save = function persistCart(c) { throw new Error("Quota exceeded saving cart " + c.id); };
  function onCheckoutClick(event) { return this.form.elements[event.field].value; }
  function checkStock(sku) { return sku.padStart(8, "0"); }
  async function fetchCart() { await null; return null; }
  async function loadCart() { const data = await fetchCart(); return data.items.length; }
  async function checkout() { return await loadCart(); }
  async function syncWishlist() { await null; throw new Error("Wishlist sync failed: HTTP 503"); }
  const DISCOUNT_SRC = "(function applyDiscount(c) {\\n  return c.discount.percent;\\n})";
  const EMAIL_SRC = "\\nreturn cart.customer.email.toLowerCase();";
  const cart = { id: "c_9f2", count: 2, items: [{ qty: 1, price: { amount: 5 } }, { qty: 2 }] };

  function start(inline) {
    window.addEventListener("error", (ev) => { report("unhandled_error", ev.error); asyncLeft--; });
    window.addEventListener("unhandledrejection", (ev) => {
      report("unhandled_rejection", ev.reason); asyncLeft--;
    });
    run("null_property", () => cartSubtotal({ items: [cart.items[0], { qty: 2, price: null }] }));
    run("array_map", () => renderCart(cart));
    run("undefined_function", () => cart.applyCoupon("SPRING"));
    run("reference_error", () => shippingCost(1.5));
    run("user_error", () => placeOrder(48213));
    const order = { id: 48214, card: { declined: true } };
    run("custom_error", () => new Chunk.CheckoutService().submit(order));
    run("class_constructor", () => new Chunk.CartView(null));
    run("getter", () => new Chunk.CartView({ items: [{ qty: 1, unitPrice: null }] }).total);
    run("recursion", () => walkCategories({ children: [{ children: [{ children: [{}] }] }] }, 0));
    run("stack_overflow", () => { const n = { id: 1 }; n.parent = n; depthOf(n); });
    run("invalid_array_length", () => new Array(cart.count - 5));
    run("method_alias", () => api.save(cart));
    run("bound_function", () => onCheckoutClick.bind({ form: null })({ field: "coupon" }));
    run("json_parse", () => JSON.parse('{"items": [1, 2,'));
    run("eval_syntax", () => eval("var total = (1 + ;"));
    run("eval_function", () => eval(DISCOUNT_SRC)(cart));
    run("new_function", () => new Function("cart", EMAIL_SRC)({ customer: {} }));
    run("vendor_callback", () => V.each([{ sku: "A1" }, {}], function validateItem(item) {
      return item.sku.toUpperCase();
    }));
    run("node_modules", () => moneyFmt.formatMoney("12.50", "USD"));
    run("intl_range", () => moneyFmt.formatMoney(12.5, "EURO"));
    run("dom_exception", () => document.querySelector("#cart > > li"));
    run("inline_script", inline);
    later("promise_rejection", Promise.resolve(cart).then(function readPayment(c) {
      return c.payment.method;
    }));
    later("async_function", checkout());
    later("set_timeout", new Promise((resolve, reject) => V.defer(function pollStock() {
      try { resolve(checkStock(undefined)); } catch (e) { reject(e); }
    }, 10)));
    asyncLeft += 2;
    setTimeout(function onBannerTimer() {
      document.getElementById("banner").dataset.seen = "1";
    }, 20);
    syncWishlist();
    const deadline = Date.now() + 5000;
    (function finish() {
      if (asyncLeft > 0 && Date.now() < deadline) return setTimeout(finish, 50);
      Promise.allSettled(posts).then(() => fetch("/done", { method: "POST", body: "{}" }));
    })();
  }
  window.Shop = { start };
})();
"""
HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>Cart</title>
<script src="/assets/vendor.min.js"></script>
<script src="/node_modules/.vite/deps/money-fmt.js?v=4b2c1a9e"></script>
<script src="/static/js/chunk-5H2JK7.js"></script>
<script src="/assets/app.3f9a2c1e.js"></script>
</head><body><div id="cart"></div>
<script>
  function bootReviews() {
    throw new Error("Widget container #reviews not found");
  }
  Shop.start(bootReviews);
</script>
</body></html>
"""
ASSETS = {
    "/checkout/cart": ("text/html", HTML),
    "/assets/vendor.min.js": ("text/javascript", VENDOR),
    "/node_modules/.vite/deps/money-fmt.js": ("text/javascript", LIBRARY),
    "/static/js/chunk-5H2JK7.js": ("text/javascript", CHUNK),
    "/assets/app.3f9a2c1e.js": ("text/javascript", APP),
}
PREFS = {  # Firefox: no first-run pages, telemetry or update checks during a capture
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.aboutwelcome.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "toolkit.telemetry.enabled": False,
    "app.update.enabled": False,
    "app.normandy.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "extensions.update.enabled": False,
}


class Handler(BaseHTTPRequestHandler):
    """Serves the test page and collects the posted reports."""

    def do_GET(self):
        asset = ASSETS.get(self.path.split("?", 1)[0])
        if asset is None:
            self.send_error(404)
            return
        body = asset[1].encode()
        self.send_response(200)
        self.send_header("Content-Type", f"{asset[0]}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        data = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.path == "/report":
            self.server.reports.append(data)
        elif self.path == "/done":
            self.server.done.set()
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass  # keep the run's output to the summary


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(cmd: list[str], **kw) -> subprocess.Popen:
    """Start in its own process group so the browser's helpers die with it."""
    return subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, **kw
    )


def stop(proc: subprocess.Popen) -> None:
    """Terminate the process group we created, escalating to SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(5)
            return
        except subprocess.TimeoutExpired:
            continue


def version(cmd: list[str]) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
    return " ".join(out.split()[:3]).removesuffix(" built")


def webdriver(port: int, method: str, path: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
        return json.loads(resp.read() or b"{}")


def drive_webkit(url: str, tmp: str, done: threading.Event) -> str:
    """WebKitGTK has no headless switch: its WebDriver runs MiniBrowser inside Xvfb."""
    port = free_port()
    binary = sorted(glob.glob("/usr/lib/*/webkit2gtk-4.*/MiniBrowser"))[-1]
    proc = spawn(["xvfb-run", "-a", "WebKitWebDriver", f"--port={port}"], cwd=tmp)
    caps = {"webkitgtk:browserOptions": {"binary": binary, "args": ["--automation"]}}
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                webdriver(port, "GET", "/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        session = webdriver(port, "POST", "/session", {"capabilities": {"alwaysMatch": caps}})
        sid, got = session["value"]["sessionId"], session["value"]["capabilities"]
        webdriver(port, "POST", f"/session/{sid}/url", {"url": url})
        done.wait(TIMEOUT)
        webdriver(port, "DELETE", f"/session/{sid}")
        return f"WebKitGTK {got.get('browserVersion', '?')}"
    finally:
        stop(proc)


def drive(engine: str, url: str, tmp: str, done: threading.Event) -> str:
    """Open `url` in the engine, wait for the page's `done` and return the browser version."""
    if engine == "webkit":
        return drive_webkit(url, tmp, done)
    if engine == "chromium":
        # No GPU, crash reporter, sync or component updates: nothing but the page talks.
        flags = "--disable-gpu --disable-background-networking --disable-component-update"
        cmd = ["/usr/bin/chromium", "--headless", "--no-sandbox", *flags.split()]
        cmd += ["--disable-breakpad", "--disable-sync", "--no-first-run"]
        cmd += [f"--user-data-dir={tmp}", url]
        label = version(["/usr/bin/chromium", "--version"])
    else:
        prefs = "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in PREFS.items())
        Path(tmp, "user.js").write_text(prefs)
        cmd = ["firefox-esr", "--headless", "--no-remote", "--profile", tmp, url]
        label = version(["firefox-esr", "--version"]).removeprefix("Mozilla ")
    proc = spawn(cmd, env={**os.environ, "HOME": tmp, "MOZ_CRASHREPORTER_DISABLE": "1"})
    try:
        done.wait(TIMEOUT)
    finally:
        stop(proc)
    return label


def capture(engine: str) -> tuple[str, list[dict]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.reports, server.done = [], threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    tmp = tempfile.mkdtemp(prefix=f"capture-{engine}-")
    try:
        label = drive(engine, origin + PAGE, tmp, server.done)
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(tmp, ignore_errors=True)
    if not server.done.is_set():
        raise TimeoutError(f"no `done` from the page within {TIMEOUT:.0f}s")
    reports = json.loads(json.dumps(server.reports).replace(origin, ORIGIN))
    return label, reports


def frames_json(text: str) -> str:
    """The fixture layout used beside every stack: one frame dict per line."""
    rows = [json.dumps(f.to_dict()) for f in parse_stack(text)]
    return "[\n" + ",\n".join(f"  {row}" for row in rows) + ("\n" if rows else "") + "]\n"


def shape(text: str) -> list[tuple]:
    """A stack's frames without positions, to tell a real change from a volatile column."""
    return [(f.function, f.filename) for f in parse_stack(text)]


def save(engine: str, label: str, reports: list[dict], index: dict) -> None:
    today = datetime.date.today().isoformat()
    for report in sorted(reports, key=lambda r: r["scenario"]):
        name = f"{engine}_{report['scenario']}"
        if report.get("error") or not report.get("stack"):
            print(f"  {name}: skipped ({report.get('error') or 'no stack'})")
            continue
        txt, expected = STACKS / f"{name}.txt", STACKS / f"{name}.json"
        old_text = txt.read_text(encoding="utf-8") if txt.exists() else None
        unchanged = old_text == report["stack"] or (
            report["scenario"] in VOLATILE
            and old_text is not None
            and shape(old_text) == shape(report["stack"])
        )
        if unchanged and expected.exists():
            # A reviewed expectation is kept: a parser change must show up as a test failure
            # (delete the .json to have it rewritten from the parser, then review it).
            status = "unchanged"
        else:
            txt.write_text(report["stack"], encoding="utf-8")
            expected.write_text(frames_json(report["stack"]))
            status = "NEW/CHANGED: review the .json by hand"
        old = index.get(name, {})
        index[name] = {
            "engine": engine,
            "browser": label,
            "user_agent": report.get("userAgent"),
            "captured": old["captured"] if unchanged and "captured" in old else today,
            "scenario": report["scenario"],
            "type": report.get("name"),
            "message": report.get("message"),
        }
        print(f"  {name}: {len(parse_stack(report['stack']))} frames, {status}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="chromium,firefox,webkit")
    engines = [e.strip() for e in parser.parse_args().engines.split(",") if e.strip()]
    index = json.loads(INDEX.read_text(encoding="utf-8")) if INDEX.exists() else {}
    failed = False
    for engine in engines:
        if engine not in ("chromium", "firefox", "webkit"):
            parser.error(f"unknown engine {engine}")
        started = time.monotonic()
        try:
            label, reports = capture(engine)
        except Exception as exc:  # one broken browser must not cost the other engines' captures
            print(f"{engine}: FAILED: {exc!r}", file=sys.stderr)
            failed = True
            continue
        print(f"{engine}: {label}, {len(reports)} reports in {time.monotonic() - started:.1f}s")
        failed |= not reports
        save(engine, label, reports, index)
    text = json.dumps(dict(sorted(index.items())), indent=2, ensure_ascii=False) + "\n"
    INDEX.write_text(text, encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
