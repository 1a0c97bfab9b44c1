// @vitest-environment jsdom
import { describe, expect, it, vi } from "vitest";
import { tokensCard, usersCard } from "../src/views/access.js";
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

describe("users and tokens", () => {
  it("lists users as text and offers no delete button for your own account", () => {
    const ctx = fakeCtx({});
    const users = [
      { id: 1, email: "ada@example.org", is_admin: true, created_at: "2026-11-01T00:00:00Z", last_login_at: null },
      { id: 2, email: PAYLOAD, is_admin: false, created_at: "2026-11-02T00:00:00Z", last_login_at: null },
    ];
    const card = usersCard(ctx, { kind: "user", id: 1, is_admin: true }, users);
    const rows = [...card.querySelectorAll("tbody tr")];
    expect(rows[0].querySelector("button")).toBeNull();
    expect(rows[1].querySelector("button").getAttribute("aria-label")).toBe(`Delete ${PAYLOAD}`);
    expect(rows[1].textContent).toContain(PAYLOAD);
    expect(card.querySelector("img, script")).toBeNull();
  });

  it("adds a user with the form's values", async () => {
    const added = vi.fn(() => ({}));
    const ctx = fakeCtx({ "POST /users": added });
    const card = usersCard(ctx, { kind: "token", is_admin: true }, []);
    card.querySelector('input[type="email"]').value = " linus@example.org ";
    card.querySelector('input[type="password"]').value = "correct horse";
    card.querySelector('input[type="checkbox"]').checked = true;
    card.querySelector("form").dispatchEvent(new Event("submit", { cancelable: true }));
    await tick();
    expect(added).toHaveBeenCalledWith({ email: "linus@example.org", password: "correct horse", is_admin: true });
    expect(ctx.refresh).toHaveBeenCalled();
  });

  it("shows a new token once, with a copy button, and lists it by its prefix", async () => {
    const secret = "flt_secretsecretsecret";
    const token = { id: 7, name: PAYLOAD, prefix: secret.slice(0, 8), created_at: "2026-11-24T00:00:00Z" };
    const ctx = fakeCtx({
      "POST /tokens": (body) => ({ ...token, name: body.name, token: secret }),
      "GET /tokens": { items: [token], next_cursor: null },
    });
    const card = tokensCard(ctx, []);
    document.body.replaceChildren(card);
    expect(card.textContent).toContain("No API tokens yet.");
    card.querySelector("input").value = PAYLOAD;
    card.querySelector("form").dispatchEvent(new Event("submit", { cancelable: true }));
    await tick();
    const reveal = card.querySelector(".token-reveal");
    expect(reveal.querySelector("code").textContent).toBe(secret);
    expect([...reveal.querySelectorAll("button")].map((b) => b.textContent)).toEqual(["Copy", "Done"]);
    expect(card.querySelector("tbody").textContent).toContain("flt_secr…");
    expect(card.querySelector("tbody").textContent).not.toContain(secret);
    expect(card.querySelector("img, script")).toBeNull();
    expect(ctx.refresh).not.toHaveBeenCalled();
    reveal.querySelector("button.secondary").click();
    expect(reveal.textContent).toBe("");
  });
});
