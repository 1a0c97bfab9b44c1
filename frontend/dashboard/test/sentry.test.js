// @vitest-environment jsdom
// The views of Sentry SDK data: a Python event with a chained exception (as the API returns
// it after ingesting what sentry-sdk sends for `raise ... from`) and the inbox's environment
// filter; the project's SDK setup page is in sdk-setup.test.js.
import { describe, expect, it } from "vitest";
import { fakeCtx, tick } from "./context.js";
import { eventDetails, exceptionChain, fromSdk, latestEvent } from "../src/views/event.js";
import { codeContext } from "../src/views/frames.js";
import { groupPage } from "../src/views/group.js";
import { inbox } from "../src/views/inbox.js";

const PAYLOAD = `<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>`;
const DSN = "http://0f3c2a9d8e7b4c1a9f2e6d5c4b3a2918@faultline.example:8000/3";

// sentry-sdk for:
//   def load_price(cart): return PRICES[cart["sku"]]            (KeyError)
//   def checkout(cart):
//       try: load_price(cart)
//       except KeyError as error: raise ValueError(f"unknown SKU {cart['sku']}") from error
// Frames innermost first (index 0: where it was raised), as the API lists them.
const CAUSE = {
  type: "KeyError",
  value: "'sku-404'",
  module: null,
  mechanism: { type: "chained", handled: true },
  frames: [
    {
      function: "load_price",
      module: "shop.pricing",
      filename: "shop/pricing.py",
      abs_path: "/srv/shop/shop/pricing.py",
      lineno: 12,
      colno: null,
      in_app: true,
      pre_context: ["", "", "def load_price(cart):", '    """The price of the cart\'s item."""'],
      context_line: '    return PRICES[cart["sku"]]',
      post_context: ["", "", "def checkout(cart):"],
    },
    {
      function: "checkout",
      module: "shop.pricing",
      filename: "shop/pricing.py",
      abs_path: "/srv/shop/shop/pricing.py",
      lineno: 17,
      colno: null,
      in_app: true,
      pre_context: ["def checkout(cart):", "    try:"],
      context_line: "        load_price(cart)",
      post_context: ["    except KeyError as error:"],
    },
  ],
};
const RAISED = {
  type: "ValueError",
  value: "unknown SKU sku-404",
  module: null,
  mechanism: { type: "excepthook", handled: false },
  frames: [
    {
      function: "checkout",
      module: "shop.pricing",
      filename: "shop/pricing.py",
      abs_path: "/srv/shop/shop/pricing.py",
      lineno: 19,
      colno: null,
      in_app: true,
      pre_context: ["        load_price(cart)", "    except KeyError as error:"],
      context_line: '        raise ValueError(f"unknown SKU {cart[\'sku\']}") from error',
      post_context: ["", ""],
    },
    {
      function: "dispatch_request",
      module: "flask.app",
      filename: "flask/app.py",
      abs_path: "/srv/shop/.venv/lib/python3.12/site-packages/flask/app.py",
      lineno: 880,
      colno: null,
      in_app: false,
      pre_context: ["        # otherwise dispatch to the handler for that endpoint"],
      context_line: "        return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)",
      post_context: [""],
    },
    { function: "wsgi_app", module: "flask.app", filename: "flask/app.py", abs_path: null, lineno: 1511, colno: null, in_app: false },
  ],
};
const PYTHON_EVENT = {
  id: "5d2f8a3c9b1e4f7a8c6d0e2b4a6f8c1d",
  received_at: "2026-11-24T11:58:00Z",
  type: "ValueError",
  message: "unknown SKU sku-404",
  stack: null,
  frames: RAISED.frames,
  handled: false,
  release: "shop@2.4.1",
  source: null,
  path: "/checkout",
  browser: null,
  browser_version: null,
  os: null,
  device: null,
  metadata: { cart_id: "c-1842" },
  fingerprint: "3f1c0d",
  fingerprint_override: null,
  platform: "python",
  environment: "production",
  level: "error",
  logger: null,
  transaction: "/checkout",
  url: "https://shop.example.com/checkout",
  sdk: { name: "sentry.python.flask", version: "2.76.0" },
  tags: { region: "eu-west-1", "server.role": PAYLOAD },
  contexts: {
    runtime: { type: "runtime", name: "CPython", version: "3.12.3", build: "3.12.3 (main, Apr 10 2026) [GCC 13.2.0]" },
    os: { type: "os", name: "Linux", version: "6.8.0" },
    trace: { trace_id: "4c2a" },
  },
  chain: [CAUSE, RAISED],
};
// What the tracker's /track/exception stores: none of the SDK fields (an older API) or them empty.
const TRACKER_EVENT = {
  id: "01JD",
  received_at: "2026-11-24T11:00:00Z",
  type: "TypeError",
  message: "price is undefined",
  stack: "TypeError: price is undefined\n    at renderCart (https://shop.example.com/cart.js:10:5)",
  frames: [{ function: "renderCart", filename: "https://shop.example.com/cart.js", lineno: 10, colno: 5, in_app: true }],
  handled: false,
  release: "2.4.1",
  source: "https://shop.example.com",
  path: "/cart",
  browser: "Chrome",
  browser_version: "131",
  os: "Linux",
  device: "desktop",
  metadata: { note: "x" },
  fingerprint: "ab",
  fingerprint_override: null,
};

