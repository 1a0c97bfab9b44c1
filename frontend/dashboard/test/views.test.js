// @vitest-environment jsdom
import { describe, expect, it, vi } from "vitest";
import { inbox } from "../src/views/inbox.js";

const PAYLOAD = `<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>`;

/** A ctx whose API answers from `routes` ("GET /path" -> body or function of the body) and
 * records every call. */
function fakeCtx(routes, params = {}) {
  const calls = [];
  const answer = (method) => async (path, body) => {
    calls.push(`${method} ${path}`);
    const found = routes[`${method} ${path}`];
    if (found === undefined) throw new Error(`unexpected ${method} ${path}`);
    return typeof found === "function" ? found(body) : found;
  };
  const api = { get: answer("GET"), post: answer("POST"), patch: answer("PATCH"), delete: answer("DELETE") };
  return { api, calls, route: { path: [], params }, now: () => new Date("2026-11-24T12:00:00Z"), refresh: vi.fn(), showError: vi.fn() };
}

const tick = () => new Promise((resolve) => setTimeout(resolve));

describe("the inbox", () => {
  it("takes tab counts and trends from the list, without a request per group", async () => {
    const group = (id) => ({
      id,
      project: 1,
      title: `${PAYLOAD} ${id}`,
      culprit: "cart.js",
      count: 3,
      per_1k: 2.5,
      trend: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2],
      first_seen: "2026-11-20T00:00:00Z",
      last_seen: "2026-11-24T11:00:00Z",
    });
    const ctx = fakeCtx({
      "GET /projects": { items: [{ id: 1, name: "shop" }], next_cursor: null },
      "GET /groups": { items: [group(1), group(2)], next_cursor: null, counts: { unresolved: 2, resolved: 1234, ignored: 0 } },
    });
    const view = await inbox(ctx);
    document.body.replaceChildren(view);
    await tick();
    expect(ctx.calls.filter((call) => call.startsWith("GET /groups"))).toEqual(["GET /groups"]);
    const tabs = [...view.querySelectorAll('[role="tab"]')];
    expect(tabs.map((tab) => tab.querySelector(".count").textContent)).toEqual(["2", "1,234", "0"]);
    expect(tabs.map((tab) => tab.tabIndex)).toEqual([0, -1, -1]);
    expect(view.querySelectorAll(".trend-col svg")).toHaveLength(2);
    expect(view.querySelector("td.num .muted").textContent).toBe("2.5 / 1k");
    expect(view.querySelector("img, script")).toBeNull();
  });
});
