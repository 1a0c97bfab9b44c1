// @vitest-environment jsdom
// The audit log page: what an administrator reads in each column, filters kept in the URL,
// "Load more" appending older entries, untrusted text kept as text, and a note for others.
import { describe, expect, it } from "vitest";
import { fakeCtx, tick } from "./context.js";
import { ACTION_FAMILIES, PAGE_SIZE, actorName, auditLog, detailSummary, targetName } from "../src/views/audit.js";

const PAYLOAD = `<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>`;
const ADMIN = { kind: "user", id: 1, email: "ada@example.org", role: "admin", is_admin: true, scopes: ["read", "triage", "admin"] };
const USERS = { items: [{ id: 1, email: "ada@example.org" }, { id: 2, email: "bob@example.org" }], next_cursor: null };

function entry(id, action, actor, changes = {}) {
  return {
    id,
    at: "2026-11-24T10:15:00Z",
    action,
    actor,
    via: actor.kind === "token" ? "token:4" : actor.kind === "user" ? "session:0123456789ab" : null,
    target: { type: "group", id: String(id) },
    detail: {},
    ...changes,
  };
}

const ADA = { kind: "user", user_id: 1, label: "user:ada@example.org" };
const TOKEN = { kind: "token", user_id: 1, label: "token:deploys" };

const rows = (view) => [...view.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map((td) => td.textContent));