describe("a Python event with a chained exception", () => {
  it("shows causes first and the raised one last, labelled, each with its frames", () => {
    const node = exceptionChain(PYTHON_EVENT.chain);
    const entries = [...node.querySelectorAll(".chain-list > li")];
    expect(entries.map((li) => li.className)).toEqual(["exc cause", "exc raised"]);
    expect(entries.map((li) => li.querySelector(".badge").textContent)).toEqual(["caused by", "raised"]);
    expect(entries.map((li) => li.querySelector(".message").textContent)).toEqual(["KeyError: 'sku-404'", "ValueError: unknown SKU sku-404"]);
    expect(entries[1].querySelector(".mechanism").textContent).toBe("unhandled excepthook");
    expect(entries[0].querySelector(".mechanism").textContent).toBe("handled chained");
    expect(node.querySelector(".chain-note").textContent).toMatch(/^2 chained exceptions, causes first/);
    // The raised one's in-app frame first, then Flask's two folded into one line.
    const frames = entries[1].querySelector(".frames");
    expect([...frames.children].map((li) => li.className)).toEqual(["frame in-app with-code", "frame-run"]);
    expect(frames.querySelector(".frame-run summary").textContent).toBe("2 other frames");
  });

  it("opens the code of in-app frames, numbered, its line marked; library code stays folded", () => {
    const node = exceptionChain(PYTHON_EVENT.chain);
    const own = node.querySelector(".exc.cause .frame.in-app");
    expect(own.querySelector("details").open).toBe(true);
    expect(own.querySelector("summary").textContent).toBe("load_price at shop/pricing.py:12");
    expect(own.querySelector(".file").getAttribute("title")).toBe("/srv/shop/shop/pricing.py");
    const lines = [...own.querySelectorAll(".code .line")];
    expect(lines.map((line) => line.querySelector(".ln").textContent)).toEqual(["8", "9", "10", "11", "12", "13", "14", "15"]);
    expect(lines.filter((line) => line.classList.contains("current")).map((line) => line.textContent)).toEqual(['12    return PRICES[cart["sku"]]']);
    expect(lines[4].getAttribute("aria-current")).toBe("true");
    const flask = node.querySelector(".exc.raised .frame-run .frame.with-code");
    expect(flask.querySelector("details").open).toBe(false);
    expect(flask.querySelector(".current .src").textContent).toContain("self.view_functions");
    // A library frame without context is a plain line, as the tracker's are.
    expect(node.querySelector(".exc.raised .frame-run li:last-child").className).toBe("frame");
  });

  it("numbers nothing when the line is unknown, and keeps markup in code as text", () => {
    const code = codeContext({ lineno: null, pre_context: [PAYLOAD], context_line: PAYLOAD, post_context: [] });
    expect([...code.querySelectorAll(".ln")].map((ln) => ln.textContent)).toEqual(["", ""]);
    expect(code.querySelector(".current .src").textContent).toBe(PAYLOAD);
    expect(code.querySelector("img, script")).toBeNull();
  });

  it("lists environment, SDK, level, transaction, URL, tags and contexts beside the chain", () => {
    const card = latestEvent(PYTHON_EVENT);
    document.body.replaceChildren(card);
    const aside = card.querySelector("aside.event-aside");
    const table = Object.fromEntries(eventDetails(PYTHON_EVENT));
    expect(table).toMatchObject({
      Level: "error",
      Environment: "production",
      Release: "shop@2.4.1",
      Platform: "python",
      SDK: "sentry.python.flask 2.76.0",
      Transaction: "/checkout",
      URL: "https://shop.example.com/checkout",
      Handled: "no",
    });
    // The URL says it all; no empty rows for what a server has not (browser, logger).
    expect(Object.keys(table)).not.toContain("Page");
    expect(Object.keys(table)).not.toContain("Browser");
    expect(Object.keys(table)).not.toContain("Logger");
    expect([...aside.querySelectorAll(".kv")[0].querySelectorAll("dt")].map((dt) => dt.textContent)).toEqual(Object.keys(table));
    expect([...aside.querySelectorAll(".tag")].map((tag) => [tag.querySelector(".tag-k").textContent, tag.querySelector(".tag-v").textContent])).toEqual([
      ["region", "eu-west-1"],
      ["server.role", PAYLOAD],
    ]);
    const contexts = [...aside.querySelectorAll(".context")];
    expect(contexts.map((c) => c.querySelector("h4").textContent)).toEqual(["Runtime", "Operating system", "Trace"]);
    expect([...contexts[0].querySelectorAll("dt")].map((dt) => dt.textContent)).toEqual(["name", "version", "build"]);
    expect(aside.textContent).toContain("Metadata");
    expect(card.querySelector("img, script")).toBeNull();
  });

  it("shows a message event (capture_message) without a chain", () => {
    const event = { ...PYTHON_EVENT, chain: null, frames: [], type: null, message: "payment provider slow: %s ms", level: "warning", logger: "shop.payments" };
    const card = latestEvent(event);
    expect(card.querySelector(".message").textContent).toBe("Message: payment provider slow: %s ms");
    expect(card.querySelector(".frames")).toBeNull();
    expect(Object.fromEntries(eventDetails(event))).toMatchObject({ Level: "warning", Logger: "shop.payments" });
  });

  it("names a one-exception chain without raised/caused-by labels", () => {
    const node = exceptionChain([RAISED]);
    expect(node.querySelector(".badge")).toBeNull();
    expect(node.querySelector(".chain-note")).toBeNull();
    expect(node.querySelector(".message").textContent).toBe("ValueError: unknown SKU sku-404");
    const bare = exceptionChain([{ type: "RuntimeError", value: "boom", module: "builtins", mechanism: null, frames: [] }]);
    expect(bare.querySelector(".exc-module").textContent).toBe("builtins");
    expect(bare.querySelector("p.muted").textContent).toBe("The SDK sent no stack trace for this exception.");
  });
});

