// The exception inbox: status tabs with counts, search, filters, sorts, bulk triage and merge.

import { sparkline } from "../charts.js";
import { h, replace } from "../dom.js";
import { formatNumber, formatRate, timeAgo } from "../format.js";
import { buildRoute, withParams } from "../state.js";
import { rovingTabs } from "../tabs.js";
import { select, toast } from "../ui.js";
import { allProjects } from "./common.js";
import { noExceptions } from "./setup.js";

const STATUSES = [
  ["unresolved", "Unresolved"],
  ["resolved", "Resolved"],
  ["ignored", "Ignored"],
];
const SORTS = [
  ["last_seen", "Last seen"],
  ["first_seen", "First seen"],
  ["count", "Events"],
  ["per_1k", "Per 1k views"],
];

export async function inbox(ctx) {
  const { params } = ctx.route;
  const status = STATUSES.some(([id]) => id === params.status) ? params.status : "unresolved";
  const filters = {
    project: params.project,
    q: params.q,
    release: params.release,
    browser: params.browser,
    handled: params.handled,
    environment: params.environment,
  };
  const [projects, page] = await Promise.all([
    allProjects(ctx.api),
    ctx.api.get("/groups", { ...filters, status, sort: params.sort || "last_seen", cursor: params.cursor, limit: 25 }),
  ]);
  const projectNames = new Map(projects.map((project) => [project.id, project.name]));
  const selected = new Set();

  const tabs = h(
    "div",
    { class: "tabs status-tabs", role: "tablist", "aria-label": "Status" },
    STATUSES.map(([id, label]) => {
      // The list counts every status under the same filters, so the tabs cost no request.
      const count = h("span", { class: "count", text: formatNumber(page.counts[id]) });
      return h(
        "a",
        {
          role: "tab",
          class: id === status ? "tab active" : "tab",
          "aria-selected": id === status ? "true" : "false",
          href: buildRoute(["issues"], withParams(params, { status: id === "unresolved" ? "" : id, cursor: "" })),
        },
        label,
        " ",
        count,
      );
    }),
  );
  rovingTabs(tabs);

  const search = h("input", { type: "search", name: "q", value: params.q || "", placeholder: "Title or culprit", "aria-label": "Search" });
  const release = h("input", { type: "text", name: "release", value: params.release || "", placeholder: "Release", "aria-label": "Release" });
  const browser = h("input", { type: "text", name: "browser", value: params.browser || "", placeholder: "Browser", "aria-label": "Browser" });
  // No API lists environments: suggest the usual names and those on this page.
  const seen = new Set(["production", "staging", "development"]);
  for (const group of page.items) if (group.environment) seen.add(group.environment);
  const environment = h("input", {
    type: "text",
    name: "environment",
    value: params.environment || "",
    placeholder: "Environment",
    "aria-label": "Environment",
    list: "environments",
    maxlength: 64,
  });
  const environments = h("datalist", { id: "environments" }, [...seen].map((name) => h("option", { value: name })));
  const form = h(
    "form",
    {
      class: "toolbar",
      role: "search",
      onsubmit: (event) => {
        event.preventDefault();
        const typed = { q: search.value, release: release.value, browser: browser.value, environment: environment.value };
        ctx.go(withParams(params, { ...Object.fromEntries(Object.entries(typed).map(([k, v]) => [k, v.trim()])), cursor: "" }));
      },
    },
    search,
    release,
    browser,
    environment,
    environments,
    select("Project", params.project || "", [["", "All projects"], ...projects.map((p) => [String(p.id), p.name])], (value) =>
      ctx.go(withParams(params, { project: value, cursor: "" })),
    ),
    select("Handled", params.handled || "", [["", "Handled or not"], ["false", "Unhandled"], ["true", "Handled"]], (value) =>
      ctx.go(withParams(params, { handled: value, cursor: "" })),
    ),
    select("Sort", params.sort || "last_seen", SORTS, (value) => ctx.go(withParams(params, { sort: value === "last_seen" ? "" : value, cursor: "" }))),
    h("button", { type: "submit", text: "Search" }),
  );

  const bulk = h("div", { class: "bulk", "aria-live": "polite" });
  const rows = page.items.map((group) => row(ctx, group, projectNames, selected, updateBulk));
  function updateBulk() {
    const ids = [...selected];
    const act = (label, change) =>
      h("button", { type: "button", class: "small", text: label, onclick: () => bulkTriage(ctx, ids, change) });
    replace(
      bulk,
      ids.length
        ? [
            h("span", { text: `${ids.length} selected` }),
            status !== "resolved" ? act("Resolve", { status: "resolved" }) : null,
            status !== "ignored" ? act("Ignore", { status: "ignored" }) : null,
            status !== "unresolved" ? act("Reopen", { status: "unresolved" }) : null,
            ids.length > 1 ? h("button", { type: "button", class: "small secondary", text: "Merge", onclick: () => merge(ctx, ids) }) : null,
          ]
        : h("span", { class: "muted", text: "Select groups to triage several at once." }),
    );
  }
  updateBulk();

  const all = h("input", {
    type: "checkbox",
    "aria-label": "Select all on this page",
    onchange: (event) => {
      for (const item of rows) item.check(event.target.checked);
    },
  });
  const list = page.items.length
    ? h(
        "table",
        { class: "groups" },
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { class: "check" }, all),
            h("th", { scope: "col", text: "Exception" }),
            h("th", { scope: "col", class: "num", text: "Events" }),
            h("th", { scope: "col", class: "trend-col", text: "14 days" }),
            h("th", { scope: "col", class: "seen", text: "Last / first seen" }),
          ),
        ),
        h("tbody", null, rows.map((item) => item.node)),
      )
    : emptyState(page.counts, filters, projects, status);

  const pager = h(
    "nav",
    { class: "pager", "aria-label": "Pages" },
    params.cursor ? h("a", { class: "button secondary", href: buildRoute(["issues"], withParams(params, { cursor: "" })), text: "First page" }) : null,
    page.next_cursor ? h("a", { class: "button secondary", href: buildRoute(["issues"], withParams(params, { cursor: page.next_cursor })), text: "Next page" }) : null,
  );
  const head = h("div", { class: "page-head" }, h("h1", { text: "Exceptions" }));
  return h("div", null, head, tabs, form, page.items.length ? bulk : null, list, pager);
}

