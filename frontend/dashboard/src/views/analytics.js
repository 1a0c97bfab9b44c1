// Project analytics: figures beside the previous period, the time series, breakdowns that
// filter the whole page when clicked, and errors per 1,000 page views.

import { lineChart } from "../charts.js";
import { h, replace } from "../dom.js";
import { formatBucket, formatDuration, formatPercent, formatRate, formatTick } from "../format.js";
import { BREAKDOWN_FIELDS, addFilter, buildRoute, parseExpression, removeFilter, toExpression, withParams } from "../state.js";
import { rovingTabs } from "../tabs.js";
import { breakdownTable, errorBox, metric } from "../ui.js";
import { rangePicker, windowParams } from "./common.js";
import { noPageViews, projectEmptyState } from "./setup.js";

const SERIES = [
  { id: "visitors", name: "Visitors", className: "s-visitors" },
  { id: "pageviews", name: "Page views", className: "s-pageviews" },
  { id: "exceptions", name: "Exceptions", className: "s-exceptions" },
];
// Cards of breakdowns; each card shows one tab at a time.
const CARDS = [
  { title: "Pages", tabs: [["pages", "Pages"]] },
  { title: "Referrers", tabs: [["referrers", "Referrers"], ["referrer_groups", "Groups"]] },
  { title: "Campaigns", tabs: [["utm_sources", "UTM source"], ["utm_mediums", "Medium"], ["utm_campaigns", "Campaign"]] },
  { title: "Locations", tabs: [["countries", "Countries"], ["languages", "Languages"]] },
  { title: "Technology", tabs: [["browsers", "Browsers"], ["versions", "Versions"], ["operating_systems", "OS"], ["devices", "Devices"]] },
  { title: "Events", tabs: [["event_names", "Events"]] },
  { title: "Sources", tabs: [["sources", "Sources"], ["releases", "Releases"]] },
];
const RATES = [["page", "By page"], ["browser", "By browser"], ["release", "By release"]];

export async function analytics(ctx, projectId) {
  const { params } = ctx.route;
  const filters = parseExpression(params.filter);
  const project = await ctx.api.get(`/projects/${projectId}`);
  const window = windowParams(params, ctx.now());
  const query = { project: projectId, ...window, filter: params.filter || undefined };
  const page = h("div", { class: "analytics" });
  const head = h(
    "div",
    { class: "page-head" },
    h("h1", { text: project.name }),
    h("a", { class: "button secondary", href: buildRoute(["issues"], { project: projectId }), text: "Exceptions" }),
    h("a", { class: "button secondary", href: buildRoute(["projects", String(projectId), "settings"]), text: "SDK setup" }),
    h("a", { class: "button secondary", href: buildRoute(["projects", String(projectId), "settings"], { section: "alerts" }), text: "Alerts" }),
    rangePicker(ctx),
  );
  page.append(head);
  if (filters === null) {
    page.append(errorBox(new Error("The filter in this address cannot be read.")), clearButton(ctx));
    return page;
  }
  if (filters.length) page.append(filterBar(ctx, filters));

  const stats = await ctx.api.get("/stats", { ...query, breakdowns: Object.keys(BREAKDOWN_FIELDS).join(","), limit: 10 });
  const now = stats.summary;
  const before = stats.previous_summary;
  // Custom events come from the tracker too: only a range without either lacks the tag.
  if (!filters.length && !now.pageviews && !now.events) {
    page.append(now.exceptions ? h("section", { class: "card" }, noPageViews()) : await projectEmptyState(ctx, project));
  }
  page.append(
    h(
      "div",
      { class: "metrics card" },
      metric("Visitors", now.visitors, before.visitors),
      metric("Page views", now.pageviews, before.pageviews),
      metric("Events", now.events, before.events),
      metric("Exceptions", now.exceptions, before.exceptions, { upIsGood: false }),
      metric("Bounce rate", now.bounce_rate, before.bounce_rate, { upIsGood: false, format: formatPercent }),
      metric("Time on page", now.median_duration_ms, before.median_duration_ms, { format: formatDuration }),
    ),
  );
  page.append(chartCard(ctx, stats));

  const add = (name) => (row) => {
    const field = BREAKDOWN_FIELDS[name];
    ctx.go(withParams(params, { filter: toExpression(addFilter(filters, field, row.key)) }));
  };
  const grid = h("div", { class: "grid" });
  for (const card of CARDS) {
    grid.append(tabbedCard(card.title, card.tabs, (name) =>
      breakdownTable({
        rows: stats.breakdowns[name] || [],
        columns:
          name === "event_names"
            ? [{ key: "events", label: "Events" }, { key: "visitors", label: "Visitors" }]
            : [{ key: "visitors", label: "Visitors" }, { key: "pageviews", label: "Views" }],
        onPick: add(name),
      }),
    ));
  }
  grid.append(tabbedCard("Errors per 1,000 page views", RATES, (by) => ratesTable(ctx, query, by, filters)));
  page.append(grid);
  return page;
}

