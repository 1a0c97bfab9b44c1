// @vitest-environment jsdom
// A project's Alerts page: its rules (condition, filters, channels, cool-down, muted), muting,
// adding, editing and deleting one; its channels with "Send test" and the outcome, a new
// webhook's secret shown once; its recent deliveries; and "Alerts fired" on a group page.
import { afterEach, describe, expect, it, vi } from "vitest";
import { alertsFiredCard, alertsPage } from "../src/views/alerts.js";
import { projectSettings } from "../src/views/project.js";
import { filtersText, formatMinutes, ruleCondition } from "../src/views/rules.js";
import { fakeCtx, tick } from "./context.js";

const PAYLOAD = `<img src=x onerror="window.pwned=1">`;
const PROJECT = { id: 3, name: "shop.example.com", dsn: "http://k@faultline.example/3" };
const HOOK = { id: 7, project: 3, name: "Ops on Slack", kind: "webhook", target: "https://hooks.slack.com/services/T/B/x", format: "slack", timeout_seconds: 10 };
const MAIL = { id: 8, project: 3, name: "On call", kind: "email", target: ["ops@example.org", "dev@example.org"], format: "email", timeout_seconds: 30 };
const NEW_GROUP = { id: 1, name: "New errors", kind: "new_group", threshold: null, window_minutes: null, page: null, filters: {}, channel_ids: [7, 8], cooldown_minutes: 60, muted: false };
const SPIKE = { id: 2, name: PAYLOAD, kind: "view_rate", threshold: 2.5, window_minutes: 30, page: "/checkout", filters: { environment: "production", handled: false }, channel_ids: [7], cooldown_minutes: 0, muted: true };
const DELIVERIES = {
  items: [
    { id: 12, rule: { id: 2, name: "Checkout", kind: "view_rate" }, channel: { id: 7, name: "Ops on Slack", kind: "webhook", format: "slack" }, group: null, state: "pending", attempts: [], created_at: "2026-11-24T11:58:00Z", sent_at: null, digest_key: null, fired_at: "2026-11-24T11:58:00Z", reason: {} },
    {
      id: 11,
      rule: { id: 1, name: "New errors", kind: "new_group" },
      channel: { id: 7, name: "Ops on Slack", kind: "webhook", format: "slack" },
      group: { id: 40, title: PAYLOAD },
      state: "sent",
      attempts: [
        { at: "2026-11-24T10:00:00Z", ok: false, detail: "HTTP 500" },
        { at: "2026-11-24T10:01:00Z", ok: true, detail: "HTTP 200" },
      ],
      created_at: "2026-11-24T10:00:00Z",
      sent_at: "2026-11-24T10:01:00Z",
      digest_key: "d1",
      fired_at: "2026-11-24T10:00:00Z",
      reason: {},
    },
    { id: 10, rule: { id: 1, name: "New errors", kind: "new_group" }, channel: { id: 8, name: "On call", kind: "email", format: "email" }, group: { id: 40, title: "TypeError" }, state: "given_up", attempts: [{ at: "2026-11-24T08:00:00Z", ok: false, detail: "connection refused" }], created_at: "2026-11-24T08:00:00Z", sent_at: null, digest_key: null, fired_at: "2026-11-24T08:00:00Z", reason: {} },
  ],
  next_cursor: "abc",
};

function routes(scopes, extra = {}) {
  return {
    "GET /projects/3": PROJECT,
    "GET /me": { kind: "user", email: "a@example.org", is_admin: scopes.includes("admin"), scopes },
    "GET /projects/3/alert-rules": { items: [NEW_GROUP, SPIKE] },
    "GET /projects/3/alert-channels": { items: [HOOK, MAIL] },
    "GET /projects/3/alert-deliveries": DELIVERIES,
    ...extra,
  };
}

const ADMIN = ["read", "triage", "admin"];
const MEMBER = ["read", "triage"];
const cells = (row) => [...row.children].map((td) => td.textContent);

async function open(scopes, extra, params = {}) {
  const ctx = fakeCtx(routes(scopes, extra), params, ["projects", "3", "settings"]);
  const page = await alertsPage(ctx, 3);
  document.body.replaceChildren(page);
  return { ctx, page };
}

afterEach(() => vi.restoreAllMocks());

