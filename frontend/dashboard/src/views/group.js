// One exception group: triage, trend, the latest event (./event.js, its stack ./frames.js),
// why it was grouped, breakdowns, pages with their error rate, events, the alerts it fired
// (./alerts.js) and history.

import { lineChart } from "../charts.js";
import { h } from "../dom.js";
import { formatDateTime, formatNumber, formatRate, timeAgo } from "../format.js";
import { buildRoute, withParams } from "../state.js";
import { breakdownTable, errorBox, keyValues, toast } from "../ui.js";
import { alertsFiredCard } from "./alerts.js";
import { tabbedCard } from "./analytics.js";
import { latestEvent } from "./event.js";

const IGNORE_FOR = [
  ["3600000", "1 hour"],
  ["86400000", "24 hours"],
  ["604800000", "7 days"],
  ["2592000000", "30 days"],
];
const BREAKDOWNS = [
  ["browser", "Browser"],
  ["os", "OS"],
  ["device", "Device"],
  ["release", "Release"],
  ["environment", "Environment"],
  ["path", "Page"],
];
const DAY_MS = 86400000;

export async function groupPage(ctx, groupId) {
  const { params } = ctx.route;
  const from = new Date(ctx.now().getTime() - 30 * DAY_MS).toISOString();
  const [group, events, pages, alerts] = await Promise.all([
    ctx.api.get(`/groups/${groupId}`),
    ctx.api.get(`/groups/${groupId}/events`, { cursor: params.events, limit: 10 }),
    ctx.api.get(`/groups/${groupId}/pages`, { from, limit: 10 }).catch((error) => error),
    // Alerts are a side note of the page: without them it still shows the group.
    ctx.api.get(`/groups/${groupId}/alerts`, { limit: 10 }).catch((error) => error),
  ]);
  const project = await ctx.api.get(`/projects/${group.project}`).catch(() => null);
  const now = ctx.now();
  return h(
    "div",
    { class: "group-page" },
    h("p", { class: "crumbs" }, h("a", { href: buildRoute(["issues"], { project: group.project }), text: `← ${project ? project.name : "Exceptions"}` })),
    h(
      "div",
      { class: "page-head" },
      h("h1", { class: "group-h1", text: group.title }),
      h("span", { class: `pill status-${group.status}`, text: group.status }),
      group.regressed ? h("span", { class: "pill bad", text: `regressed ${timeAgo(group.regressed_at, now)}` }) : null,
    ),
    h("p", { class: "culprit muted", text: group.culprit || "(no in-app frame)" }),
    triage(ctx, group),
    h(
      "div",
      { class: "metrics card" },
      fact("Events", formatNumber(group.count)),
      fact("First seen", timeAgo(group.first_seen, now), formatDateTime(group.first_seen)),
      fact("Last seen", timeAgo(group.last_seen, now), formatDateTime(group.last_seen)),
      fact("First release", group.first_release || "–"),
      fact("Last release", group.last_release || "–"),
    ),
    h(
      "section",
      { class: "card" },
      h("h2", { text: "Events per day, last 30 days" }),
      lineChart({
        labels: group.trend.map((day) => day.day),
        ticks: group.trend.map((day) => day.day.slice(5)),
        width: ctx.chartWidth(),
        series: [{ name: "Events", values: group.trend.map((day) => day.count), className: "s-exceptions" }],
      }),
    ),
    group.latest_event ? latestEvent(group.latest_event, { project: group.project }) : null,
    grouping(group.grouping),
    h(
      "div",
      { class: "grid" },
      breakdownsCard(group.breakdowns),
      h(
        "section",
        { class: "card" },
        h("h2", { text: "Pages, per 1,000 views (30 days)" }),
        pages instanceof Error
          ? errorBox(pages)
          : breakdownTable({
              rows: pages.items,
              columns: [
                { key: "per_1k", label: "Per 1k", format: formatRate },
                { key: "exceptions", label: "Errors" },
                { key: "pageviews", label: "Views" },
              ],
            }),
      ),
    ),
    eventList(ctx, events),
    alertsFiredCard(alerts, group.project, now),
    history(group.history, now),
  );
}

