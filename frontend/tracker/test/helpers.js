// A fresh tracker per test: a script tag, a fake network and clean globals afterwards.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, vi } from "vitest";

export const API = "https://faultline.test";
export const SRC = `${API}/tracker.js`;
// The History API as the page has it, for moving around without the tracker's wrappers.
const pushState = History.prototype.pushState;
const added = [];

/** Move the page to `url` (same origin) without telling the tracker. */
export const goTo = (url) => pushState.call(history, null, "", url);

/** Let pending promise callbacks run. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Everything the page sent: `{ via, method, path, url, body, init }` per request, where `via` is
 * "fetch" or "beacon" and `body` is the parsed JSON of a POST.
 */
export const sent = [];

/**
 * What the fake server answers: `ping` is the ping body ("1", "0", or null for a network
 * failure); other requests get `status` and `headers`; sendBeacon returns `beacon`.
 */
export const network = { ping: "1", status: 204, headers: {}, beacon: true };

function fakeResponse(status, body, headers = {}) {
  return { status, headers: new Headers(headers), text: () => Promise.resolve(body) };
}

/** Fake fetch and sendBeacon that record into `sent` and answer as `network` says. */
export function installNetwork() {
  const fetch = vi.fn((url, init) => {
    const path = url.replace(API, "");
    sent.push({
      via: "fetch",
      method: init?.method || "GET",
      path: path.split("?")[0],
      url,
      body: init?.body && JSON.parse(init.body),
      init,
    });
    if (path.startsWith("/track/ping")) {
      return network.ping == null
        ? Promise.reject(new TypeError("Failed to fetch"))
        : Promise.resolve(fakeResponse(200, network.ping));
    }
    return Promise.resolve(fakeResponse(network.status, "", network.headers));
  });
  const sendBeacon = vi.fn((url, body) => {
    sent.push({
      via: "beacon",
      method: "POST",
      path: url.replace(API, ""),
      url,
      body: JSON.parse(body),
    });
    return network.beacon;
  });
  vi.stubGlobal("fetch", fetch);
  Object.defineProperty(navigator, "sendBeacon", { value: sendBeacon, configurable: true });
  return { fetch, sendBeacon };
}

/** Set a navigator or window property for this test only. */
export function stubProperty(target, name, value) {
  Object.defineProperty(target, name, { get: () => value, configurable: true });
}

/**
 * Run `start` as if the tracker was loaded by `<script src=SRC data-...>` with `attributes`
 * (`null` for an inline copy, without src); its listeners are removed after the test.
 */
async function asScript(attributes, start) {
  let script = null;
  if (attributes) {
    script = document.createElement("script");
    script.src = SRC;
    for (const [name, value] of Object.entries(attributes)) script.setAttribute(name, value);
  }
  stubProperty(document, "currentScript", script);
  for (const target of [window, document]) {
    const original = target.addEventListener.bind(target);
    vi.spyOn(target, "addEventListener").mockImplementation((type, listener, options) => {
      added.push([target, type, listener]);
      original(type, listener, options);
    });
  }
  try {
    return await start();
  } finally {
    vi.mocked(window.addEventListener).mockRestore();
    vi.mocked(document.addEventListener).mockRestore();
  }
}

/** A fresh copy of a tracker module (default: the whole tracker), loaded as a script would. */
export function load(attributes = {}, module = "../src/index.js") {
  return asScript(attributes, () => {
    vi.resetModules();
    return import(/* @vite-ignore */ module);
  });
}

const BUNDLE = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), "../../../app/static/tracker.js"),
  "utf8",
);

/** Run the committed build, app/static/tracker.js, as a script tag would. */
export const runBundle = (attributes = {}) => asScript(attributes, () => new Function(BUNDLE)());

/** The POSTs to one endpoint, as parsed bodies. */
export const posts = (path) =>
  sent.filter((r) => r.path == path && r.method == "POST").map((r) => r.body);

/** The hits of one kind. */
export const hits = (kind) => posts("/track/hit").filter((body) => body.e == kind);

afterEach(() => {
  for (const [target, type, listener] of added.splice(0))
    target.removeEventListener(type, listener);
  delete history.pushState;
  delete history.replaceState;
  for (const name of ["doNotTrack", "globalPrivacyControl", "sendBeacon"]) delete navigator[name];
  for (const name of ["doNotTrack", "analytics"]) delete window[name];
  for (const name of ["currentScript", "hidden", "referrer"]) delete document[name];
  sessionStorage.clear();
  sent.length = 0;
  Object.assign(network, { ping: "1", status: 204, headers: {}, beacon: true });
  goTo("/");
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  vi.useRealTimers();
});