describe("rules in words", () => {
  it("says when each kind fires, with its filters and windows", () => {
    expect([45, 60, 120, 1440, 90].map(formatMinutes)).toEqual(["45 min", "1 h", "2 h", "1 d", "90 min"]);
    expect(ruleCondition(NEW_GROUP)).toBe("A new group appears");
    expect(ruleCondition({ kind: "regression" })).toBe("A resolved group is seen again");
    expect(ruleCondition({ kind: "ignore_ended" })).toBe("An ignored group's ignore ends");
    expect(ruleCondition({ kind: "event_rate", threshold: 1000, window_minutes: 5 })).toBe("More than 1,000 events of a group in 5 min");
    expect(ruleCondition(SPIKE)).toBe("More than 2.5 errors per 1,000 page views of /checkout in 30 min");
    expect(ruleCondition({ ...SPIKE, page: null, window_minutes: 60 })).toBe("More than 2.5 errors per 1,000 page views of the project in 1 h");
    expect(filtersText({ environment: "production", release: "1.4", handled: true, level: "error" })).toBe("environment production · release 1.4 · handled · level error");
    expect(filtersText({})).toBe("");
  });
});

describe("the Alerts page", () => {
  it("lists rules, channels and deliveries as text, never markup", async () => {
    const { page } = await open(ADMIN);
    expect(page.querySelector("h1").textContent).toBe("shop.example.com: alerts");
    expect(page.querySelector("nav.tabs .active").textContent).toBe("Alerts");
    const facts = (item) => [...item.querySelectorAll(".kv dt")].map((dt) => `${dt.textContent}: ${dt.nextElementSibling.textContent}`);
    const rules = [...page.querySelectorAll(".alert-rule")].map((item) => [
      [...item.querySelectorAll(".bundle-head > *")].map((part) => part.textContent),
      item.querySelector(".condition").textContent,
      ...facts(item),
    ]);
    expect(rules).toEqual([
      [["New errors", "New group"], "A new group appears", "Sends to: Ops on Slack, On call", "Cool-down: at most one alert per group every 1 h"],
      [[PAYLOAD, "Errors per 1,000 views", "muted"], "More than 2.5 errors per 1,000 page views of /checkout in 30 min, only events with environment production · unhandled", "Sends to: Ops on Slack", "Cool-down: none: every time"],
    ]);
    expect(page.querySelector('[data-rule="2"] input[type=checkbox]').checked).toBe(true);
    const channels = [...page.querySelectorAll(".alert-channel")].map((item) => [
      [...item.querySelectorAll(".bundle-head > *")].map((part) => part.textContent),
      ...facts(item),
    ]);
    expect(channels).toEqual([
      [["Ops on Slack", "Webhook · Slack"], `Sends to: ${HOOK.target}`, "Timeout: 10 s"],
      [["On call", "Email"], "Sends to: ops@example.org, dev@example.org", "Timeout: 30 s"],
    ]);
    const deliveries = [...page.querySelectorAll(".deliveries-table tbody tr")].map(cells);
    expect(deliveries).toEqual([
      ["2 min ago", "Checkout", "the project", "Ops on Slack", "pending", "0", "not tried yet"],
      ["2 h ago", "New errors", PAYLOAD, "Ops on Slack", "sent", "2", "✓ HTTP 200 · 2 h ago"],
      ["4 h ago", "New errors", "TypeError", "On call", "given up", "1", "✗ connection refused · 4 h ago"],
    ]);
    expect(page.querySelector('[data-delivery="11"] a').getAttribute("href")).toBe("#/issues/40");
    expect(page.querySelector(".deliveries .pager a").textContent).toBe("Older deliveries");
    expect(page.querySelector(".deliveries .pager a").getAttribute("href")).toBe("#/projects/3/settings?deliveries=abc");
    expect(page.querySelector("img, script")).toBeNull();
    expect([...page.querySelectorAll(".card > h3")].map((h3) => h3.textContent)).toEqual(["Add a rule", "Add a channel"]);
  });

  it("lets members manage rules but not channels, and viewers only look", async () => {
    const member = (await open(MEMBER)).page;
    expect(member.querySelector(".rule-form")).not.toBeNull();
    expect(member.querySelector(".channel-form, .channels button")).toBeNull();
    expect(member.querySelector('[data-rule="1"] input[type=checkbox]').disabled).toBe(false);
    expect(member.querySelector(".channels").textContent).toContain("Only administrators manage channels");
    const viewer = (await open(["read"])).page;
    expect(viewer.querySelector("form, .rules button, .channels button")).toBeNull();
    expect(viewer.querySelector('[data-rule="1"] input').disabled).toBe(true);
    expect(viewer.querySelector(".rules").textContent).toContain("Members and administrators manage alert rules.");
  });

  it("says when there is nothing yet, and survives the deliveries failing", async () => {
    const empty = { "GET /projects/3/alert-rules": { items: [] }, "GET /projects/3/alert-channels": { items: [] }, "GET /projects/3/alert-deliveries": new Error("status 500") };
    const { page } = await open(ADMIN, empty);
    expect(page.querySelector(".rules p.muted").textContent).toBe("No alert rules yet: nobody is told when something breaks.");
    expect(page.querySelector(".channels p.muted").textContent).toBe("No channels yet: a rule needs one to tell anybody.");
    expect(page.querySelector(".rule-form").textContent).toContain("no channel yet");
    expect(page.querySelector(".deliveries [role=alert]").textContent).toBe("status 500");
  });

  it("mutes and unmutes a rule with its checkbox", async () => {
    const patch = vi.fn(() => ({}));
    const { ctx, page } = await open(MEMBER, { "PATCH /alert-rules/1": patch, "PATCH /alert-rules/2": patch });
    const box = page.querySelector('[data-rule="1"] input[type=checkbox]');
    expect(box.getAttribute("aria-label")).toBe("Mute New errors");
    box.click();
    page.querySelector('[data-rule="2"] input[type=checkbox]').click();
    await tick();
    expect(patch.mock.calls.map(([body]) => body)).toEqual([{ muted: true }, { muted: false }]);
    expect(ctx.refresh).toHaveBeenCalledTimes(2);
  });

  it("adds a rate rule with filters and channels", async () => {
    const post = vi.fn(() => ({ id: 3 }));
    const { ctx, page } = await open(MEMBER, { "POST /projects/3/alert-rules": post });
    const form = page.querySelector(".rule-form");
    const set = (label, value) => {
      const input = form.querySelector(`[aria-label="${label}"]`);
      input.value = value;
      input.dispatchEvent(new Event("change"));
    };
    expect([form.querySelector(".rate-fields").hidden, form.querySelector(".page-field").hidden]).toEqual([true, true]);
    set("Rule name", "  Checkout breaks ");
    set("Kind", "view_rate");
    expect([form.querySelector(".rate-fields").hidden, form.querySelector(".page-field").hidden]).toEqual([false, false]);
    expect(form.querySelector(".rate-fields").textContent).toContain("More than (errors per 1,000 views)");
    set("Threshold", "2.5");
    set("Window in minutes", "30");
    set("Page", "/checkout");
    set("Environment", "production");
    set("Handled", "unhandled");
    set("Level", "error");
    set("Cool-down in minutes", "15");
    form.querySelectorAll("input[type=checkbox]")[0].click();
    form.querySelector("button[type=submit]").click();
    await tick();
    expect(post.mock.calls[0][0]).toEqual({
      name: "Checkout breaks",
      kind: "view_rate",
      threshold: 2.5,
      window_minutes: 30,
      page: "/checkout",
      filters: { environment: "production", level: "error", handled: false },
      channel_ids: [7],
      cooldown_minutes: 15,
    });
    expect(ctx.refresh).toHaveBeenCalledTimes(1);
  });

  it("edits a rule in place, and cancels", async () => {
    const patch = vi.fn(() => ({}));
    const { ctx, page } = await open(MEMBER, { "PATCH /alert-rules/2": patch });
    page.querySelector('[aria-label="Edit <img src=x onerror=\\"window.pwned=1\\">"]').click();
    const editor = page.querySelector('[data-rule="2"] .rule-editor');
    const form = editor.querySelector("form");
    expect(form.querySelector('[aria-label="Rule name"]').value).toBe(PAYLOAD);
    expect(form.querySelector('[aria-label="Kind"]').value).toBe("view_rate");
    expect(form.querySelector('[aria-label="Threshold"]').value).toBe("2.5");
    expect(form.querySelector('[aria-label="Handled"]').value).toBe("unhandled");
    expect([...form.querySelectorAll("input[type=checkbox]")].map((box) => box.checked)).toEqual([true, false]);
    const kind = form.querySelector('[aria-label="Kind"]');
    kind.value = "regression";
    kind.dispatchEvent(new Event("change"));
    form.querySelector("button[type=submit]").click();
    await tick();
    expect(patch.mock.calls[0][0]).toEqual({ name: PAYLOAD, kind: "regression", filters: { environment: "production", handled: false }, channel_ids: [7], cooldown_minutes: 0 });
    expect(editor.children).toHaveLength(0);
    expect(ctx.refresh).toHaveBeenCalledTimes(1);
    // One form at a time, under its rule; Cancel closes it.
    page.querySelector('[aria-label="Edit New errors"]').click();
    const other = page.querySelector('[data-rule="1"] .rule-editor');
    expect(other.querySelector("h3").textContent).toBe("Edit “New errors”");
    page.querySelector('[aria-label="Edit <img src=x onerror=\\"window.pwned=1\\">"]').click();
    expect(other.children).toHaveLength(0);
    editor.querySelector("button.secondary").click();
    expect(page.querySelectorAll(".rule-editor form")).toHaveLength(0);
  });

  it("deletes a rule only after a confirm", async () => {
    const remove = vi.fn(() => null);
    const { ctx, page } = await open(MEMBER, { "DELETE /alert-rules/1": remove });
    const ask = vi.spyOn(window, "confirm").mockReturnValueOnce(false).mockReturnValueOnce(true);
    const button = page.querySelector('[aria-label="Delete New errors"]');
    button.click();
    expect(remove).not.toHaveBeenCalled();
    button.click();
    await tick();
    expect(ask.mock.calls[0][0]).toMatch(/^Delete the alert rule “New errors”\?/);
    expect(remove).toHaveBeenCalledTimes(1);
    expect(ctx.refresh).toHaveBeenCalledTimes(1);
  });

  it("sends a test and shows what the receiver answered", async () => {
    const answers = [{ ok: true, detail: "HTTP 200" }, { ok: false, detail: "HTTP 500" }];
    const { page } = await open(ADMIN, { "POST /alert-channels/7/test": () => answers.shift(), "POST /alert-channels/8/test": new Error("Channel not found.") });
    const button = page.querySelector('[aria-label="Send a test to Ops on Slack"]');
    const outcome = page.querySelector('[data-channel="7"] .test-outcome');
    button.click();
    expect(button.disabled).toBe(true);
    await tick();
    expect(outcome.textContent).toBe("Delivered: HTTP 200");
    expect(outcome.querySelector(".notice").className).toBe("notice ok");
    expect(button.disabled).toBe(false);
    button.click();
    await tick();
    expect(outcome.textContent).toBe("Not delivered: HTTP 500");
    expect(outcome.querySelector(".notice").className).toBe("notice error");
    page.querySelector('[aria-label="Send a test to On call"]').click();
    await tick();
    expect(page.querySelector('[data-channel="8"] .test-outcome').textContent).toBe("Channel not found.");
  });

  it("shows a new webhook's secret once and lists it at once", async () => {
    const created = { ...HOOK, id: 9, name: "Discord", format: "discord", target: "https://discord.example/api/webhooks/1", secret: "s3cr3t-s3cr3t-s3cr3t" };
    const post = vi.fn(() => created);
    const lists = [{ items: [HOOK, MAIL] }, { items: [HOOK, MAIL, { ...created, secret: undefined }] }];
    const { ctx, page } = await open(ADMIN, { "POST /projects/3/alert-channels": post, "GET /projects/3/alert-channels": () => lists.shift() });
    const form = page.querySelector(".channel-form");
    form.querySelector('[aria-label="Channel name"]').value = "Discord";
    form.querySelector('[aria-label="Sends to"]').value = " https://discord.example/api/webhooks/1 ";
    form.querySelector('[aria-label="Body format"]').value = "discord";
    form.querySelector("button[type=submit]").click();
    await tick();
    await tick();
    expect(post.mock.calls[0][0]).toEqual({ name: "Discord", kind: "webhook", timeout_seconds: 10, target: "https://discord.example/api/webhooks/1", format: "discord" });
    const reveal = page.querySelector(".token-reveal");
    expect(reveal.querySelector("code").textContent).toBe("s3cr3t-s3cr3t-s3cr3t");
    expect(reveal.textContent).toContain("it is not shown again");
    expect(page.querySelectorAll(".alert-channel")).toHaveLength(3);
    expect(form.querySelector('[aria-label="Channel name"]').value).toBe("");
    expect(ctx.refresh).not.toHaveBeenCalled();
    reveal.querySelector("button.secondary").click();
    expect(ctx.refresh).toHaveBeenCalledTimes(1);
  });

  it("adds an email channel from a list of addresses", async () => {
    const post = vi.fn(() => ({ ...MAIL, id: 10 }));
    const { ctx, page } = await open(ADMIN, { "POST /projects/3/alert-channels": post });
    const form = page.querySelector(".channel-form");
    const kind = form.querySelector('[aria-label="Channel kind"]');
    kind.value = "email";
    kind.dispatchEvent(new Event("change"));
    expect(form.querySelector('[aria-label="Body format"]').closest("span").hidden).toBe(true);
    form.querySelector('[aria-label="Channel name"]').value = "Team";
    form.querySelector('[aria-label="Sends to"]').value = "ops@example.org, dev@example.org;lead@example.org";
    form.querySelector('[aria-label="Timeout in seconds"]').value = "20";
    form.querySelector("button[type=submit]").click();
    await tick();
    expect(post.mock.calls[0][0]).toEqual({ name: "Team", kind: "email", timeout_seconds: 20, target: ["ops@example.org", "dev@example.org", "lead@example.org"] });
    expect(page.querySelector(".token-reveal").children).toHaveLength(0);
    expect(ctx.refresh).toHaveBeenCalledTimes(1);
  });

  it("is the Alerts section of the project's settings", async () => {
    const page = await projectSettings(fakeCtx(routes(ADMIN), { section: "alerts" }), 3);
    expect(page.querySelector("h1").textContent).toBe("shop.example.com: alerts");
    const sdk = await projectSettings(
      fakeCtx({ "GET /projects/3": PROJECT, "GET /projects/3/dropped": { since: "2026-10-26", items: [] }, "GET /projects/3/sourcemaps": { bundles: [] } }),
      3,
    );
    const links = [...sdk.querySelectorAll("nav.tabs a")].map((a) => [a.textContent, a.getAttribute("href"), a.getAttribute("aria-current")]);
    expect(links).toEqual([
      ["SDK setup", "#/projects/3/settings", "page"],
      ["Alerts", "#/projects/3/settings?section=alerts", null],
    ]);
  });
});