describe("the audit log", () => {
  it("shows when, who, what, target, via and a detail summary for each entry", async () => {
    const page = {
      items: [
        entry(12, "group.merge", ADA, { detail: { merged: [13, 14] } }),
        entry(11, "project.rotate_key", TOKEN, { target: { type: "project", id: "3" } }),
        entry(10, "signin.failure", { kind: "anonymous", user_id: null, label: "unknown account" }, { target: { type: "user", id: null }, detail: { method: "password" } }),
      ],
      next_cursor: null,
    };
    const ctx = fakeCtx({ "GET /me": ADMIN, "GET /users": USERS, "GET /audit": page });
    const view = document.createElement("div");
    view.append(...[await auditLog(ctx)].flat());
    expect(view.querySelector("h1").textContent).toBe("Audit log");
    expect([...view.querySelectorAll("th")].map((th) => th.textContent)).toEqual(["When", "Who", "Action", "Target", "Via", "Detail"]);
    expect(rows(view).map((cells) => cells.slice(1))).toEqual([
      ["ada@example.org", "group.merge", "group 12", "session:0123456789ab", "merged: 13, 14"],
      ["token deploys", "project.rotate_key", "project 3", "token:4", ""],
      ["unknown account", "signin.failure", "user", "–", "method: password"],
    ]);
    expect(rows(view)[0][0]).toMatch(/^2026-11-24 \d\d:15$/);
    expect(view.querySelector(".pager")).toBeNull();
    const audit = ctx.calls.find((call) => call.url === "/audit");
    expect(audit.args).toEqual({ action: undefined, actor: undefined, limit: PAGE_SIZE });
  });

  it("filters by action family and by who, through the URL", async () => {
    const ctx = fakeCtx({ "GET /me": ADMIN, "GET /users": USERS, "GET /audit": { items: [], next_cursor: null } }, { action: "group.", actor: "2" });
    const view = document.createElement("div");
    view.append(...[await auditLog(ctx)].flat());
    expect(ctx.calls.find((call) => call.url === "/audit").args).toEqual({ action: "group.", actor: "2", limit: PAGE_SIZE });
    expect(view.textContent).toContain("Nothing recorded matches these filters.");
    const [action, who] = view.querySelectorAll("select");
    expect(action.value).toBe("group.");
    expect([...action.options].map((option) => option.value)).toEqual(ACTION_FAMILIES.map(([value]) => value));
    expect(who.value).toBe("2");
    expect([...who.options].map((option) => option.textContent)).toEqual(["Anyone", "ada@example.org", "bob@example.org"]);
    action.value = "signin.";
    action.dispatchEvent(new Event("change"));
    expect(ctx.go).toHaveBeenLastCalledWith({ action: "signin.", actor: "2" });
    who.value = "";
    who.dispatchEvent(new Event("change"));
    expect(ctx.go).toHaveBeenLastCalledWith({ action: "group." });
  });

  it("loads older entries in place, keeping the filters", async () => {
    const pages = {
      undefined: { items: [entry(3, "group.resolve", ADA), entry(2, "group.ignore", ADA)], next_cursor: "c2" },
      c2: { items: [entry(1, "group.reopen", ADA)], next_cursor: null },
    };
    const ctx = fakeCtx({ "GET /me": ADMIN, "GET /users": USERS, "GET /audit": (args) => pages[args.cursor] }, { action: "group." });
    const view = document.createElement("div");
    view.append(...[await auditLog(ctx)].flat());
    expect(rows(view).map((cells) => cells[2])).toEqual(["group.resolve", "group.ignore"]);
    view.querySelector(".pager button").click();
    await tick();
    expect(rows(view).map((cells) => cells[2])).toEqual(["group.resolve", "group.ignore", "group.reopen"]);
    expect(ctx.calls.at(-1).args).toEqual({ action: "group.", actor: undefined, limit: PAGE_SIZE, cursor: "c2" });
    expect(view.querySelector(".pager button")).toBeNull();
  });

  it("says so when an older page fails, and keeps what it shows", async () => {
    const failure = new Error("Faultline cannot be reached.");
    const ctx = fakeCtx({
      "GET /me": ADMIN,
      "GET /users": USERS,
      "GET /audit": (args) => {
        if (args.cursor) throw failure;
        return { items: [entry(3, "group.resolve", ADA)], next_cursor: "c2" };
      },
    });
    const view = document.createElement("div");
    view.append(...[await auditLog(ctx)].flat());
    view.querySelector(".pager button").click();
    await tick();
    expect(ctx.showError).toHaveBeenCalledWith(failure);
    expect(rows(view)).toHaveLength(1);
  });

  it("keeps labels and details as text", async () => {
    const hostile = entry(5, "user.create", { kind: "user", user_id: 9, label: `user:${PAYLOAD}` }, { detail: { email: PAYLOAD } });
    const ctx = fakeCtx({ "GET /me": ADMIN, "GET /users": USERS, "GET /audit": { items: [hostile], next_cursor: null } });
    const view = document.createElement("div");
    view.append(...[await auditLog(ctx)].flat());
    expect(view.querySelector("img, script")).toBeNull();
    expect(rows(view)[0][1]).toBe(PAYLOAD);
    expect(rows(view)[0][5]).toBe(`email: ${PAYLOAD}`);
  });

  it("tells members and viewers it is for administrators, without asking for the log", async () => {
    const ctx = fakeCtx({ "GET /me": { ...ADMIN, role: "member", is_admin: false } });
    const view = document.createElement("div");
    view.append(...[await auditLog(ctx)].flat());
    expect(view.textContent).toContain("Only administrators read the audit log.");
    expect(ctx.calls.map((call) => call.url)).toEqual(["/me"]);
  });
});

describe("audit entry pieces", () => {
  it.each([
    [{ kind: "user", label: "user:ada@example.org" }, "ada@example.org"],
    [{ kind: "token", label: "token:deploys" }, "token deploys"],
    [{ kind: "cli", label: "cli" }, "command line"],
    [{ kind: "anonymous", label: "unknown account" }, "unknown account"],
  ])("names %o as %s", (actor, name) => {
    expect(actorName(actor)).toBe(name);
  });

  it.each([
    [{ type: "pixel", id: "px_1" }, "pixel px_1"],
    [{ type: "user", id: null }, "user"],
    [null, ""],
  ])("shows the target %o as %s", (target, text) => {
    expect(targetName(target)).toBe(text);
  });

  it.each([
    [{}, ""],
    [{ status: "ignored", until: { events: 10 } }, 'status: ignored; until: {"events":10}'],
    [{ changed: ["event_name", "name"] }, "changed: event_name, name"],
    [{ note: "x".repeat(300) }, `note: ${"x".repeat(133)}…`],
  ])("sums up the detail %o", (detail, text) => {
    expect(detailSummary(detail)).toBe(text);
  });
});
