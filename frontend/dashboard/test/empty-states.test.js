// @vitest-environment jsdom
// What a newcomer sees before the first reports: pages that say what to paste next, no change
// figures from nothing, and one day of data drawn as itself rather than as growth.
import { describe, expect, it } from "vitest";
import { lineChart, sparkline } from "../src/charts.js";
import { CAPTURE_SNIPPET, trackerSnippet } from "../src/snippets.js";
import { analytics } from "../src/views/analytics.js";
import { inbox } from "../src/views/inbox.js";
import { overview } from "../src/views/overview.js";
import { fakeCtx, tick } from "./context.js";

const TAG = trackerSnippet(location.origin);
const DSN = "http://0f3c2a9d8e7b4c1a9f2e6d5c4b3a2918@127.0.0.1:8080/1";
const PROJECT = { id: 1, name: "example.com", dsn: DSN };
const NOTHING = { items: [], next_cursor: null };
const summary = (pageviews, exceptions) => ({
  visitors: pageviews,
  pageviews,
  events: 0,
  exceptions,
  bounce_rate: null,
  median_duration_ms: null,
});
const day = (pageviews, exceptions) => ({ timestamp: "2026-11-24T00:00:00Z", visitors: pageviews, pageviews, exceptions });
// One exception today, never a page view: what the README's test exception leaves behind.
const ONLY_AN_EXCEPTION = {
  summary: summary(0, 1),
  previous_summary: summary(0, 0),
  timeseries: [day(0, 0), day(0, 1)],
  previous_timeseries: [day(0, 0), day(0, 0)],
  range: { from: "2026-11-23T00:00:00Z", to: "2026-11-25T00:00:00Z", interval: "day" },
  breakdowns: {},
};

const codes = (node) => [...node.querySelectorAll(".copyable code")].map((code) => code.textContent);
const links = (node) => [...node.querySelectorAll("a")].map((a) => [a.textContent, a.getAttribute("href")]);

describe("the overview", () => {
  it("without projects shows the tracker tag to copy and the way to Manage", async () => {
    const page = await overview(fakeCtx({ "GET /projects": NOTHING }));
    expect(page.querySelector("h2").textContent).toBe("No projects yet");
    expect(codes(page)).toEqual([TAG]);
    expect(page.querySelector(".copyable button").textContent).toBe("Copy");
    expect(links(page)).toContainEqual(["Manage", "#/manage"]);
  });

  it("shows the tag in a project's card until its first page view, and no 0% from nothing", async () => {
    const ctx = fakeCtx({
      "GET /projects": { items: [PROJECT], next_cursor: null },
      "GET /stats": ONLY_AN_EXCEPTION,
      "GET /groups": { items: [], next_cursor: null, counts: { new: 1, regressed: 0 } },
    });
    const page = await overview(ctx);
    await tick();
    const card = page.querySelector(".project-card");
    expect(card.querySelector(".setup h3").textContent).toBe("No page views in this range");
    expect(codes(card)).toEqual([TAG]);
    expect(links(card.querySelector(".setup"))).toContainEqual(["Manage", "#/manage"]);
    const figures = [...card.querySelectorAll(".figure")].map((figure) => figure.textContent);
    expect(figures).toEqual(["0Visitors ", "0Page views ", "1Exceptions new"]);
  });

  it("leaves the tag out once page views arrive", async () => {
    const ctx = fakeCtx({
      "GET /projects": { items: [PROJECT], next_cursor: null },
      "GET /stats": { ...ONLY_AN_EXCEPTION, summary: summary(5, 1) },
      "GET /groups": { items: [], next_cursor: null, counts: { new: 0, regressed: 0 } },
    });
    const page = await overview(ctx);
    await tick();
    expect(page.querySelector(".setup")).toBeNull();
  });
});

