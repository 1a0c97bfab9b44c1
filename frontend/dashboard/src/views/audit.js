// The audit log for administrators: who did what, when, and through which session or token.
// Filters live in the URL (action prefix, actor); "Load more" appends older entries in place.

import { h, replace } from "../dom.js";
import { formatDateTime } from "../format.js";
import { withParams } from "../state.js";
import { select } from "../ui.js";
import { allPages } from "./common.js";

export const PAGE_SIZE = 50;
// The families of actions, as the API's `action` prefix filter takes them.
export const ACTION_FAMILIES = [
  ["", "All actions"],
  ["group.", "Triage"],
  ["signin.", "Sign-ins"],
  ["user.", "Users"],
  ["token.", "API tokens"],
  ["project.", "Projects"],
  ["source.", "Sources"],
  ["pixel.", "Pixels"],
  ["sourcemaps.", "Source maps"],
];
const MAX_DETAIL = 140;

/** The audit page for an administrator (`/me` says so); a short note for anyone else. */
export async function auditLog(ctx) {
  const me = await ctx.api.get("/me");
  if (!me.is_admin) {
    return [h("div", { class: "page-head" }, h("h1", { text: "Audit log" })), h("p", { class: "muted", text: "Only administrators read the audit log." })];
  }
  const { params } = ctx.route;
  const filters = { action: params.action || undefined, actor: params.actor || undefined };
  const [users, first] = await Promise.all([allPages(ctx.api, "/users"), ctx.api.get("/audit", { ...filters, limit: PAGE_SIZE })]);

  const body = h("tbody");
  const more = h("div");
  function show(page) {
    body.append(...page.items.map(entryRow));
    const button = h("button", { type: "button", class: "secondary", text: "Load more", onclick: () => load(page.next_cursor) });
    replace(more, page.next_cursor ? h("div", { class: "pager" }, button) : null);
  }
  async function load(cursor) {
    try {
      show(await ctx.api.get("/audit", { ...filters, limit: PAGE_SIZE, cursor }));
    } catch (error) {
      ctx.showError(error);
    }
  }
  show(first);

  const bar = h(
    "div",
    { class: "filters", role: "search" },
    select("Action", params.action || "", ACTION_FAMILIES, (value) => ctx.go(withParams(params, { action: value }))),
    select("Who", params.actor || "", [["", "Anyone"], ...users.map((user) => [String(user.id), user.email])], (value) => ctx.go(withParams(params, { actor: value }))),
  );
  const headings = ["When", "Who", "Action", "Target", "Via", "Detail"];
  return h(
    "div",
    { class: "audit" },
    h("div", { class: "page-head" }, h("h1", { text: "Audit log" })),
    h("p", { class: "muted", text: "Every administrative and triage action and every sign-in: who, when, what, and through which session or API token. Never an IP address." }),
    bar,
    first.items.length
      ? h(
          "section",
          { class: "card" },
          h("div", { class: "scroll" }, h("table", { class: "audit-log" }, h("thead", null, h("tr", null, headings.map((text) => h("th", { scope: "col", text })))), body)),
          more,
        )
      : h("p", { class: "muted", text: "Nothing recorded matches these filters." }),
  );
}

/** How an entry names who acted: an email, a token, the command line or nobody known. */
export function actorName(actor) {
  if (actor.kind === "user") return actor.label.replace(/^user:/, "");
  if (actor.kind === "token") return `token ${actor.label.replace(/^token:/, "")}`;
  if (actor.kind === "cli") return "command line";
  return actor.label;
}

/** "pixel 7", "user", "" for an entry without a target. */
export function targetName(target) {
  if (!target) return "";
  return [target.type, target.id].filter((part) => part !== null && part !== undefined).join(" ");
}

/** The detail as one short line: "status: resolved, merged: 3, 4". */
export function detailSummary(detail) {
  const text = Object.entries(detail || {})
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(", ") : typeof value === "object" && value !== null ? JSON.stringify(value) : value}`)
    .join("; ");
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}

function entryRow(entry) {
  const full = Object.keys(entry.detail || {}).length ? JSON.stringify(entry.detail) : null;
  return h(
    "tr",
    null,
    h("td", { class: "nowrap", title: entry.at, text: formatDateTime(entry.at) }),
    h("td", { class: "clip", text: actorName(entry.actor) }),
    h("td", { class: "nowrap" }, h("code", { text: entry.action })),
    h("td", { class: "nowrap", text: targetName(entry.target) }),
    h("td", { class: "nowrap muted", text: entry.via || "–" }),
    h("td", { class: "clip", title: full, text: detailSummary(entry.detail) }),
  );
}
