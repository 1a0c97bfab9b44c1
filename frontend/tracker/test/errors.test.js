// Exception reports: automatic capture, what is never reported, dedupe, the cap, the 429 pause
// (issue item 5; seed 7.2 "Exceptions", "describeError", "reporter"; checklist 66).

import { describe, expect, test, vi } from "vitest";
import { SRC, hits, installNetwork, load, network, posts, sent, settle } from "./helpers.js";

const APP = "https://shop.example.com/assets/app.js";

/** An error with a V8-style stack whose frames are `[function, url]` pairs. */
function error(message, frames = [["lineTotal", APP]], Type = TypeError) {
  const thrown = new Type(message);
  thrown.stack = [
    `${thrown.name}: ${message}`,
    ...frames.map(([fn, url], n) => `    at ${fn} (${url}:${n + 10}:5)`),
  ].join("\n");
  return thrown;
}
const throwInPage = (thrown) =>
  window.dispatchEvent(
    new ErrorEvent("error", { error: thrown, message: String(thrown?.message) }),
  );
const reject = (reason) =>
  window.dispatchEvent(
    new PromiseRejectionEvent("unhandledrejection", { reason, promise: Promise.resolve() }),
  );
const reports = () => posts("/track/exception");

describe("automatic capture", () => {
  test("an unhandled error is reported with the session and beacon of the hits", async () => {
    installNetwork();
    await load({ "data-app-version": "2.4.1" });
    await settle();
    throwInPage(error("Cannot read properties of null (reading 'amount')"));
    const [report] = reports();
    const [loadHit] = hits("load");
    expect(report).toEqual({
      u: "https://shop.example.com/",
      b: loadHit.b,
      i: loadHit.i,
      t: loadHit.t,
      ty: "TypeError",
      m: "Cannot read properties of null (reading 'amount')",
      s: expect.stringContaining(`at lineTotal (${APP}:10:5)`),
      h: false,
      v: "2.4.1",
      d: {},
      di: {},
    });
    expect(sent.find((r) => r.path == "/track/exception")).toMatchObject({
      via: "fetch",
      init: { keepalive: true },
    });
  });

  test("an unhandled rejection is reported; a reason that is no error becomes its string", async () => {
    installNetwork();
    await load();
    reject(error("Wishlist sync failed", [["syncWishlist", APP]], Error));
    reject("quota exceeded");
    reject({ user: "someone@example.com", password: "hunter2" });
    expect(reports().map(({ ty, m, h }) => [ty, m, h])).toEqual([
      ["Error", "Wishlist sync failed", false],
      ["Error", "quota exceeded", false],
      // Never serialised: an object may hold credentials.
      ["Error", "[object Object]", false],
    ]);
  });

  test("nothing is captured with data-auto-capture-exceptions=false; manual reports still go", async () => {
    installNetwork();
    await load({ "data-auto-capture-exceptions": "false" });
    // The page's own handler (without one, vitest reports the error as its own failure).
    const pageHandler = vi.fn();
    window.addEventListener("error", pageHandler);
    throwInPage(error("boom"));
    window.removeEventListener("error", pageHandler);
    reject(error("later"));
    expect(pageHandler).toHaveBeenCalledTimes(1);
    expect(reports()).toEqual([]);
    window.analytics.captureException(error("by hand"));
    expect(reports().map((r) => r.m)).toEqual(["by hand"]);
  });

  test("any other value of the attribute keeps capture on", async () => {
    installNetwork();
    await load({ "data-auto-capture-exceptions": "true" });
    throwInPage(error("boom"));
    expect(reports()).toHaveLength(1);
  });
});

describe("never reported", () => {
  test('"Script error." from another origin, which carries no error object', async () => {
    installNetwork();
    await load();
    window.dispatchEvent(new ErrorEvent("error", { message: "Script error.", error: null }));
    expect(reports()).toEqual([]);
  });

  test("errors whose stack is entirely inside browser extensions", async () => {
    installNetwork();
    await load();
    throwInPage(
      error("ext", [
        ["inject", "chrome-extension://abcdef/content.js"],
        ["run", "moz-extension://1234/x.js"],
      ]),
    );
    throwInPage(
      error("mixed", [
        ["inject", "chrome-extension://abcdef/content.js"],
        ["onClick", APP],
      ]),
    );
    expect(reports().map((r) => r.m)).toEqual(["mixed"]);
  });

  test("errors raised by the tracker itself", async () => {
    installNetwork();
    await load();
    throwInPage(
      error("own", [
        ["t", SRC],
        ["n", SRC],
      ]),
    );
    reject(error("own too", [["t", SRC]]));
    throwInPage(
      error("the page's", [
        ["t", SRC],
        ["checkout", APP],
      ]),
    );
    expect(reports().map((r) => r.m)).toEqual(["the page's"]);
  });
});

