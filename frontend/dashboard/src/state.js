// The URL is the state: every view reads what it shows from the hash (#/path?query), so any
// view can be bookmarked, shared and reached with Back. Pure: no DOM, no clock of its own.

/** "#/issues/12?status=resolved" -> { path: ["issues", "12"], params: { status: "resolved" } } */
export function parseRoute(hash) {
  const text = (hash || "").replace(/^#/, "");
  const cut = text.indexOf("?");
  const pathPart = cut === -1 ? text : text.slice(0, cut);
  const params = {};
  if (cut !== -1) {
    for (const [key, value] of new URLSearchParams(text.slice(cut + 1))) params[key] = value;
  }
  return { path: pathPart.split("/").filter(Boolean).map(decodeURIComponent), params };
}

/** The inverse of parseRoute; empty and missing parameters are left out. */
export function buildRoute(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
  }
  const text = query.toString();
  return `#/${path.map(encodeURIComponent).join("/")}${text ? `?${text}` : ""}`;
}

/** The current params with some changed (undefined or "" removes one). */
export function withParams(params, changes) {
  const next = { ...params };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === null || value === "") delete next[key];
    else next[key] = String(value);
  }
  return next;
}

// Breakdown name -> the filter field its keys are values of (README, "Web analytics").
export const BREAKDOWN_FIELDS = {
  pages: "path",
  referrers: "referrer",
  referrer_groups: "referrer_group",
  countries: "country",
  languages: "language",
  browsers: "browser",
  versions: "browser_version",
  operating_systems: "os",
  devices: "device",
  utm_sources: "utm_source",
  utm_mediums: "utm_medium",
  utm_campaigns: "utm_campaign",
  event_names: "event",
  releases: "release",
  sources: "source",
  projects: "project",
};
const FIELDS = new Set(Object.values(BREAKDOWN_FIELDS));

/** [{ field, op, value }] -> `path == "/a" && browser.contains("Fire")`. */
export function toExpression(filters) {
  return filters
    .map(({ field, op, value }) => {
      const quoted = JSON.stringify(value);
      return op === "==" || op === "!=" ? `${field} ${op} ${quoted}` : `${field}.${op}(${quoted})`;
    })
    .join(" && ");
}

const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|&&|\.|\(|\)))/y;

/**
 * The filters of an expression, or null when it is not one the server would read the same
 * way (a hand-edited URL): the page then shows the error instead of guessing.
 */
export function parseExpression(text) {
  if (!text || !text.trim()) return [];
  const tokens = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (!text.slice(TOKEN.lastIndex).trim()) break;
    const match = TOKEN.exec(text);
    if (!match) return null;
    tokens.push(match[1] !== undefined ? { string: match[1] } : { word: match[2] ?? match[3] });
  }
  const filters = [];
  let at = 0;
  const word = () => tokens[at]?.word;
  const string = () => {
    if (tokens[at]?.string === undefined) throw new SyntaxError("expected a string");
    return JSON.parse(tokens[at++].string);
  };
  try {
    for (;;) {
      const field = word();
      if (!FIELDS.has(field)) return null;
      at++;
      let op = word();
      at++;
      let value;
      if (op === "==" || op === "!=") {
        value = string();
      } else if (op === ".") {
        op = word();
        at++;
        if ((op !== "startsWith" && op !== "contains") || word() !== "(") return null;
        at++;
        value = string();
        if (word() !== ")") return null;
        at++;
      } else {
        return null;
      }
      filters.push({ field, op, value });
      if (at === tokens.length) return filters;
      if (word() !== "&&") return null;
      at++;
    }
  } catch {
    return null;
  }
}

/** The filters with an equality on `field` set to `value` (replacing one on the same field). */
export function addFilter(filters, field, value) {
  return [...filters.filter((f) => !(f.field === field && f.op === "==")), { field, op: "==", value }];
}

/** The filters without the one at `index`. */
export function removeFilter(filters, index) {
  return filters.filter((_, i) => i !== index);
}

export const RANGES = [
  { id: "today", label: "Today" },
  { id: "7d", label: "7 days" },
  { id: "30d", label: "30 days" },
  { id: "90d", label: "90 days" },
  { id: "custom", label: "Custom" },
];
const DAY_MS = 86400000;

/** Local midnight of a YYYY-MM-DD day, or null when it is not one. */
export function parseDay(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return date.getDate() === Number(match[3]) ? date : null;
}

/**
 * The window `{ from, to }` (Dates) a range parameter stands for. Local days, as people think
 * of "today"; a custom range covers its last day whole. Unknown ranges mean 7 days.
 */
export function rangeWindow(params, now) {
  const range = params.range || "7d";
  if (range === "today") {
    return { from: new Date(now.getFullYear(), now.getMonth(), now.getDate()), to: now };
  }
  if (range === "custom") {
    const from = parseDay(params.from);
    const last = parseDay(params.to);
    if (from && last && from <= last) {
      const end = new Date(last.getFullYear(), last.getMonth(), last.getDate() + 1);
      // A range reaching into the future ends now: the chart has no empty tail.
      return { from, to: end > now && now > from ? now : end };
    }
  }
  const days = { "30d": 30, "90d": 90 }[range] || 7;
  return { from: new Date(now.getTime() - days * DAY_MS), to: now };
}

/** Which of a few ranges a params object chooses, for the picker. */
export function rangeId(params) {
  return RANGES.some((r) => r.id === params.range) ? params.range : "7d";
}

/** A local date as the YYYY-MM-DD of <input type=date>. */
export function formatDayInput(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