describe("alerts fired for a group", () => {
  it("lists each firing with its rule, time and delivery states", () => {
    const firings = {
      items: [
        { id: 5, rule: { id: 1, name: "New errors", kind: "new_group" }, fired_at: "2026-11-24T11:00:00Z", reason: {}, deliveries: [{ channel: { name: "Ops on Slack" }, state: "sent", attempts: [] }, { channel: { name: PAYLOAD }, state: "given_up", attempts: [] }] },
        { id: 4, rule: { id: 2, name: "Spike", kind: "event_rate" }, fired_at: "2026-11-20T12:00:00Z", reason: {}, deliveries: [] },
      ],
      next_cursor: null,
    };
    const card = alertsFiredCard(firings, 3, new Date("2026-11-24T12:00:00Z"));
    expect(card.querySelector("h2").textContent).toBe("Alerts fired");
    expect(card.querySelector(".card-head a").getAttribute("href")).toBe("#/projects/3/settings?section=alerts");
    expect([...card.querySelectorAll("li")].map((li) => li.textContent)).toEqual([
      `New errors (New group) 1 h ago: Ops on Slack sent, ${PAYLOAD} given up`,
      "Spike (Event rate) 4 d ago",
    ]);
    expect(card.querySelector("img")).toBeNull();
    expect(alertsFiredCard({ items: [], next_cursor: null }, 3, new Date())).toBeNull();
    expect(alertsFiredCard(new Error("404"), 3, new Date())).toBeNull();
  });
});