/** The group's breakdowns it has (environment is newer than the others), opening on one with rows. */
export function breakdownsCard(breakdowns) {
  const tabs = BREAKDOWNS.filter(([name]) => Array.isArray(breakdowns[name]));
  // A server SDK's events have no browser: open on the first breakdown that says something.
  const initial = (tabs.find(([name]) => breakdowns[name].length) || tabs[0])[0];
  return tabbedCard(
    "Breakdowns",
    tabs,
    (name) => breakdownTable({ rows: breakdowns[name].map((row) => ({ key: row.value, count: row.count })), columns: [{ key: "count", label: "Events" }] }),
    initial,
  );
}

function fact(label, value, title) {
  return h("div", { class: "metric" }, h("div", { class: "metric-label", text: label }), h("div", { class: "metric-value small", title, text: value }));
}

function triage(ctx, group) {
  const id = group.id;
  const send = async (change, done) => {
    try {
      await ctx.api.patch(`/groups/${id}`, change);
      toast(done);
      ctx.refresh();
    } catch (error) {
      ctx.showError(error);
    }
  };
  if (group.status !== "unresolved") {
    return h(
      "section",
      { class: "card triage" },
      h("p", { text: stateText(group) }),
      h("button", { type: "button", text: "Reopen", onclick: () => send({ status: "unresolved" }, "Reopened") }),
    );
  }
  const release = h("input", { type: "text", placeholder: "e.g. 2.4.1", "aria-label": "Release that fixes it", maxlength: 120 });
  const duration = h("select", { "aria-label": "Ignore for" }, IGNORE_FOR.map(([ms, label]) => h("option", { value: ms, text: label })));
  const events = h("input", { type: "number", min: 1, value: 100, "aria-label": "More events", class: "narrow" });
  return h(
    "section",
    { class: "card triage" },
    h(
      "div",
      { class: "actions" },
      h("span", { class: "action-label", text: "Resolve" }),
      h("button", { type: "button", text: "Now", onclick: () => send({ status: "resolved" }, "Resolved") }),
      h("button", { type: "button", class: "secondary", text: "In the next release", onclick: () => send({ status: "resolved", resolve_in: "next_release" }, "Resolved in the next release") }),
      h(
        "form",
        {
          class: "inline",
          onsubmit: (event) => {
            event.preventDefault();
            if (release.value.trim()) send({ status: "resolved", resolve_in: release.value.trim() }, `Resolved in ${release.value.trim()}`);
          },
        },
        release,
        h("button", { type: "submit", class: "secondary", text: "In release" }),
      ),
    ),
    h(
      "div",
      { class: "actions" },
      h("span", { class: "action-label", text: "Ignore" }),
      h("button", { type: "button", class: "secondary", text: "Forever", onclick: () => send({ status: "ignored" }, "Ignored") }),
      h(
        "form",
        {
          class: "inline",
          onsubmit: (event) => {
            event.preventDefault();
            const until = new Date(ctx.now().getTime() + Number(duration.value)).toISOString();
            send({ status: "ignored", ignore_until: { until } }, "Ignored for now");
          },
        },
        h("button", { type: "submit", class: "secondary", text: "For" }),
        duration,
      ),
      h(
        "form",
        {
          class: "inline",
          onsubmit: (event) => {
            event.preventDefault();
            send({ status: "ignored", ignore_until: { events: Number(events.value) } }, "Ignored until more events");
          },
        },
        h("button", { type: "submit", class: "secondary", text: "Until" }),
        events,
        h("span", { class: "muted", text: "more events" }),
      ),
    ),
  );
}

