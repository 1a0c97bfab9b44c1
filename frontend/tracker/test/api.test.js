// window.analytics: custom events, manual exceptions and calls queued before the script loaded
// (issue item 2; seed 7.2 "API").

import { expect, test } from "vitest";
import { hits, installNetwork, load, posts, settle } from "./helpers.js";

test("event sends a custom hit on the current view with its data as strings", async () => {
  installNetwork();
  await load();
  await settle();
  window.analytics.event("signup", { plan: "pro", seats: 3, trial: false, coupon: null });
  const [view] = hits("load");
  expect(hits("custom")).toEqual([
    {
      b: view.b,
      i: view.i,
      t: view.t,
      u: view.u,
      e: "custom",
      n: "signup",
      d: { plan: "pro", seats: "3", trial: "false" },
    },
  ]);
});

test("an event without a name is not sent; without data it has an empty map", async () => {
  installNetwork();
  await load();
  window.analytics.event();
  window.analytics.event("", { a: 1 });
  window.analytics.event(404);
  expect(hits("custom").map(({ n, d }) => [n, d])).toEqual([["404", {}]]);
});

test("calls queued before the script loaded are replayed, in order, on the first view", async () => {
  installNetwork();
  // The stub of README.md, called before the tracker arrives.
  window.analytics = window.analytics || { q: [] };
  for (const name of ["event", "captureException"]) {
    window.analytics[name] = (...args) => window.analytics.q.push([name, args]);
  }
  window.analytics.event("early", { step: 1 });
  window.analytics.captureException(new Error("before load"), { where: "boot" });
  window.analytics.q.push(["unknown", []]);
  window.analytics.event("second");
  await load();
  await settle();
  expect(hits("custom").map((h) => h.n)).toEqual(["early", "second"]);
  expect(hits("custom")[0].b).toBe(hits("load")[0].b);
  expect(posts("/track/exception")).toEqual([
    expect.objectContaining({
      m: "before load",
      h: true,
      d: { where: "boot" },
      b: hits("load")[0].b,
    }),
  ]);
  expect(window.analytics.q).toBeUndefined();
});
