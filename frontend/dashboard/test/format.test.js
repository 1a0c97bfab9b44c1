import { describe, expect, it } from "vitest";
import {
  formatBucket,
  formatDateTime,
  formatDay,
  formatDelta,
  formatDuration,
  formatNumber,
  formatPercent,
  formatRate,
  formatTick,
  timeAgo,
} from "../src/format.js";

describe("formatNumber", () => {
  it.each([
    [0, "0"],
    [7, "7"],
    [1234, "1,234"],
    [9999, "9,999"],
    [12345, "12.3k"],
    [120000, "120k"],
    [99949, "99.9k"],
    [999499, "999k"],
    [999500, "1M"],
    [1000000, "1M"],
    [1234567, "1.2M"],
    [3400000000, "3.4B"],
    [-12345, "-12.3k"],
    [null, "–"],
    [undefined, "–"],
  ])("%s -> %s", (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });
});

describe("formatPercent and formatRate", () => {
  it("gives small shares one decimal", () => {
    expect(formatPercent(0.06)).toBe("6.0%");
    expect(formatPercent(0.425)).toBe("43%");
    expect(formatPercent(0)).toBe("0%");
    expect(formatPercent(null)).toBe("–");
  });
  it("shows rates per 1,000 views compactly", () => {
    expect(formatRate(0.84)).toBe("0.8");
    expect(formatRate(3)).toBe("3");
    expect(formatRate(529.4)).toBe("529");
    expect(formatRate(12500)).toBe("12.5k");
    expect(formatRate(null)).toBe("–");
  });
});

describe("formatDelta", () => {
  it("says how much a figure moved", () => {
    expect(formatDelta(120, 100)).toEqual({ text: "+20%", direction: "up" });
    expect(formatDelta(50, 100)).toEqual({ text: "−50%", direction: "down" });
    expect(formatDelta(100, 100)).toEqual({ text: "0%", direction: "flat" });
    expect(formatDelta(100000, 10)).toEqual({ text: "+1M%", direction: "up" });
  });
  it("has no percentage from nothing", () => {
    expect(formatDelta(5, 0)).toEqual({ text: "new", direction: "up" });
    expect(formatDelta(0, 0)).toEqual({ text: "", direction: "flat" });
    expect(formatDelta(null, 3)).toEqual({ text: "", direction: "flat" });
    expect(formatDelta(0.5, null)).toEqual({ text: "", direction: "flat" });
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0 ms"],
    [850, "850 ms"],
    [1000, "1 s"],
    [44400, "44 s"],
    [60000, "1 min"],
    [185000, "3 min 5 s"],
    [3600000, "1 h"],
    [7380000, "2 h 3 min"],
    [86400000 * 4 + 3600000 * 2, "4 d 2 h"],
    [null, "–"],
  ])("%s ms -> %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("dates", () => {
  const iso = "2026-11-24T03:09:27Z";
  it("formats in the given time zone", () => {
    expect(formatDateTime(iso, "UTC")).toBe("2026-11-24 03:09");
    expect(formatDateTime(iso, "America/New_York")).toBe("2026-11-23 22:09");
    expect(formatDateTime(iso, "Asia/Kolkata")).toBe("2026-11-24 08:39");
    expect(formatDateTime(null)).toBe("–");
    expect(formatDay(iso, "Pacific/Auckland")).toBe("2026-11-24");
  });
  it("says how long ago", () => {
    const now = new Date("2026-11-24T12:00:00Z");
    expect(timeAgo("2026-11-24T11:59:30Z", now)).toBe("just now");
    expect(timeAgo("2026-11-24T11:55:00Z", now)).toBe("5 min ago");
    expect(timeAgo("2026-11-24T09:00:00Z", now)).toBe("3 h ago");
    expect(timeAgo("2026-11-21T12:00:00Z", now)).toBe("3 d ago");
    expect(timeAgo("2026-09-01T12:00:00Z", now, "UTC")).toBe("2026-09-01");
    expect(timeAgo(null, now)).toBe("–");
  });
  it("labels buckets and axis ticks by their size", () => {
    expect(formatBucket(iso, "hour", "UTC")).toBe("2026-11-24 03:09");
    expect(formatBucket(iso, "day", "UTC")).toBe("2026-11-24");
    expect(formatTick(iso, 3600000, "UTC")).toBe("03:09");
    expect(formatTick(iso, 7 * 86400000, "UTC")).toBe("11-24");
  });
});
