// Overview: every project with its traffic, exceptions and new/regressed groups for the range.

import { sparkline } from "../charts.js";
import { h, replace } from "../dom.js";
import { formatNumber } from "../format.js";
import { buildRoute, rangeId } from "../state.js";
import { delta, errorBox } from "../ui.js";
import { allProjects, rangePicker, windowParams } from "./common.js";
import { noPageViews, noProjects } from "./setup.js";

export async function overview(ctx) {
  const projects = await allProjects(ctx.api);
  const range = rangeId(ctx.route.params);
  const window = windowParams(ctx.route.params, ctx.now());
  const heading = h("div", { class: "page-head" }, h("h1", { text: "Overview" }), rangePicker(ctx));
  if (!projects.length) return h("div", null, heading, noProjects());
  const list = h("div", { class: "projects" });
  for (const project of projects) {
    const card = projectCard(ctx, project, range);
    list.append(card.node);
    card.fill(window);
  }
  return h("div", null, heading, list);
}

function projectCard(ctx, project, range) {
  const figures = h("div", { class: "figures" }, h("span", { class: "muted", text: "Loading…" }));
  const trend = h("div", { class: "card-trend" });
  const groups = h("div", { class: "card-groups" });
  const setup = h("div");
  const link = buildRoute(["projects", String(project.id)], range === "7d" ? {} : { range });
  const node = h(
    "section",
    { class: "card project-card" },
    h("h2", null, h("a", { href: link, text: project.name })),
    figures,
    trend,
    groups,
    setup,
  );
  async function fill(window) {
    try {
      // The cheapest breakdown, not none: the API answers 500 to an empty `breakdowns=` when the
      // window has raw edges (app/stats/breakdowns.py builds an empty UNION).
      const stats = await ctx.api.get("/stats", { project: project.id, breakdowns: "projects", limit: 1, ...window });
      const now = stats.summary;
      const before = stats.previous_summary;
      replace(
        figures,
        figure("Visitors", now.visitors, before.visitors, true),
        figure("Page views", now.pageviews, before.pageviews, true),
        figure("Exceptions", now.exceptions, before.exceptions, false),
      );
      const views = stats.timeseries.map((point) => point.pageviews);
      const errors = stats.timeseries.map((point) => point.exceptions || 0);
      replace(
        trend,
        sparkline(views, { label: "page views over the range" }),
        sparkline(errors, { label: "exceptions over the range", className: "errors" }),
      );
      // Without page views or custom events the tracker is not on the project's pages (yet).
      if (!now.pageviews && !now.events) replace(setup, noPageViews());
    } catch (error) {
      replace(figures, errorBox(error));
    }
    try {
      // One request: the list's counts tell how many groups are new or regressed since then.
      const { counts } = await ctx.api.get("/groups", { project: project.id, since: window.from, limit: 1 });
      const inbox = buildRoute(["issues"], { project: project.id });
      replace(
        groups,
        h("a", { href: inbox, class: counts.new ? "pill warn" : "pill" }, `${formatNumber(counts.new)} new`),
        h("a", { href: inbox, class: counts.regressed ? "pill bad" : "pill" }, `${formatNumber(counts.regressed)} regressed`),
      );
    } catch (error) {
      replace(groups, errorBox(error));
    }
  }
  return { node, fill };
}

function figure(label, value, previous, upIsGood) {
  return h(
    "div",
    { class: "figure" },
    h("span", { class: "figure-value", text: formatNumber(value) }),
    h("span", { class: "figure-label" }, label, " ", delta(value, previous, upIsGood)),
  );
}
