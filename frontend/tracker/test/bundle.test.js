// The committed build itself (app/static/tracker.js), run as a page runs it: it tracks, it
// respects DNT, and nothing it meets makes it throw into the page (issue item 8).

import { expect, test, vi } from "vitest";
import { hits, installNetwork, runBundle, sent, settle, stubProperty } from "./helpers.js";

test("the build tracks a page view and reports an error", async () => {
  installNetwork();
  await runBundle({ "data-app-version": "1.0.0" });
  await settle();
  expect(sent.map((r) => r.path)).toEqual(["/track/ping", "/track/ping", "/track/hit"]);
  window.analytics.captureException(new TypeError("boom"));
  expect(sent.at(-1).body).toMatchObject({
    ty: "TypeError",
    m: "boom",
    h: true,
    v: "1.0.0",
    b: hits("load")[0].b,
  });
});

test("the build sends nothing and stores nothing under DNT", async () => {
  stubProperty(navigator, "doNotTrack", "1");
  const { fetch, sendBeacon } = installNetwork();
  await runBundle();
  window.analytics.event("x");
  await settle();
  expect(fetch).not.toHaveBeenCalled();
  expect(sendBeacon).not.toHaveBeenCalled();
  expect(sessionStorage.length).toBe(0);
});

const broken = () => {
  throw new Error("broken");
};

test.each([
  ["no fetch, no sendBeacon", () => vi.stubGlobal("fetch", undefined)],
  ["fetch throwing", () => vi.stubGlobal("fetch", broken)],
  [
    "storage throwing",
    () => Object.defineProperty(window, "sessionStorage", { get: broken, configurable: true }),
  ],
  ["Intl throwing", () => vi.spyOn(Intl, "DateTimeFormat").mockImplementation(broken)],
  ["no script tag", () => {}, null],
])("with %s, the build never throws into the page", async (_, breakIt, attributes = {}) => {
  const storage = Object.getOwnPropertyDescriptor(window, "sessionStorage");
  breakIt();
  const pageErrors = vi.fn();
  window.addEventListener("error", pageErrors);
  window.addEventListener("unhandledrejection", pageErrors);
  try {
    await expect(runBundle(attributes)).resolves.toBeUndefined();
    window.analytics.event("signup", { plan: "pro" });
    window.analytics.captureException(new Error("x"));
    history.pushState({}, "", "/moved");
    stubProperty(document, "hidden", true);
    document.dispatchEvent(new Event("visibilitychange"));
    window.dispatchEvent(new Event("pagehide"));
    await settle();
    expect(pageErrors).not.toHaveBeenCalled();
  } finally {
    window.removeEventListener("error", pageErrors);
    window.removeEventListener("unhandledrejection", pageErrors);
    Object.defineProperty(window, "sessionStorage", storage);
  }
});