function emptyState(counts, filters, projects, status) {
  const { project, ...others } = filters;
  if (Object.values(others).some(Boolean)) return h("p", { class: "card empty", text: "No groups match these filters." });
  // No group in any status: nothing has reported yet, so say how to start reporting.
  if (!STATUSES.some(([id]) => counts[id])) return noExceptions(project ? projects.filter((p) => String(p.id) === project) : projects);
  const text = status === "unresolved" ? "Nothing to fix: no unresolved exceptions." : `No ${status} groups.`;
  return h("p", { class: "card empty", text });
}

function row(ctx, group, projectNames, selected, changed) {
  const box = h("input", {
    type: "checkbox",
    "aria-label": `Select ${group.title}`,
    onchange: (event) => {
      if (event.target.checked) selected.add(group.id);
      else selected.delete(group.id);
      changed();
    },
  });
  const now = ctx.now();
  const node = h(
    "tr",
    null,
    h("td", { class: "check" }, box),
    h(
      "td",
      { class: "title-cell" },
      h("a", { class: "group-title", href: buildRoute(["issues", String(group.id)]) }, h("strong", { text: group.title })),
      group.regressed ? h("span", { class: "pill bad", title: `regressed ${timeAgo(group.regressed_at, now)}`, text: "regressed" }) : null,
      h(
        "div",
        { class: "culprit muted" },
        h("span", { text: group.culprit || "(no in-app frame)" }),
        " · ",
        h("span", { text: projectNames.get(group.project) || `project ${group.project}` }),
        group.last_release ? h("span", { text: ` · ${group.last_release}` }) : null,
        group.platform ? h("span", { class: "platform", text: ` · ${group.platform}` }) : null,
        group.environment
          ? h("a", {
              class: "pill env",
              href: buildRoute(["issues"], withParams(ctx.route.params, { environment: group.environment, cursor: "" })),
              title: `Environment of the last event; show only ${group.environment}`,
              text: group.environment,
            })
          : null,
      ),
    ),
    h(
      "td",
      { class: "num" },
      h("div", { text: formatNumber(group.count) }),
      h("div", { class: "muted", title: "events per 1,000 page views of the project, last 30 days", text: `${formatRate(group.per_1k)} / 1k` }),
    ),
    h("td", { class: "trend-col" }, sparkline(group.trend, { label: "events per day, last 14 days", className: "errors" })),
    h("td", { class: "seen" }, h("div", { text: timeAgo(group.last_seen, now) }), h("div", { class: "muted", text: timeAgo(group.first_seen, now) })),
  );
  return {
    node,
    check(on) {
      box.checked = on;
      box.dispatchEvent(new Event("change"));
    },
  };
}

async function bulkTriage(ctx, ids, change) {
  try {
    await ctx.api.patch("/groups", { ids, ...change });
    toast(`${ids.length} group${ids.length > 1 ? "s" : ""} ${{ resolved: "resolved", ignored: "ignored", unresolved: "reopened" }[change.status]}`);
    ctx.refresh();
  } catch (error) {
    ctx.showError(error);
  }
}

async function merge(ctx, ids) {
  if (!confirm(`Merge ${ids.length} groups into one? All their events move to the group with the most events.`)) return;
  try {
    const survivor = await ctx.api.post("/groups/merge", { ids });
    toast("Merged");
    ctx.navigate(["issues", String(survivor.id)]);
  } catch (error) {
    ctx.showError(error);
  }
}
