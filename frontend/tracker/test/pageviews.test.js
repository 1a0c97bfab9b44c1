// Page views, SPA navigations, visible time on page and the tab session (issue items 3 and 4;
// seed 7.2 "Load", "Unload", "pushState"; checklist 63 to 65).

import { describe, expect, test, vi } from "vitest";
import {
  API,
  goTo,
  hits,
  installNetwork,
  load,
  network,
  sent,
  settle,
  stubProperty,
} from "./helpers.js";

const hide = (hidden) => {
  stubProperty(document, "hidden", hidden);
  document.dispatchEvent(new Event("visibilitychange"));
};
const at = (ms) => vi.setSystemTime(1_700_000_000_000 + ms);

describe("the first page view", () => {
  test("two pings, then one load hit with q and p from the ping bodies", async () => {
    goTo("/products/linen-shirt?utm_source=news&utm_medium=mail&utm_campaign=june&id=7#top");
    installNetwork();
    await load();
    await settle();
    const [site, page, loadHit] = sent;
    expect(site).toMatchObject({ via: "fetch", method: "GET" });
    expect(site.url).toBe(`${API}/track/ping?h=shop.example.com`);
    expect(page.url).toBe(`${API}/track/ping?h=shop.example.com&p=/products/linen-shirt`);
    expect(loadHit).toMatchObject({ via: "fetch", method: "POST", path: "/track/hit" });
    expect(loadHit.init.keepalive).toBe(true);
    expect(loadHit.body).toEqual({
      b: expect.any(String),
      i: expect.any(String),
      t: Intl.DateTimeFormat().resolvedOptions().timeZone,
      u: "https://shop.example.com/products/linen-shirt?utm_source=news&utm_medium=mail&utm_campaign=june",
      e: "load",
      r: "",
      q: true,
      p: true,
    });
    expect(sent).toHaveLength(3);
  });

  test.each([
    ["answering 0", { ping: "0" }],
    ["failing", { ping: null }],
  ])("pings %s make the flags false", async (_, answers) => {
    Object.assign(network, answers);
    installNetwork();
    await load();
    await settle();
    expect(hits("load")).toEqual([expect.objectContaining({ e: "load" })]);
    expect(hits("load")[0].q || hits("load")[0].p).toBeFalsy();
  });

  test("data-app-version rides on the load as the release (errors per 1,000 views by release)", async () => {
    installNetwork();
    await load({ "data-app-version": "3.1.0" });
    await settle();
    expect(hits("load")[0].v).toBe("3.1.0");
  });

  test("the referrer is reduced to origin and path", async () => {
    stubProperty(document, "referrer", "https://news.example.org/threads/42?session=abc");
    installNetwork();
    await load();
    await settle();
    expect(hits("load")[0].r).toBe("https://news.example.org/threads/42");
  });

  test("the data-api attribute wins over the script's origin, without a trailing slash", async () => {
    installNetwork();
    await load({ "data-api": "https://stats.example.net/" });
    await settle();
    expect(sent.map((r) => r.url.split("?")[0])).toEqual([
      "https://stats.example.net/track/ping",
      "https://stats.example.net/track/ping",
      "https://stats.example.net/track/hit",
    ]);
  });

  test("an inline copy without data-api reports to the page's own origin", async () => {
    const { fetch } = installNetwork();
    await load(null);
    await settle();
    expect(fetch.mock.calls.map(([url]) => url.split("?")[0])).toContain(
      "https://shop.example.com/track/hit",
    );
  });
});

describe("single-page navigation", () => {
  test("pushState to a new path: unload of the old view, then pings and a load", async () => {
    goTo("/start?utm_source=ad");
    installNetwork();
    await load();
    await settle();
    const first = hits("load")[0];
    sent.length = 0;
    history.pushState({}, "", "/next?secret=1");
    await settle();
    const [unload, site, page, second] = sent;
    expect(unload).toMatchObject({ via: "beacon", path: "/track/hit" });
    expect(unload.body).toMatchObject({ e: "unload", b: first.b, i: first.i, u: first.u });
    expect(site.url).toBe(`${API}/track/ping?h=shop.example.com`);
    expect(page.url).toBe(`${API}/track/ping?h=shop.example.com&p=/next`);
    expect(second.body).toMatchObject({
      e: "load",
      i: first.i,
      u: "https://shop.example.com/next",
    });
    expect(second.body.b).not.toBe(first.b);
    // The previous view is the referrer, which the server files as an internal navigation.
    expect(second.body.r).toBe("https://shop.example.com/start");
  });

  test("replaceState on the same path (query or fragment churn) sends nothing", async () => {
    installNetwork();
    await load();
    await settle();
    sent.length = 0;
    history.replaceState({}, "", "/?tab=2");
    history.replaceState({}, "", "/?tab=2#details");
    history.pushState({}, "", "/#more");
    await settle();
    expect(sent).toEqual([]);
  });

  test("replaceState to a new path is a navigation too", async () => {
    installNetwork();
    await load();
    await settle();
    history.replaceState({}, "", "/renamed");
    await settle();
    expect(hits("unload")).toHaveLength(1);
    expect(hits("load").map((h) => h.u)).toEqual([
      "https://shop.example.com/",
      "https://shop.example.com/renamed",
    ]);
  });

  test("the page's own pushState keeps its result and its exceptions", async () => {
    installNetwork();
    await load();
    expect(history.pushState({}, "", "/a")).toBeUndefined();
    expect(() => history.pushState({}, "", "https://elsewhere.example/")).toThrow();
  });

  test("popstate: unload for the URL before the pop, then a new view", async () => {
    installNetwork();
    await load();
    await settle();
    history.pushState({}, "", "/one");
    await settle();
    sent.length = 0;
    goTo("/");
    window.dispatchEvent(new PopStateEvent("popstate"));
    await settle();
    expect(hits("unload")[0].u).toBe("https://shop.example.com/one");
    expect(hits("load")[0].u).toBe("https://shop.example.com/");
  });

  test("without data-hash, a hash change is no navigation", async () => {
    installNetwork();
    await load();
    await settle();
    sent.length = 0;
    goTo("/#/users");
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    await settle();
    expect(sent).toEqual([]);
  });

  test("with data-hash, hash routes are pages and the fragment itself never leaves", async () => {
    goTo("/#/users?token=abc");
    installNetwork();
    await load({ "data-hash": "" });
    await settle();
    expect(hits("load")[0].u).toBe("https://shop.example.com/users");
    sent.length = 0;
    goTo("/#/users/42");
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    await settle();
    expect(hits("unload")[0].u).toBe("https://shop.example.com/users");
    expect(hits("load")[0].u).toBe("https://shop.example.com/users/42");
    expect(sent.find((r) => r.url.includes("&p="))?.url).toBe(
      `${API}/track/ping?h=shop.example.com&p=/users/42`,
    );
    expect(JSON.stringify(sent)).not.toContain("token");
  });
});