describe("dedupe and the cap", () => {
  test("the same type, message and top frame is sent once", async () => {
    installNetwork();
    await load();
    for (let n = 0; n < 3; n++) throwInPage(error("same"));
    throwInPage(error("same", [["otherPlace", APP]]));
    throwInPage(error("same", [["lineTotal", APP]], RangeError));
    throwInPage(error("different"));
    expect(reports().map((r) => [r.ty, r.m, r.s.split("\n")[1].trim().split(" ")[1]])).toEqual([
      ["TypeError", "same", "lineTotal"],
      ["TypeError", "same", "otherPlace"],
      ["RangeError", "same", "lineTotal"],
      ["TypeError", "different", "lineTotal"],
    ]);
  });

  test("the dedupe covers the whole page, across SPA views", async () => {
    installNetwork();
    await load();
    throwInPage(error("same"));
    history.pushState({}, "", "/next");
    throwInPage(error("same"));
    expect(reports()).toHaveLength(1);
  });

  test("at most 25 reports per page", async () => {
    installNetwork();
    await load();
    for (let n = 0; n < 40; n++) throwInPage(error(`error ${n}`));
    window.analytics.captureException(error("by hand"));
    expect(reports()).toHaveLength(25);
    expect(reports().at(-1).m).toBe("error 24");
  });

  test("the stack is capped, so that the report fits the server's body limit", async () => {
    installNetwork();
    await load();
    const frames = Array.from({ length: 400 }, (_, n) => [`frame${n}`, APP]);
    throwInPage(error("deep", frames));
    expect(reports()[0].s).toHaveLength(8000);
  });
});

describe("after a 429", () => {
  const at = (ms) => vi.setSystemTime(1_700_000_000_000 + ms);

  test("nothing at all is sent for the Retry-After time", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    at(0);
    installNetwork();
    await load();
    await settle();
    Object.assign(network, { status: 429, headers: { "Retry-After": "30" } });
    throwInPage(error("first"));
    await settle();
    network.status = 204;
    const before = sent.length;
    at(29_000);
    throwInPage(error("second"));
    window.analytics.event("signup");
    history.pushState({}, "", "/during");
    window.dispatchEvent(new Event("pagehide"));
    await settle();
    expect(sent.length).toBe(before);
    at(30_001);
    throwInPage(error("third"));
    history.pushState({}, "", "/after");
    await settle();
    expect(reports().map((r) => r.m)).toEqual(["first", "third"]);
    expect(hits("load").map((h) => h.u)).toContain("https://shop.example.com/after");
  });

  test("an unreadable Retry-After (not exposed cross-origin) pauses for a minute", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    at(0);
    installNetwork();
    await load();
    network.status = 429;
    throwInPage(error("first"));
    await settle();
    network.status = 204;
    at(59_000);
    throwInPage(error("second"));
    at(60_001);
    throwInPage(error("third"));
    expect(reports().map((r) => r.m)).toEqual(["first", "third"]);
  });
});

describe("manual reports", () => {
  test("captureException sends h=true and the metadata as strings", async () => {
    installNetwork();
    await load();
    window.analytics.captureException(error("Payment declined"), {
      order: 48213,
      retry: true,
      coupon: null,
      note: undefined,
    });
    expect(reports()[0]).toMatchObject({
      ty: "TypeError",
      m: "Payment declined",
      h: true,
      d: { order: "48213", retry: "true" },
    });
    // Optional fields without a value are left out (no data-app-version here).
    expect(reports()[0]).not.toHaveProperty("v");
  });

  test("anything can be passed without an exception escaping", async () => {
    installNetwork();
    await load();
    const hostile = {
      get message() {
        throw new Error("getter");
      },
    };
    for (const value of [undefined, null, 42, "plain text", Object.create(null), hostile]) {
      expect(() => window.analytics.captureException(value, value)).not.toThrow();
    }
    expect(reports().map((r) => r.m)).toEqual(["undefined", "null", "42", "plain text"]);
  });
});