describe("a tracker report", () => {
  it("renders as before, whether the API leaves the SDK fields out or empty", () => {
    const empty = { ...TRACKER_EVENT, platform: null, environment: null, level: null, logger: null, transaction: null, url: null, sdk: null, tags: {}, contexts: {}, chain: null };
    for (const event of [TRACKER_EVENT, empty]) {
      expect(fromSdk(event)).toBe(false);
      const card = latestEvent(event);
      expect(card.className).toBe("card");
      expect([...card.children].map((child) => child.tagName)).toEqual(["H2", "P", "OL", "DETAILS", "DL", "H3", "DL"]);
      expect(card.querySelector(".message").textContent).toBe("TypeError: price is undefined");
      expect(card.querySelector(".frame").outerHTML).toBe(
        '<li class="frame in-app"><span class="fn">renderCart</span><span class="at muted"> at </span><span class="file">https://shop.example.com/cart.js:10:5</span></li>',
      );
      expect([...card.querySelector("dl").querySelectorAll("dt")].map((dt) => dt.textContent)).toEqual(["Page", "Browser", "OS", "Device", "Release", "Source", "Handled", "Received"]);
      expect(card.querySelector("aside, .chain, .tags, .code")).toBeNull();
    }
  });
});

function group(overrides = {}) {
  return {
    id: 9,
    project: 3,
    title: "ValueError: unknown SKU sku-404",
    culprit: "shop.pricing in checkout",
    status: "unresolved",
    regressed: false,
    count: 4,
    first_seen: "2026-11-20T00:00:00Z",
    last_seen: "2026-11-24T11:58:00Z",
    first_release: "shop@2.4.0",
    last_release: "shop@2.4.1",
    environment: "production",
    platform: "python",
    trend: [{ day: "2026-11-23", count: 1 }, { day: "2026-11-24", count: 3 }],
    latest_event: PYTHON_EVENT,
    grouping: { method: "frames", type: "ValueError", frames: [{ module: "shop.pricing", function: "checkout" }], message: null, custom: [], override: null, fingerprint: "3f1c0d", version: 2 },
    breakdowns: {
      browser: [],
      os: [],
      device: [],
      release: [{ value: "shop@2.4.1", count: 3 }, { value: "shop@2.4.0", count: 1 }],
      environment: [{ value: "production", count: 3 }, { value: "staging", count: 1 }],
      path: [],
    },
    history: [{ kind: "created", at: "2026-11-20T00:00:00Z", actor: null, detail: {} }],
    ...overrides,
  };
}

