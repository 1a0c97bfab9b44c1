"""The checkout page scripts/capture_stacks.py serves to real browsers: a minified vendor
library, a dependency, a code-split chunk and the app, each throwing one labelled fault."""

PAGE = "/checkout/cart?utm_source=newsletter"

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
