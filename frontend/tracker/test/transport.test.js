// The transport: JSON as text/plain, sendBeacon preferred for unloads, fetch with keepalive as
// the fallback, failures swallowed, pings through the HTTP cache (seed 7.2 "transport").

import { expect, test, vi } from "vitest";
import { API, installNetwork, load, network, sent, settle } from "./helpers.js";

test("a POST is a fetch with a JSON string body (text/plain, no preflight) and keepalive", async () => {
  const { fetch } = installNetwork();
  const { post } = await load({}, "../src/transport.js");
  post("/track/hit", { b: "x", u: "https://shop.example.com/" });
  expect(fetch).toHaveBeenCalledWith(`${API}/track/hit`, {
    method: "POST",
    body: '{"b":"x","u":"https://shop.example.com/"}',
    keepalive: true,
  });
});

test("with beacon, sendBeacon is preferred, and fetch only follows when it refuses", async () => {
  const { fetch, sendBeacon } = installNetwork();
  const { post } = await load({}, "../src/transport.js");
  post("/track/hit", { e: "unload" }, true);
  expect(sendBeacon).toHaveBeenCalledWith(`${API}/track/hit`, '{"e":"unload"}');
  expect(fetch).not.toHaveBeenCalled();
  network.beacon = false;
  post("/track/hit", { e: "unload" }, true);
  expect(sent.map((r) => r.via)).toEqual(["beacon", "beacon", "fetch"]);
});

test("a failing fetch is swallowed, once, without a retry", async () => {
  const { fetch } = installNetwork();
  fetch.mockImplementation(() => Promise.reject(new TypeError("Failed to fetch")));
  const { post } = await load({}, "../src/transport.js");
  expect(() => post("/track/exception", { m: "x" })).not.toThrow();
  await settle();
  expect(fetch).toHaveBeenCalledTimes(1);
});

test("a GET goes through the HTTP cache and resolves to the body", async () => {
  const { fetch } = installNetwork();
  const { request } = await load({}, "../src/transport.js");
  await expect(request("/track/ping?h=shop.example.com")).resolves.toBe("1");
  // No cache option: the browser revalidates with If-Modified-Since, which is the point.
  expect(fetch).toHaveBeenCalledWith(`${API}/track/ping?h=shop.example.com`, undefined);
});

test("while backing off after a 429, a GET rejects without a request", async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  const { fetch } = installNetwork();
  fetch.mockResolvedValueOnce({
    status: 429,
    headers: new Headers({ "Retry-After": "5" }),
    text: async () => "",
  });
  const { request } = await load({}, "../src/transport.js");
  await request("/track/ping?h=a");
  await expect(request("/track/ping?h=a")).rejects.toBeUndefined();
  expect(fetch).toHaveBeenCalledTimes(1);
  vi.advanceTimersByTime(5001);
  await expect(request("/track/ping?h=a")).resolves.toBe("1");
});
