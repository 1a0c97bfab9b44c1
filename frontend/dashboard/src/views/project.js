// A project's settings. SDK setup: its DSN, setup code for the Sentry SDKs, key rotation, its
// source maps (./sourcemaps.js), and what Faultline accepted from the SDKs but did not store.
// Alerts (?section=alerts): its alert rules, channels and deliveries (./alerts.js).

import { h, replace } from "../dom.js";
import { SDKS, sdkSnippet } from "../snippets.js";
import { buildRoute } from "../state.js";
import { rovingTabs } from "../tabs.js";
import { copyable, errorBox, toast } from "../ui.js";
import { alertsPage, settingsNav } from "./alerts.js";
import { loadBundles, sourcemapsCard } from "./sourcemaps.js";

export const DROPPED_DAYS = 30;
// Exact counts: a few numbers that someone compares with what their SDKs sent.
const exact = (count) => count.toLocaleString("en-US");

// Envelope item types (and "error" for events the filters dropped) as a person names them.
const CATEGORIES = {
  error: "Error events",
  transaction: "Transactions (tracing)",
  span: "Spans (tracing)",
  session: "Sessions",
  sessions: "Session aggregates",
  client_report: "Client reports",
  attachment: "Attachments",
  profile: "Profiles",
  replay: "Session replays",
  check_in: "Cron check-ins",
  log: "Logs",
  feedback: "User feedback",
  unknown: "Unknown item types",
};
const REASONS = {
  unsupported: ["not stored", "Faultline keeps errors and messages only; this kind of data is accepted so the SDK does not retry, then dropped."],
  malformed: ["unreadable", "The item could not be parsed."],
  filtered: ["filtered as noise", "“Script error.” without a stack, browser-extension frames, or a bot."],
  too_large: ["too large", "Over 1 MiB per event or 20 MiB per envelope."],
};

export async function projectSettings(ctx, projectId) {
  if (ctx.route.params.section === "alerts") return alertsPage(ctx, projectId);
  const [project, dropped, bundles] = await Promise.all([
    ctx.api.get(`/projects/${projectId}`),
    ctx.api.get(`/projects/${projectId}/dropped`, { days: DROPPED_DAYS }).catch((error) => error),
    loadBundles(ctx, projectId),
  ]);
  // A rotated key changes the DSN everywhere it shows: both parts render again with it.
  const keys = h("div", { class: "sdk-keys" });
  const rotation = h("div");
  const show = (current, rotated) => {
    replace(keys, dsnCard(current, rotated), snippetsCard(current));
    replace(rotation, rotateCard(ctx, current, show));
  };
  show(project, false);
  return h(
    "div",
    { class: "project-settings" },
    h("p", { class: "crumbs" }, h("a", { href: buildRoute(["projects", String(project.id)]), text: `← ${project.name}` })),
    h("div", { class: "page-head" }, h("h1", { text: `${project.name}: SDK setup` })),
    settingsNav(project, "sdk"),
    keys,
    sourcemapsCard(ctx, project, bundles),
    rotation,
    droppedCard(dropped),
  );
}

function dsnCard(project, rotated) {
  return h(
    "section",
    { class: rotated ? "card dsn-card rotated" : "card dsn-card" },
    h("h2", { text: "DSN" }),
    rotated
      ? h("p", { class: "notice ok", role: "status", text: "Key rotated. This is the new DSN: SDKs still sending with the old one are refused from now on." })
      : h("p", { class: "muted" }, "Sentry SDKs (Python, Node.js, the browser, and others that speak the Sentry protocol) send their errors here when initialised with this DSN. It holds a public key: it may ship in browser code."),
    copyable(project.dsn, "Copy DSN"),
  );
}