function filterBar(ctx, filters) {
  const { params } = ctx.route;
  const chips = filters.map((filter, index) => {
    const text = `${filter.field} ${filter.op} ${filter.value === "" ? "(none)" : filter.value}`;
    return h(
      "span",
      { class: "chip" },
      h("span", { text }),
      h("button", {
        type: "button",
        class: "chip-x",
        "aria-label": `Remove filter ${text}`,
        text: "×",
        onclick: () => ctx.go(withParams(params, { filter: toExpression(removeFilter(filters, index)) })),
      }),
    );
  });
  return h("div", { class: "filters", "aria-label": "Filters" }, h("span", { class: "muted", text: "Filtered by" }), chips, clearButton(ctx));
}

function clearButton(ctx) {
  return h("button", { type: "button", class: "small secondary", text: "Clear filters", onclick: () => ctx.go(withParams(ctx.route.params, { filter: "" })) });
}

function chartCard(ctx, stats) {
  const { params } = ctx.route;
  const shown = SERIES.find((series) => series.id === params.series) || SERIES[1];
  const interval = stats.range.interval;
  const labels = stats.timeseries.map((point) => formatBucket(point.timestamp, interval));
  const span = new Date(stats.range.to) - new Date(stats.range.from);
  const ticks = stats.timeseries.map((point) => formatTick(point.timestamp, span));
  const values = (points) => points.map((point) => point[shown.id] || 0);
  const toggles = SERIES.map((series) =>
    h("button", {
      type: "button",
      class: series === shown ? "seg active" : "seg",
      "aria-pressed": series === shown ? "true" : "false",
      text: series.name,
      onclick: () => ctx.go(withParams(params, { series: series.id === "pageviews" ? "" : series.id })),
    }),
  );
  return h(
    "section",
    { class: "card chart-card" },
    h("div", { class: "card-head" }, h("div", { class: "range", role: "group", "aria-label": "Series" }, toggles), h("span", { class: "legend muted" }, h("span", { class: "swatch dashed" }), "previous period")),
    lineChart({
      labels,
      ticks,
      width: ctx.chartWidth(),
      series: [{ name: shown.name, values: values(stats.timeseries), className: shown.className }],
      previous: { values: values(stats.previous_timeseries), className: shown.className },
    }),
  );
}

/**
 * A card with tabs (buttons) over several tables; `render(id)` builds one tab's content.
 * `initial` is the tab shown first (the first by default).
 */
export function tabbedCard(title, tabs, render, initial = tabs[0][0]) {
  const body = h("div", { class: "tab-body" });
  const buttons = tabs.map(([id, label]) =>
    h("button", { type: "button", role: "tab", class: "tab", text: label, onclick: () => show(id) }),
  );
  const list = tabs.length > 1 ? h("div", { class: "tabs", role: "tablist", "aria-label": title }, buttons) : null;
  const sync = list ? rovingTabs(list, { activate: true }) : () => {};
  async function show(id) {
    buttons.forEach((button, i) => {
      const selected = tabs[i][0] === id;
      button.setAttribute("aria-selected", selected ? "true" : "false");
      button.classList.toggle("active", selected);
    });
    sync();
    const content = render(id);
    replace(body, content instanceof Promise ? h("p", { class: "muted", text: "Loading…" }) : content);
    if (content instanceof Promise) replace(body, await content);
  }
  show(initial);
  return h(
    "section",
    { class: "card tabbed" },
    h("div", { class: "card-head" }, h("h2", { text: title }), list),
    body,
  );
}

async function ratesTable(ctx, query, by, filters) {
  try {
    const rates = await ctx.api.get("/stats/errors-per-pageview", { ...query, by, limit: 10 });
    const field = { page: "path", browser: "browser", release: "release" }[by];
    return breakdownTable({
      rows: rates.items,
      columns: [
        { key: "per_1k", label: "Per 1k", format: formatRate },
        { key: "exceptions", label: "Errors" },
        { key: "pageviews", label: "Views" },
      ],
      onPick: (row) => ctx.go(withParams(ctx.route.params, { filter: toExpression(addFilter(filters, field, row.key)) })),
      empty: "No exceptions in this range.",
    });
  } catch (error) {
    return errorBox(error);
  }
}