describe("the group page", () => {
  it("shows the environment breakdown and an environment column for SDK events", async () => {
    const ctx = fakeCtx({
      "GET /groups/9": group(),
      "GET /groups/9/events": { items: [PYTHON_EVENT, { ...PYTHON_EVENT, environment: "staging" }], next_cursor: null },
      "GET /groups/9/pages": { items: [] },
      "GET /projects/3": { id: 3, name: "shop-api", dsn: DSN },
    });
    const page = await groupPage(ctx, 9);
    document.body.replaceChildren(page);
    await tick();
    const breakdowns = [...page.querySelectorAll("section.tabbed")].find((card) => card.textContent.startsWith("Breakdowns"));
    const tabs = [...breakdowns.querySelectorAll('[role="tab"]')];
    expect(tabs.map((tab) => tab.textContent)).toEqual(["Browser", "OS", "Device", "Release", "Environment", "Page"]);
    // No browser behind a Python server: it opens on the first breakdown with rows.
    expect(tabs.find((tab) => tab.getAttribute("aria-selected") === "true").textContent).toBe("Release");
    tabs[4].click();
    expect([...breakdowns.querySelectorAll("td.key")].map((td) => td.textContent)).toEqual(["production", "staging"]);
    const events = page.querySelector("table.events");
    expect([...events.querySelectorAll("th")].map((th) => th.textContent)).toContain("Environment");
    expect([...events.querySelectorAll("tbody tr")].map((tr) => tr.lastChild.textContent)).toEqual(["production", "staging"]);
    expect(page.querySelectorAll(".chain-list > li")).toHaveLength(2);
  });

  it("keeps the old tabs and columns for a tracker group on an API without environments", async () => {
    const { environment, ...breakdowns } = group().breakdowns;
    breakdowns.browser = [{ value: "Chrome", count: 4 }];
    const ctx = fakeCtx({
      "GET /groups/9": group({ breakdowns, latest_event: TRACKER_EVENT, environment: undefined, platform: undefined }),
      "GET /groups/9/events": { items: [TRACKER_EVENT], next_cursor: null },
      "GET /groups/9/pages": { items: [] },
      "GET /projects/3": { id: 3, name: "shop", dsn: DSN },
    });
    const page = await groupPage(ctx, 9);
    const tabs = [...page.querySelectorAll("section.tabbed [role=tab]")];
    expect(tabs.map((tab) => tab.textContent)).toEqual(["Browser", "OS", "Device", "Release", "Page"]);
    expect(tabs[0].getAttribute("aria-selected")).toBe("true");
    expect([...page.querySelectorAll("table.events th")].map((th) => th.textContent)).toEqual(["Received", "Message", "Page", "Browser", "Release"]);
  });
});

describe("the inbox", () => {
  it("filters by environment and shows environment and platform on rows", async () => {
    const ctx = fakeCtx(
      {
        "GET /projects": { items: [{ id: 3, name: "shop-api" }], next_cursor: null },
        "GET /groups": {
          items: [
            { ...group(), per_1k: null, trend: [0, 1, 3] },
            { ...group({ id: 10, title: "TypeError: x", environment: null, platform: null }), per_1k: 1, trend: [1] },
          ],
          next_cursor: null,
          counts: { unresolved: 2, resolved: 0, ignored: 0 },
        },
      },
      { environment: "production" },
    );
    const view = await inbox(ctx);
    document.body.replaceChildren(view);
    const query = ctx.calls.find((call) => call.url === "/groups").args;
    expect(query.environment).toBe("production");
    const input = view.querySelector('input[name="environment"]');
    expect(input.value).toBe("production");
    expect([...view.querySelectorAll("#environments option")].map((o) => o.value)).toEqual(["production", "staging", "development"]);
    const rows = [...view.querySelectorAll(".groups tbody tr")];
    expect(rows[0].querySelector(".platform").textContent).toBe(" · python");
    expect(rows[0].querySelector(".pill.env").textContent).toBe("production");
    expect(rows[0].querySelector(".pill.env").getAttribute("href")).toBe("#/issues?environment=production");
    expect(rows[1].querySelector(".platform, .pill.env")).toBeNull();
    input.value = " staging ";
    view.querySelector("form.toolbar").dispatchEvent(new Event("submit", { cancelable: true }));
    expect(ctx.go).toHaveBeenCalledWith({ environment: "staging" });
  });
});
