// Under Do Not Track or Global Privacy Control: no request, no storage, a harmless API
// (issue item 7; seed 7.2 "DNT"; checklist 62).

import { expect, test } from "vitest";
import { installNetwork, load, stubProperty } from "./helpers.js";

test.each([
  ["navigator.doNotTrack", navigator, "doNotTrack", "1"],
  ["window.doNotTrack", window, "doNotTrack", "1"],
  ["navigator.globalPrivacyControl", navigator, "globalPrivacyControl", true],
])(
  "%s: nothing is sent or stored, and the API is a harmless no-op",
  async (_, target, name, value) => {
    stubProperty(target, name, value);
    const { fetch, sendBeacon } = installNetwork();
    const pushState = history.pushState;
    window.analytics = { q: [["event", ["queued"]]] };
    await load();
    expect(() => {
      window.analytics.event("signup", { plan: "pro" });
      window.analytics.captureException(new Error("boom"), { order: 1 });
      history.pushState({}, "", "/elsewhere");
      window.dispatchEvent(new Event("pagehide"));
      window.dispatchEvent(
        new PromiseRejectionEvent("unhandledrejection", {
          reason: new Error("x"),
          promise: Promise.resolve(),
        }),
      );
    }).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(fetch).not.toHaveBeenCalled();
    expect(sendBeacon).not.toHaveBeenCalled();
    expect(sessionStorage.length).toBe(0);
    expect(history.pushState).toBe(pushState);
  },
);
