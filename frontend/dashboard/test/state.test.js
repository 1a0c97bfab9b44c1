import { describe, expect, it } from "vitest";
import {
  addFilter,
  buildRoute,
  parseDay,
  parseExpression,
  parseRoute,
  rangeId,
  rangeWindow,
  removeFilter,
  toExpression,
  withParams,
} from "../src/state.js";

describe("routes", () => {
  it("reads the path and parameters of the hash", () => {
    expect(parseRoute("#/issues/12?status=resolved&q=a%20b")).toEqual({
      path: ["issues", "12"],
      params: { status: "resolved", q: "a b" },
    });
    expect(parseRoute("")).toEqual({ path: [], params: {} });
    expect(parseRoute("#/")).toEqual({ path: [], params: {} });
  });
  it("round-trips any values, leaving empty ones out", () => {
    const params = { filter: 'path == "/a?b=c&d" && country == "DE"', q: "#hash", empty: "", none: undefined };
    const hash = buildRoute(["projects", "3"], params);
    expect(hash.startsWith("#/projects/3?")).toBe(true);
    expect(parseRoute(hash)).toEqual({ path: ["projects", "3"], params: { filter: params.filter, q: "#hash" } });
    expect(buildRoute([])).toBe("#/");
  });
  it("changes some parameters and removes others", () => {
    expect(withParams({ a: "1", b: "2" }, { b: "", c: 3 })).toEqual({ a: "1", c: "3" });
  });
});

describe("filter expressions", () => {
  it("writes the server's language, quoting values as JSON strings", () => {
    const filters = [
      { field: "path", op: "==", value: "/pricing" },
      { field: "referrer", op: "!=", value: "" },
      { field: "browser", op: "contains", value: 'Fire"fox\\' },
      { field: "path", op: "startsWith", value: "/blog" },
    ];
    const text = toExpression(filters);
    expect(text).toBe('path == "/pricing" && referrer != "" && browser.contains("Fire\\"fox\\\\") && path.startsWith("/blog")');
    expect(parseExpression(text)).toEqual(filters);
  });
  it("reads what people type, with spacing of their own", () => {
    expect(parseExpression('  country=="DE"&&language == "de"  ')).toEqual([
      { field: "country", op: "==", value: "DE" },
      { field: "language", op: "==", value: "de" },
    ]);
    expect(parseExpression("")).toEqual([]);
    expect(parseExpression(undefined)).toEqual([]);
  });
  it("refuses what the server would refuse", () => {
    for (const bad of ['nope == "x"', 'path = "x"', 'path == "x" &&', 'path == x', 'path.endsWith("x")', 'path == "x" country == "y"', 'path == "\\q"']) {
      expect(parseExpression(bad), bad).toBeNull();
    }
  });
  it("adds an equality, replacing one on the same field, and removes by index", () => {
    let filters = addFilter([], "country", "DE");
    filters = addFilter(filters, "path", "/");
    filters = addFilter(filters, "country", "FR");
    expect(filters).toEqual([
      { field: "path", op: "==", value: "/" },
      { field: "country", op: "==", value: "FR" },
    ]);
    expect(removeFilter(filters, 0)).toEqual([{ field: "country", op: "==", value: "FR" }]);
  });
});

describe("ranges", () => {
  const now = new Date(2026, 10, 24, 15, 30);
  it("counts back whole days from now", () => {
    expect(rangeWindow({}, now)).toEqual({ from: new Date(now - 7 * 86400000), to: now });
    expect(rangeWindow({ range: "30d" }, now).from).toEqual(new Date(now - 30 * 86400000));
    expect(rangeWindow({ range: "90d" }, now).from).toEqual(new Date(now - 90 * 86400000));
    expect(rangeWindow({ range: "bogus" }, now).from).toEqual(new Date(now - 7 * 86400000));
  });
  it("starts today at local midnight", () => {
    expect(rangeWindow({ range: "today" }, now)).toEqual({ from: new Date(2026, 10, 24), to: now });
  });
  it("covers a custom range's last day whole, up to now", () => {
    expect(rangeWindow({ range: "custom", from: "2026-11-01", to: "2026-11-10" }, now)).toEqual({
      from: new Date(2026, 10, 1),
      to: new Date(2026, 10, 11),
    });
    expect(rangeWindow({ range: "custom", from: "2026-11-20", to: "2026-11-30" }, now)).toEqual({
      from: new Date(2026, 10, 20),
      to: now,
    });
    // Backwards or unreadable: the default range.
    expect(rangeWindow({ range: "custom", from: "2026-11-10", to: "2026-11-01" }, now).to).toEqual(now);
  });
  it("reads days strictly", () => {
    expect(parseDay("2026-02-30")).toBeNull();
    expect(parseDay("2026-2-3")).toBeNull();
    expect(parseDay("2026-02-03")).toEqual(new Date(2026, 1, 3));
  });
  it("names the picker's choice", () => {
    expect(rangeId({ range: "30d" })).toBe("30d");
    expect(rangeId({})).toBe("7d");
    expect(rangeId({ range: "x" })).toBe("7d");
  });
});
