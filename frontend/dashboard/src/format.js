// Numbers, durations and dates as the dashboard shows them. Pure: no DOM, no clock of its own
// (callers pass `now`), so the tests pin every case.

const DASH = "–";

/** 1234 -> "1,234", 12345 -> "12.3k", 1234567 -> "1.2M"; null/undefined -> "–". */
export function formatNumber(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return DASH;
  const abs = Math.abs(value);
  if (abs < 10000) return Math.round(value).toLocaleString("en-US");
  // Units switch where rounding would otherwise show "1000k".
  if (abs < 999500) return `${trim(value / 1e3)}k`;
  if (abs < 999500000) return `${trim(value / 1e6)}M`;
  return `${trim(value / 1e9)}B`;
}

function trim(scaled) {
  // One decimal below 100 (12.3k), none above (123k); never "12.0k".
  const digits = Math.abs(scaled) < 100 ? 1 : 0;
  return scaled.toFixed(digits).replace(/\.0$/, "");
}

/** A share in 0..1 as "42%" (one decimal under 10%); null -> "–". */
export function formatPercent(ratio) {
  if (ratio === null || ratio === undefined) return DASH;
  const percent = ratio * 100;
  return `${percent < 10 && percent !== 0 ? percent.toFixed(1) : Math.round(percent)}%`;
}

/** A rate per 1,000 page views: "0.8", "12", "1,250"; null -> "–". */
export function formatRate(value) {
  if (value === null || value === undefined) return DASH;
  if (value < 10) return value.toFixed(1).replace(/\.0$/, "");
  return formatNumber(value);
}

/**
 * The change from the previous period: { text: "+12%", direction: "up" | "down" | "flat" }.
 * No previous value (0 or null) has no meaningful percentage: "new" when something appeared,
 * nothing when both are 0 ("0%" would read as a change from nothing).
 */
export function formatDelta(current, previous) {
  if (current === null || current === undefined || previous === null || previous === undefined) {
    return { text: "", direction: "flat" };
  }
  if (previous === 0) {
    return current === 0 ? { text: "", direction: "flat" } : { text: "new", direction: "up" };
  }
  const change = (current - previous) / previous;
  if (Math.abs(change) < 0.005) return { text: "0%", direction: "flat" };
  const percent = Math.abs(change) * 100;
  const shown = percent >= 1000 ? formatNumber(Math.round(percent)) : Math.round(percent);
  return { text: `${change > 0 ? "+" : "−"}${shown}%`, direction: change > 0 ? "up" : "down" };
}

/** Milliseconds as "850 ms", "12 s", "3 min 5 s", "2 h 3 min", "4 d 2 h"; null -> "–". */
export function formatDuration(ms) {
  if (ms === null || ms === undefined) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return pair(minutes, "min", seconds % 60, "s");
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return pair(hours, "h", minutes % 60, "min");
  return pair(Math.floor(hours / 24), "d", hours % 24, "h");
}

function pair(big, bigUnit, small, smallUnit) {
  return small ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`;
}

/** "2026-11-24 03:09" in the given time zone (the browser's by default); null -> "–". */
export function formatDateTime(iso, timeZone) {
  if (!iso) return DASH;
  const parts = partsOf(new Date(iso), timeZone, true);
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** "2026-11-24" in the given time zone (the browser's by default). */
export function formatDay(date, timeZone) {
  const parts = partsOf(date instanceof Date ? date : new Date(date), timeZone, false);
  return `${parts.year}-${parts.month}-${parts.day}`;
}

function partsOf(date, timeZone, withTime) {
  const options = { timeZone, year: "numeric", month: "2-digit", day: "2-digit" };
  if (withTime) Object.assign(options, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const parts = {};
  for (const part of new Intl.DateTimeFormat("en-CA", options).formatToParts(date)) {
    parts[part.type] = part.value;
  }
  return parts;
}

/** "just now", "5 min ago", "3 h ago", "2 d ago"; older than 30 days: the date. */
export function timeAgo(iso, now, timeZone) {
  if (!iso) return DASH;
  const seconds = Math.round((now.getTime() - new Date(iso).getTime()) / 1000);
  if (seconds < 45) return "just now";
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  if (seconds < 30 * 86400) return `${Math.round(seconds / 86400)} d ago`;
  return formatDay(new Date(iso), timeZone);
}

/** A time-series bucket label: the time for buckets under a day, else the date. */
export function formatBucket(iso, interval, timeZone) {
  const full = formatDateTime(iso, timeZone);
  return ["day", "week"].includes(interval) ? full.slice(0, 10) : full;
}

/** A short axis label: "14:00" when the whole range is within a day, else "11-24". */
export function formatTick(iso, spanMs, timeZone) {
  const full = formatDateTime(iso, timeZone);
  return spanMs <= 86400000 ? full.slice(11) : full.slice(5, 10);
}

const BYTE_UNITS = ["KiB", "MiB", "GiB"];

/** A size in bytes: "512 B", "4.5 KiB", "120.6 KiB", "2.3 MiB"; null -> "–". */
export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined || Number.isNaN(bytes)) return DASH;
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes / 1024;
  let unit = 0;
  // Switch units where rounding would otherwise show "1024 KiB".
  while (value >= 1023.95 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${trim(value)} ${BYTE_UNITS[unit]}`;
}