function stateText(group) {
  if (group.status === "resolved") {
    const { kind, release, resolved_at: at } = group.resolution;
    const how = kind === "next_release" ? " in the next release" : kind === "release" ? ` in release ${release}` : "";
    return `Resolved${how} ${timeAgo(at, new Date())}. A new event${kind === "now" ? "" : " in a later release"} reopens it as regressed.`;
  }
  const { until, until_count: count } = group.ignore;
  if (until) return `Ignored until ${formatDateTime(until)}.`;
  if (count) return `Ignored until ${formatNumber(count)} more events.`;
  return "Ignored forever.";
}

function grouping(info) {
  const how = {
    frames: "the exception type and the first named in-app frame",
    message: "the exception type and the first line of the message, with ids and numbers replaced",
    custom: "a fingerprint the reporting code chose",
  }[info.method];
  const parts = [["Type", info.type]];
  for (const frame of info.frames) parts.push(["Frame", [frame.module, frame.function].filter(Boolean).join(" · ")]);
  if (info.message) parts.push(["Message", info.message]);
  for (const custom of info.custom) parts.push(["Custom", custom]);
  if (info.override) parts.push(["Override", info.override]);
  parts.push(["Fingerprint", `${info.fingerprint} (version ${info.version})`]);
  return h(
    "section",
    { class: "card" },
    h("details", null, h("summary", null, h("h2", { class: "inline-h", text: "Why these events are grouped" })), h("p", { text: `Events share this group when they have the same ${how}.` }), keyValues(parts.filter(([, value]) => value))),
  );
}

function eventList(ctx, events) {
  const { params } = ctx.route;
  const here = ctx.route.path;
  // Environment only when some event has one: the tracker's reports never do.
  const withEnvironment = events.items.some((event) => event.environment);
  const headings = ["Received", "Message", "Page", "Browser", "Release", ...(withEnvironment ? ["Environment"] : [])];
  return h(
    "section",
    { class: "card" },
    h("h2", { text: "Events" }),
    events.items.length
      ? h(
          "div",
          { class: "scroll" },
          h(
          "table",
          { class: "events" },
          h("thead", null, h("tr", null, headings.map((label) => h("th", { scope: "col", text: label })))),
          h(
            "tbody",
            null,
            events.items.map((event) =>
              h(
                "tr",
                null,
                h("td", { class: "nowrap", text: formatDateTime(event.received_at) }),
                h("td", { class: "clip", text: event.message || "" }),
                h("td", { class: "clip", text: event.path || "" }),
                h("td", { text: [event.browser, event.browser_version].filter(Boolean).join(" ") }),
                h("td", { text: event.release || "" }),
                withEnvironment ? h("td", { text: event.environment || "" }) : null,
              ),
            ),
          ),
          ),
        )
      : h("p", { class: "muted", text: "No events." }),
    h(
      "nav",
      { class: "pager", "aria-label": "Event pages" },
      params.events ? h("a", { class: "button secondary", href: buildRoute(here, withParams(params, { events: "" })), text: "Newest" }) : null,
      events.next_cursor ? h("a", { class: "button secondary", href: buildRoute(here, withParams(params, { events: events.next_cursor })), text: "Older events" }) : null,
    ),
  );
}

function history(entries, now) {
  return h(
    "section",
    { class: "card" },
    h("h2", { text: "History" }),
    h(
      "ol",
      { class: "history" },
      entries.map((entry) =>
        h(
          "li",
          null,
          h("strong", { text: entry.kind.replaceAll("_", " ") }),
          " ",
          h("span", { class: "muted", title: formatDateTime(entry.at), text: timeAgo(entry.at, now) }),
          entry.actor ? h("span", { class: "muted", text: ` by ${entry.actor}` }) : null,
          entry.detail && Object.keys(entry.detail).length ? h("span", { class: "muted", text: ` (${describe(entry.detail)})` }) : null,
        ),
      ),
    ),
  );
}

function describe(detail) {
  return Object.entries(detail)
    .map(([key, value]) => `${key}: ${typeof value === "object" ? JSON.stringify(value) : value}`)
    .join(", ");
}
