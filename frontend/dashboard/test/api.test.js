import { describe, expect, it, vi } from "vitest";
import { ApiError, createApi, queryString } from "../src/api.js";

/** A fake fetch: answers from `routes` ("METHOD /path" -> [status, body]) and records calls. */
function fakeFetch(routes) {
  const calls = [];
  const fetch = vi.fn(async (url, init) => {
    calls.push({ url, ...init });
    const path = url.split("?")[0];
    const answer = routes[`${init.method} ${path}`];
    if (!answer) throw new TypeError("Failed to fetch");
    const [status, body] = typeof answer === "function" ? answer(calls.length) : answer;
    return new Response(body === undefined ? null : typeof body === "string" ? body : JSON.stringify(body), { status });
  });
  return { fetch, calls };
}

describe("queryString", () => {
  it("keeps empty strings and drops missing values", () => {
    expect(queryString({ a: 1, b: "", c: undefined, d: null, f: 'x == "y"' })).toBe("?a=1&b=&f=x+%3D%3D+%22y%22");
    expect(queryString({})).toBe("");
  });
});

describe("createApi", () => {
  it("reads with the session cookie and no CSRF token", async () => {
    const { fetch, calls } = fakeFetch({ "GET /api/v1/groups": [200, { items: [], next_cursor: null }] });
    const api = createApi({ fetch });
    expect(await api.get("/groups", { status: "resolved" })).toEqual({ items: [], next_cursor: null });
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe("/api/v1/groups?status=resolved");
    expect(calls[0].credentials).toBe("same-origin");
    expect(calls[0].headers["X-CSRF-Token"]).toBeUndefined();
  });

  it("fetches the CSRF token once and sends it on every write", async () => {
    const { fetch, calls } = fakeFetch({
      "GET /api/v1/csrf": [200, { token: "t0k" }],
      "PATCH /api/v1/groups": [200, { items: [] }],
      "POST /api/v1/groups/merge": [200, { id: 1 }],
      "DELETE /api/v1/projects/3": [204],
    });
    const api = createApi({ fetch });
    await Promise.all([api.patch("/groups", { ids: [1], status: "resolved" }), api.post("/groups/merge", { ids: [1, 2] })]);
    expect(await api.delete("/projects/3", { move_sources_to: 4 })).toBeNull();
    expect(calls.filter((call) => call.url === "/api/v1/csrf")).toHaveLength(1);
    const writes = calls.filter((call) => call.method !== "GET");
    expect(writes.map((call) => call.headers["X-CSRF-Token"])).toEqual(["t0k", "t0k", "t0k"]);
    expect(writes[0].headers["Content-Type"]).toBe("application/json");
    expect(JSON.parse(writes[0].body)).toEqual({ ids: [1], status: "resolved" });
    expect(writes[2].url).toBe("/api/v1/projects/3?move_sources_to=4");
    expect(writes.every((call) => call.credentials === "same-origin")).toBe(true);
  });

  it("asks for the token again after a failed attempt", async () => {
    const { fetch, calls } = fakeFetch({
      "GET /api/v1/csrf": (n) => (n === 1 ? [502, "Bad gateway"] : [200, { token: "later" }]),
      "POST /api/v1/projects": [201, { id: 9 }],
    });
    const api = createApi({ fetch });
    await expect(api.post("/projects", { name: "x" })).rejects.toMatchObject({ status: 502, code: "bad_response" });
    expect(await api.post("/projects", { name: "x" })).toEqual({ id: 9 });
    expect(calls.at(-1).headers["X-CSRF-Token"]).toBe("later");
  });

  it("turns the API's error body into a message to show", async () => {
    const { fetch } = fakeFetch({
      "GET /api/v1/groups/7": [404, { error: { code: "not_found", message: "Group not found." } }],
      "GET /api/v1/csrf": [200, { token: "t" }],
      "PATCH /api/v1/groups/7": [400, { error: { code: "invalid", message: "The request is not valid.", fields: { status: ["Must be one of: unresolved."] } } }],
    });
    const api = createApi({ fetch });
    const missing = await api.get("/groups/7").catch((error) => error);
    expect(missing).toBeInstanceOf(ApiError);
    expect(missing).toMatchObject({ status: 404, code: "not_found", message: "Group not found." });
    const invalid = await api.patch("/groups/7", { status: "x" }).catch((error) => error);
    expect(invalid.message).toBe("The request is not valid. (status: Must be one of: unresolved.)");
    expect(invalid.fields).toEqual({ status: ["Must be one of: unresolved."] });
  });

  it("explains answers that are not the API's and unreachable servers", async () => {
    const { fetch } = fakeFetch({ "GET /api/v1/stats": [502, "<html>proxy</html>"] });
    const api = createApi({ fetch });
    await expect(api.get("/stats")).rejects.toMatchObject({ status: 502, message: "Faultline answered with status 502. Please try again." });
    await expect(api.get("/nowhere")).rejects.toMatchObject({ status: 0, code: "network" });
  });

  it("calls onUnauthorized when the session has ended", async () => {
    const { fetch } = fakeFetch({ "GET /api/v1/me": [401, { error: { code: "unauthorized", message: "Sign in." } }] });
    const onUnauthorized = vi.fn();
    const api = createApi({ fetch, onUnauthorized });
    await expect(api.get("/me")).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });
});
