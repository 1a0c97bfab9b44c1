// A project's Alerts page (its settings' second section): the rules (./rules.js), the channels
// they send to (./channels.js), and the recent deliveries with each one's outcome; and the
// "Alerts fired" card of a group page.

import { h } from "../dom.js";
import { formatDateTime, timeAgo } from "../format.js";
import { buildRoute, withParams } from "../state.js";
import { errorBox } from "../ui.js";
import { channelsCard } from "./channels.js";
import { RULE_KINDS, rulesCard } from "./rules.js";

const STATES = {
  pending: ["pending", "pill warn"],
  sent: ["sent", "pill status-resolved"],
  given_up: ["given up", "pill bad"],
};

/** The settings' section links: SDK setup and Alerts. */
export function settingsNav(project, current) {
  const link = (id, text) =>
    h("a", {
      class: id === current ? "tab active" : "tab",
      "aria-current": id === current ? "page" : null,
      href: buildRoute(["projects", String(project.id), "settings"], id === "alerts" ? { section: "alerts" } : {}),
      text,
    });
  return h("nav", { class: "tabs status-tabs", "aria-label": "Project settings" }, link("sdk", "SDK setup"), link("alerts", "Alerts"));
}

export async function alertsPage(ctx, projectId) {
  const { params } = ctx.route;
  const base = `/projects/${projectId}`;
  const [project, me, rules, channels, deliveries] = await Promise.all([
    ctx.api.get(base),
    ctx.api.get("/me"),
    ctx.api.get(`${base}/alert-rules`),
    ctx.api.get(`${base}/alert-channels`),
    ctx.api.get(`${base}/alert-deliveries`, { limit: 25, cursor: params.deliveries }).catch((error) => error),
  ]);
  const scopes = new Set(me.scopes || []);
  return h(
    "div",
    { class: "project-settings alerts-page" },
    h("p", { class: "crumbs" }, h("a", { href: buildRoute(["projects", String(project.id)]), text: `← ${project.name}` })),
    h("div", { class: "page-head" }, h("h1", { text: `${project.name}: alerts` })),
    settingsNav(project, "alerts"),
    h("p", { class: "muted", text: "Rules decide when to tell the team: a new group, a regression, an ignore that ended, or a rate. Each sends to its channels, at most once per group per cool-down; alerts that come together go out as one digest." }),
    rulesCard(ctx, project, rules.items, channels.items, scopes.has("triage")),
    channelsCard(ctx, project, channels.items, scopes.has("admin")),
    deliveriesCard(ctx, deliveries),
  );
}

function statePill(state) {
  const [text, className] = STATES[state] || [state, "pill"];
  return h("span", { class: className, text });
}

function lastAttempt(attempts, now) {
  if (!attempts.length) return h("span", { class: "muted", text: "not tried yet" });
  const last = attempts[attempts.length - 1];
  return h(
    "span",
    { title: formatDateTime(last.at) },
    h("span", { class: last.ok ? "attempt ok" : "attempt failed", text: last.ok ? "✓ " : "✗ " }),
    h("span", { text: last.detail }),
    h("span", { class: "muted", text: ` · ${timeAgo(last.at, now)}` }),
  );
}

/** What went out (or did not) lately: one row per delivery, newest first. */
export function deliveriesCard(ctx, answer) {
  const title = h("h2", { text: "Recent deliveries" });
  if (answer instanceof Error) return h("section", { class: "card deliveries" }, title, errorBox(answer));
  const { params } = ctx.route;
  const now = ctx.now();
  const rows = answer.items.map((delivery) =>
    h(
      "tr",
      { "data-delivery": delivery.id },
      h("td", { class: "nowrap", title: formatDateTime(delivery.created_at), text: timeAgo(delivery.created_at, now) }),
      h("td", { class: "nowrap", text: delivery.rule.name }),
      h(
        "td",
        { class: "clip" },
        delivery.group ? h("a", { href: buildRoute(["issues", String(delivery.group.id)]), text: delivery.group.title }) : h("span", { class: "muted", text: "the project" }),
      ),
      h("td", { class: "nowrap", text: delivery.channel.name }),
      h("td", null, statePill(delivery.state)),
      h("td", { class: "num", text: String(delivery.attempts.length) }),
      h("td", { class: "clip" }, lastAttempt(delivery.attempts, now)),
    ),
  );
  const here = ctx.route.path;
  return h(
    "section",
    { class: "card deliveries" },
    title,
    rows.length
      ? h(
          "div",
          { class: "scroll" },
          h(
            "table",
            // The group events table's layout: its wrapping cells keep a readable width.
            { class: "events deliveries-table" },
            h("thead", null, h("tr", null, ["When", "Rule", "Group", "Channel", "State", "Attempts", "Last attempt"].map((label) => h("th", { scope: "col", class: label === "Attempts" ? "num" : null, text: label })))),
            h("tbody", null, rows),
          ),
        )
      : h("p", { class: "muted", text: "Nothing sent yet. Deliveries show up here when a rule fires, with every attempt and its outcome." }),
    h(
      "nav",
      { class: "pager", "aria-label": "Delivery pages" },
      params.deliveries ? h("a", { class: "button secondary", href: buildRoute(here, withParams(params, { deliveries: "" })), text: "Newest" }) : null,
      answer.next_cursor ? h("a", { class: "button secondary", href: buildRoute(here, withParams(params, { deliveries: answer.next_cursor })), text: "Older deliveries" }) : null,
    ),
  );
}

/** The group page's "Alerts fired" card, or null when no alert fired for the group. */
export function alertsFiredCard(answer, project, now) {
  if (!answer || answer instanceof Error || !answer.items.length) return null;
  return h(
    "section",
    { class: "card alerts-fired" },
    h(
      "div",
      { class: "card-head" },
      h("h2", { text: "Alerts fired" }),
      h("a", { href: buildRoute(["projects", String(project), "settings"], { section: "alerts" }), text: "Alert rules" }),
    ),
    h(
      "ol",
      { class: "history" },
      answer.items.map((firing) =>
        h(
          "li",
          null,
          h("strong", { text: firing.rule.name }),
          h("span", { class: "muted", text: ` (${RULE_KINDS[firing.rule.kind] || firing.rule.kind}) ` }),
          h("span", { title: formatDateTime(firing.fired_at), text: timeAgo(firing.fired_at, now) }),
          firing.deliveries.length ? ": " : null,
          firing.deliveries.map((delivery, i) => [i ? ", " : null, h("span", { text: `${delivery.channel.name} ` }), statePill(delivery.state)]),
        ),
      ),
    ),
  );
}
