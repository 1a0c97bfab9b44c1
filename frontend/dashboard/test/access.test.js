// @vitest-environment jsdom
import { describe, expect, it, vi } from "vitest";
import { accessCards, tokensCard, usersCard } from "../src/views/access.js";
import { fakeCtx, tick } from "./context.js";

const PAYLOAD = `<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>`;
const ADMIN_ME = { kind: "user", id: 1, is_admin: true, scopes: ["read", "triage", "admin"] };
const MEMBER_ME = { kind: "user", id: 2, is_admin: false, scopes: ["read", "triage"] };
const PROJECTS = [
  { id: 1, name: "shop" },
  { id: 2, name: "blog" },
];
const page = (items) => ({ items, next_cursor: null });
const submit = (form) => form.dispatchEvent(new Event("submit", { cancelable: true }));

function token(fields = {}) {
  return {
    id: 7,
    name: "deploys",
    prefix: "flt_abcd",
    owner: { id: 1, email: "ada@example.org" },
    scopes: ["read", "triage"],
    project_ids: null,
    created_at: "2026-11-24T00:00:00Z",
    expires_at: null,
    last_used_at: null,
    expired: false,
    ...fields,
  };
}

describe("users", () => {
  it("lists users as text with their roles and offers no delete button for your own account", () => {
    const users = [
      { id: 1, email: "ada@example.org", role: "admin", created_at: "2026-11-01T00:00:00Z", last_login_at: null },
      { id: 2, email: PAYLOAD, role: "viewer", created_at: "2026-11-02T00:00:00Z", last_login_at: null },
    ];
    const card = usersCard(fakeCtx({}), ADMIN_ME, users);
    const rows = [...card.querySelectorAll("tbody tr")];
    expect(rows[0].querySelector("button")).toBeNull();
    expect(rows[1].querySelector("button").getAttribute("aria-label")).toBe(`Delete ${PAYLOAD}`);
    expect(rows.map((row) => row.querySelector("select").value)).toEqual(["admin", "viewer"]);
    expect(rows[1].textContent).toContain(PAYLOAD);
    expect(card.querySelector("img, script")).toBeNull();
  });

  it("adds a user with the form's values and role", async () => {
    const added = vi.fn(() => ({}));
    const ctx = fakeCtx({ "POST /users": added });
    const card = usersCard(ctx, { kind: "token", is_admin: true, scopes: ["read", "triage", "admin"] }, []);
    card.querySelector('input[type="email"]').value = " linus@example.org ";
    card.querySelector('input[type="password"]').value = "correct horse";
    const role = card.querySelector('select[aria-label="New user\'s role"]');
    expect(role.value).toBe("member");
    role.value = "viewer";
    submit(card.querySelector("form"));
    await tick();
    expect(added).toHaveBeenCalledWith({ email: "linus@example.org", password: "correct horse", role: "viewer" });
    expect(ctx.refresh).toHaveBeenCalled();
  });

  it("changes a role from its row, and asks before you step down yourself", async () => {
    const changed = vi.fn(() => ({}));
    const ctx = fakeCtx({ "PATCH /users/2": changed, "PATCH /users/1": changed });
    const users = [
      { id: 1, email: "ada@example.org", role: "admin", created_at: "2026-11-01T00:00:00Z", last_login_at: null },
      { id: 2, email: "grace@example.org", role: "member", created_at: "2026-11-02T00:00:00Z", last_login_at: null },
    ];
    const card = usersCard(ctx, ADMIN_ME, users);
    const [own, other] = [...card.querySelectorAll("tbody select")];
    other.value = "admin";
    other.dispatchEvent(new Event("change"));
    await tick();
    expect(changed).toHaveBeenCalledWith({ role: "admin" });
    vi.stubGlobal("confirm", () => false);
    own.value = "viewer";
    own.dispatchEvent(new Event("change"));
    await tick();
    vi.unstubAllGlobals();
    expect(changed).toHaveBeenCalledTimes(1);
  });
});

describe("API tokens", () => {
  it("shows a new token once, with a copy button, and lists it by its prefix", async () => {
    const secret = "flt_secretsecretsecret";
    const made = token({ name: PAYLOAD, prefix: secret.slice(0, 8) });
    const ctx = fakeCtx({
      "POST /tokens": (body) => ({ ...made, name: body.name, token: secret }),
      "GET /tokens": page([made]),
    });
    const card = tokensCard(ctx, ADMIN_ME, [], PROJECTS);
    document.body.replaceChildren(card);
    expect(card.textContent).toContain("No API tokens yet.");
    card.querySelector("input").value = PAYLOAD;
    submit(card.querySelector("form"));
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

  it("lists owner, scopes, projects, expiry and last use", () => {
    const tokens = [
      token(),
      token({ id: 8, name: "old", owner: null, scopes: ["read"], project_ids: [2, 9], expires_at: "2026-11-20T00:00:00Z", expired: true, last_used_at: "2026-11-19T10:00:00Z" }),
    ];
    const card = tokensCard(fakeCtx({}), ADMIN_ME, tokens, PROJECTS);
    const headings = [...card.querySelectorAll("th")].map((th) => th.textContent);
    expect(headings).toEqual(["Name", "Token", "Owner", "Scopes", "Projects", "Expires", "Last used", ""]);
    const [fresh, old] = [...card.querySelectorAll("tbody tr")].map((row) => [...row.querySelectorAll("td")].map((td) => td.textContent));
    expect(fresh.slice(2, 7)).toEqual(["ada@example.org", "read, triage", "All", "never", "never"]);
    expect(old[2]).toBe("operator (command line)");
    expect(old[4]).toBe("blog, #9");
    expect(old[5]).toMatch(/^expired /);
    expect(old[6]).not.toBe("never");
  });

  it("offers only the scopes the caller holds and sends the chosen projects and expiry", async () => {
    const posted = vi.fn(() => ({ ...token(), token: "flt_x" }));
    const ctx = fakeCtx({ "POST /tokens": posted, "GET /tokens": page([]) });
    const card = tokensCard(ctx, MEMBER_ME, [], PROJECTS);
    const boxes = [...card.querySelectorAll('input[type="checkbox"]')];
    expect(boxes.map((box) => box.value)).toEqual(["read", "triage"]);
    expect([...card.querySelectorAll("th")].map((th) => th.textContent)).not.toContain("Owner");
    card.querySelector('input[type="text"]').value = "ci";
    boxes[1].checked = false;
    card.querySelector("select[multiple]").options[1].selected = true;
    card.querySelector('select[aria-label="Expiry"]').value = "30";
    submit(card.querySelector("form"));
    await tick();
    expect(posted).toHaveBeenCalledWith({ name: "ci", scopes: ["read"], project_ids: [2], expires_in_days: 30 });
  });

  it("gives members their own tokens card and no users card", async () => {
    const ctx = fakeCtx({ "GET /tokens": page([token()]), "GET /projects": page(PROJECTS) });
    const cards = (await accessCards(ctx, MEMBER_ME)).filter(Boolean);
    expect(cards.map((card) => card.querySelector("h2").textContent)).toEqual(["Your API tokens"]);
    expect(ctx.calls.map((call) => call.url)).not.toContain("/users");
  });

  it("tells a token without the admin scope that it manages nothing here", async () => {
    const ctx = fakeCtx({});
    const card = await accessCards(ctx, { kind: "token", is_admin: false, scopes: ["read"] });
    expect(card.textContent).toContain("Only a token with the admin scope manages tokens.");
    expect(ctx.calls).toEqual([]);
  });
});