describe("a project's analytics page", () => {
  it("with exceptions but no page views shows the tag above its figures", async () => {
    const ctx = fakeCtx({
      "GET /projects/1": PROJECT,
      "GET /stats": ONLY_AN_EXCEPTION,
      "GET /stats/errors-per-pageview": NOTHING,
    });
    const page = await analytics(ctx, 1);
    expect(page.querySelector(".setup h3").textContent).toBe("No page views in this range");
    expect(codes(page.querySelector(".setup"))).toEqual([TAG]);
    expect(page.querySelector(".metric").textContent).toBe("Visitors0 ");
  });
});

describe("the exception inbox", () => {
  const empty = { items: [], next_cursor: null, counts: { unresolved: 0, resolved: 0, ignored: 0 } };

  it("before any report shows error capture and how to get a DSN", async () => {
    const page = await inbox(fakeCtx({ "GET /projects": NOTHING, "GET /groups": empty }));
    const state = page.querySelector(".setup-exceptions");
    expect(state.querySelector("h2").textContent).toBe("No exceptions yet");
    expect(codes(state).slice(0, 2)).toEqual([TAG, CAPTURE_SNIPPET]);
    expect(codes(state)[2]).toMatch(/^curl -X POST '.*\/track\/exception'/);
    expect(state.textContent).toContain("faultline project create --name NAME");
    expect(links(state)).toContainEqual(["Manage", "#/manage"]);
  });

  it("lists each project's DSN with a copy button and its setup code", async () => {
    const other = { id: 2, name: "shop-api", dsn: DSN.replace(/1$/, "2") };
    const ctx = fakeCtx({ "GET /projects": { items: [PROJECT, other], next_cursor: null }, "GET /groups": empty });
    const dsns = (await inbox(ctx)).querySelectorAll(".dsns li");
    expect([...dsns].map((item) => item.querySelector("code").textContent)).toEqual([DSN, other.dsn]);
    expect(dsns[1].querySelector("button").textContent).toBe("Copy DSN");
    expect(links(dsns[1])).toEqual([["setup code", "#/projects/2/settings"]]);
    const filtered = fakeCtx({ "GET /projects": { items: [PROJECT, other], next_cursor: null }, "GET /groups": empty }, { project: "2" });
    expect((await inbox(filtered)).querySelectorAll(".dsns li")).toHaveLength(1);
  });

  it("says only that a status is empty once something has reported", async () => {
    const resolvedOnly = { ...empty, counts: { unresolved: 0, resolved: 3, ignored: 0 } };
    const page = await inbox(fakeCtx({ "GET /projects": { items: [PROJECT], next_cursor: null }, "GET /groups": resolvedOnly }));
    expect(page.querySelector(".setup-exceptions")).toBeNull();
    expect(page.querySelector(".card.empty").textContent).toBe("Nothing to fix: no unresolved exceptions.");
  });

  it("keeps its filters' own message", async () => {
    const page = await inbox(fakeCtx({ "GET /projects": NOTHING, "GET /groups": empty }, { release: "web@3" }));
    expect(page.querySelector(".card.empty").textContent).toBe("No groups match these filters.");
  });
});

describe("one day of data", () => {
  it("is a bar in a sparkline, not a ramp from the day before", () => {
    const spark = sparkline([0, 0, 0, 4]);
    expect(spark.querySelector("path")).toBeNull();
    const bar = spark.querySelector("rect.spark-bar");
    expect(Number(bar.getAttribute("x")) + Number(bar.getAttribute("width"))).toBeLessThanOrEqual(100);
    expect(Number(bar.getAttribute("height"))).toBeGreaterThan(20);
    expect(sparkline([0, 2, 0, 4]).querySelector("rect")).toBeNull();
  });

  it("is a point in a line chart, beside a previous period drawn as a line", () => {
    const chart = lineChart({
      labels: ["a", "b", "c"],
      series: [{ name: "Page views", values: [0, 0, 5], className: "s-pageviews" }],
      previous: { values: [1, 2, 3] },
    });
    expect(chart.querySelectorAll("path.line")).toHaveLength(1);
    expect(chart.querySelector("path.line").classList.contains("previous")).toBe(true);
    const dot = chart.querySelector("circle.dot.s-pageviews");
    expect(dot.getAttribute("cx")).toBe("712");
  });
});