function snippetsCard(project) {
  const body = h("div", { class: "tab-body", role: "tabpanel" });
  const buttons = SDKS.map((sdk) =>
    h("button", { type: "button", role: "tab", class: "tab", id: `sdk-${sdk.id}`, text: sdk.label, onclick: () => pick(sdk) }),
  );
  const list = h("div", { class: "tabs", role: "tablist", "aria-label": "SDK" }, buttons);
  const sync = rovingTabs(list, { activate: true });
  function pick(sdk) {
    buttons.forEach((button, i) => {
      const on = SDKS[i] === sdk;
      button.setAttribute("aria-selected", on ? "true" : "false");
      button.classList.toggle("active", on);
    });
    body.setAttribute("aria-labelledby", `sdk-${sdk.id}`);
    sync();
    replace(
      body,
      h("p", { class: "step", text: "Install it:" }),
      copyable(sdk.install),
      h("p", { class: "step", text: "Initialise it as early as the app starts; set release and environment to what you deploy:" }),
      copyable(sdkSnippet(sdk.id, project.dsn), "Copy code"),
    );
  }
  pick(SDKS[0]);
  return h(
    "section",
    { class: "card snippets" },
    h("div", { class: "card-head" }, h("h2", { text: "Set up an SDK" }), list),
    body,
    h("p", { class: "muted small-print", text: "Leave tracing, session replay and profiling off: Faultline accepts their data so SDKs do not retry, but stores only errors and messages. User IPs, emails, cookies and request bodies are never stored." }),
  );
}

function rotateCard(ctx, project, show) {
  const area = h("div");
  function ask() {
    replace(
      area,
      h(
        "div",
        { class: "confirm", role: "alertdialog", "aria-labelledby": "rotate-q", "aria-describedby": "rotate-why" },
        h("p", { id: "rotate-q" }, h("strong", { text: `Rotate the key of ${project.name}?` })),
        h("p", {
          id: "rotate-why",
          text: "A new DSN replaces the current one at once. Every SDK still configured with the old DSN is refused (403) and its errors are lost until it is deployed with the new DSN. This cannot be undone.",
        }),
        h(
          "div",
          { class: "inline" },
          h("button", { type: "button", class: "danger strong", text: "Rotate key", onclick: rotate }),
          h("button", { type: "button", class: "secondary", text: "Cancel", onclick: idle }),
        ),
      ),
    );
    area.querySelector("button.secondary").focus();
  }
  function idle() {
    replace(area, h("button", { type: "button", class: "danger", text: "Rotate key…", onclick: ask }));
  }
  async function rotate(event) {
    event.target.disabled = true;
    try {
      const next = await ctx.api.post(`/projects/${project.id}/rotate-key`);
      toast("Key rotated");
      show(next, true);
    } catch (error) {
      event.target.disabled = false;
      ctx.showError(error);
    }
  }
  idle();
  return h(
    "section",
    { class: "card rotate" },
    h("h2", { text: "Rotate key" }),
    h("p", { class: "muted", text: "If the DSN leaked to someone who sends junk with it, give the project a new key. The old key stops working immediately." }),
    area,
  );
}

/** The dropped counts card: a table by category and reason, or why there is nothing. */
export function droppedCard(dropped) {
  const title = h("h2", { text: `Dropped, last ${DROPPED_DAYS} days` });
  if (dropped instanceof Error) return h("section", { class: "card dropped" }, title, errorBox(dropped));
  const total = dropped.items.reduce((sum, item) => sum + item.count, 0);
  if (!dropped.items.length) {
    return h(
      "section",
      { class: "card dropped" },
      title,
      h("p", { class: "muted", text: `Nothing dropped since ${dropped.since}: everything the SDKs sent was an error or message, and stored.` }),
    );
  }
  const rows = dropped.items.map((item) => {
    const [reason, why] = REASONS[item.reason] || [item.reason.replaceAll("_", " "), ""];
    return h(
      "tr",
      null,
      h("td", null, h("span", { text: CATEGORIES[item.category] || item.category }), h("code", { class: "muted cat", text: item.category })),
      h("td", { title: why || null }, h("span", { text: reason }), why ? h("div", { class: "muted why", text: why }) : null),
      h("td", { class: "num", text: exact(item.count) }),
    );
  });
  return h(
    "section",
    { class: "card dropped" },
    title,
    h("p", { class: "muted", text: `${exact(total)} item${total === 1 ? "" : "s"} received since ${dropped.since} and not stored.` }),
    h(
      "div",
      { class: "scroll" },
      h(
        "table",
        { class: "dropped-table" },
        h("thead", null, h("tr", null, h("th", { scope: "col", text: "Category" }), h("th", { scope: "col", text: "Reason" }), h("th", { scope: "col", class: "num", text: "Count" }))),
        h("tbody", null, rows),
      ),
    ),
  );
}
