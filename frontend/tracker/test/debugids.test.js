// Debug IDs: what sentry-cli's `sourcemaps inject` leaves in window._sentryDebugIds (Error stack
// taken in a script -> that script's debug ID) goes with an exception report as `di`, keyed by
// script URL, for the scripts of the error's own stack only.

import { describe, expect, test, vi } from "vitest";
import { installNetwork, load, posts, runBundle } from "./helpers.js";

const APP = "https://shop.example.com/assets/app-3f9a.js";
const VENDOR = "https://shop.example.com/assets/vendor-81c2.js";
const APP_ID = "5d1c4b7e-2f0a-4e59-9c3d-7a8b6e1f0c24";
const VENDOR_ID = "c0ffee00-1234-4abc-8def-0123456789ab";

// The keys as each engine writes the stack the injected snippet takes at a script's top level.
const chromeKey = (url) => `Error\n    at ${url}:1:96\n    at ${url}:1:250`;
const firefoxKey = (url) => `@${url}:1:96\n@${url}:1:250\n`;
const safariKey = (url) => `@${url}:1:96\nglobal code@${url}:1:250`;

/** An error thrown in `url`, with a stack as Chrome (V8) or Firefox (SpiderMonkey) writes it. */
function errorIn(url, engine = "chrome") {
  const thrown = new TypeError("Cannot read properties of null (reading 'amount')");
  thrown.stack =
    engine == "chrome"
      ? `TypeError: ${thrown.message}\n    at lineTotal (${url}:1:4021)\n    at ${url}:1:88`
      : `lineTotal@${url}:1:4021\n@${url}:1:88\n`;
  return thrown;
}

const debugIds = () => posts("/track/exception").map((report) => report.di);

describe("di", () => {
  test.each([
    ["Chrome", "chrome"],
    ["Firefox", "firefox"],
  ])("a %s stack sends the debug ID of its own script only", async (_, engine) => {
    installNetwork();
    vi.stubGlobal("_sentryDebugIds", {
      [chromeKey(APP)]: APP_ID,
      [firefoxKey(VENDOR)]: VENDOR_ID,
    });
    await load();
    window.analytics.captureException(errorIn(APP, engine));
    window.analytics.captureException(errorIn(VENDOR, engine));
    expect(debugIds()).toEqual([{ [APP]: APP_ID }, { [VENDOR]: VENDOR_ID }]);
  });

  test("Safari's keys, whose top frame is `global code@`, name their script too", async () => {
    installNetwork();
    vi.stubGlobal("_sentryDebugIds", { [safariKey(APP)]: APP_ID, [safariKey(VENDOR)]: VENDOR_ID });
    await load();
    window.analytics.captureException(errorIn(VENDOR, "firefox"));
    expect(debugIds()).toEqual([{ [VENDOR]: VENDOR_ID }]);
  });

  test("an error in both scripts sends both; one in neither sends none", async () => {
    installNetwork();
    vi.stubGlobal("_sentryDebugIds", { [chromeKey(APP)]: APP_ID, [chromeKey(VENDOR)]: VENDOR_ID });
    await load();
    const both = new Error("both");
    both.stack = `Error: both\n    at render (${VENDOR}:1:10)\n    at main (${APP}:1:20)`;
    window.analytics.captureException(both);
    const other = new Error("elsewhere");
    other.stack = "Error: elsewhere\n    at f (https://shop.example.com/assets/checkout.js:1:5)";
    window.analytics.captureException(other);
    expect(debugIds()).toEqual([{ [APP]: APP_ID, [VENDOR]: VENDOR_ID }, {}]);
  });

  test("without window._sentryDebugIds, di is empty", async () => {
    installNetwork();
    await load();
    window.analytics.captureException(errorIn(APP));
    expect(debugIds()).toEqual([{}]);
  });

  test("a URL with a port is read whole, up to its line and column", async () => {
    const local = "http://127.0.0.1:8080/app.js";
    installNetwork();
    vi.stubGlobal("_sentryDebugIds", {
      [chromeKey(local)]: APP_ID,
      [firefoxKey(VENDOR)]: VENDOR_ID,
    });
    await load();
    window.analytics.captureException(errorIn(local));
    expect(debugIds()).toEqual([{ [local]: APP_ID }]);
  });

  test("a script URL's query is scrubbed, as in the stack", async () => {
    const signed = `${APP}?v=3&token=s3cret`;
    installNetwork();
    vi.stubGlobal("_sentryDebugIds", { [firefoxKey(signed)]: APP_ID });
    await load();
    window.analytics.captureException(errorIn(signed));
    const [report] = posts("/track/exception");
    expect(report.di).toEqual({ [APP]: APP_ID });
    expect(JSON.stringify(report)).not.toContain("s3cret");
  });

  test("a key without a position (Error.stackTraceLimit = 0) names no script", async () => {
    installNetwork();
    // The message says "null": a key read as no URL must not match it.
    vi.stubGlobal("_sentryDebugIds", { Error: APP_ID, [chromeKey(VENDOR)]: VENDOR_ID });
    await load();
    window.analytics.captureException(errorIn(APP));
    expect(debugIds()).toEqual([{}]);
  });

  test("the committed build sends them", async () => {
    installNetwork();
    vi.stubGlobal("_sentryDebugIds", { [chromeKey(APP)]: APP_ID, [firefoxKey(VENDOR)]: VENDOR_ID });
    await runBundle();
    window.analytics.captureException(errorIn(VENDOR));
    expect(debugIds()).toEqual([{ [VENDOR]: VENDOR_ID }]);
  });
});