describe("time on page", () => {
  test("one unload per view over sendBeacon as a text/plain string, with the visible ms", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    at(0);
    const { sendBeacon } = installNetwork();
    await load();
    await settle();
    at(1500);
    window.dispatchEvent(new Event("pagehide"));
    window.dispatchEvent(new Event("pagehide"));
    hide(true);
    expect(sendBeacon).toHaveBeenCalledTimes(1);
    const [url, body] = sendBeacon.mock.calls[0];
    // A string body is sent as text/plain: no CORS preflight.
    expect(url).toBe(`${API}/track/hit`);
    expect(typeof body).toBe("string");
    expect(JSON.parse(body)).toMatchObject({ e: "unload", m: 1500 });
  });

  test("hidden time does not count: the clock pauses and resumes", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    at(0);
    installNetwork();
    await load();
    await settle();
    at(1000);
    hide(true); // 1 s visible
    at(61_000);
    hide(false); // a minute in another tab
    at(61_500);
    window.dispatchEvent(new Event("pagehide")); // half a second more
    expect(hits("unload")).toEqual([expect.objectContaining({ m: 1500 })]);
  });

  test("hiding the page sends nothing by itself; the unload comes once, at pagehide", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    at(0);
    installNetwork();
    await load();
    await settle();
    at(200);
    hide(true);
    hide(false);
    hide(true);
    expect(hits("unload")).toEqual([]);
    window.dispatchEvent(new Event("pagehide"));
    expect(hits("unload")).toEqual([expect.objectContaining({ m: 200 })]);
  });

  test("each SPA view gets its own duration, from its own start", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    at(0);
    installNetwork();
    await load();
    await settle();
    at(3000);
    history.pushState({}, "", "/second");
    await settle();
    at(3700);
    window.dispatchEvent(new Event("pagehide"));
    expect(hits("unload").map((h) => h.m)).toEqual([3000, 700]);
    expect(new Set(hits("unload").map((h) => h.b)).size).toBe(2);
  });

  test("when sendBeacon refuses, fetch with keepalive carries the unload", async () => {
    network.beacon = false;
    installNetwork();
    await load();
    await settle();
    window.dispatchEvent(new Event("pagehide"));
    const unload = sent.find((r) => r.body?.e == "unload" && r.via == "fetch");
    expect(unload.init).toMatchObject({ method: "POST", keepalive: true });
    expect(typeof unload.init.body).toBe("string");
  });

  test("without sendBeacon at all, fetch with keepalive carries it", async () => {
    installNetwork();
    await load();
    await settle();
    Object.defineProperty(navigator, "sendBeacon", { value: undefined, configurable: true });
    window.dispatchEvent(new Event("pagehide"));
    expect(sent.filter((r) => r.body?.e == "unload").map((r) => r.via)).toEqual(["fetch"]);
  });
});

describe("the tab session", () => {
  test("one session id for the tab, kept in sessionStorage across page loads", async () => {
    installNetwork();
    await load();
    await settle();
    const first = hits("load")[0].i;
    expect(sessionStorage.getItem("analytics-session")).toBe(first);
    await load();
    await settle();
    expect(hits("load").map((h) => h.i)).toEqual([first, first]);
    expect(hits("load")[0].b).not.toBe(hits("load")[1].b);
  });

  test.each([
    ["storage is blocked", "get"],
    ["storage is full", "set"],
  ])("when %s, an in-memory id is used", async (_, failing) => {
    const storage = Object.getOwnPropertyDescriptor(window, "sessionStorage");
    const fail = () => {
      throw new DOMException("denied", "SecurityError");
    };
    const full = new Proxy({}, { set: fail }); // every write throws, as over the quota
    Object.defineProperty(window, "sessionStorage", {
      get: failing == "get" ? fail : () => full,
      configurable: true,
    });
    try {
      installNetwork();
      await load();
      await settle();
      expect(hits("load")[0].i).toMatch(/^[a-z0-9]+$/);
    } finally {
      Object.defineProperty(window, "sessionStorage", storage);
    }
  });
});
