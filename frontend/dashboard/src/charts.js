// Charts as inline SVG: a sparkline for lists and a line chart with the previous period for
// the analytics and group pages. Sizes are in viewBox units; CSS stretches them.

import { s } from "./dom.js";
import { formatNumber } from "./format.js";

function scale(values, width, height, max) {
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  return values.map((value, i) => [
    round(i * step),
    round(height - ((value || 0) / (max || 1)) * height),
  ]);
}

function round(n) {
  return Math.round(n * 10) / 10;
}

function linePath(points) {
  return points.map(([x, y], i) => `${i ? "L" : "M"}${x} ${y}`).join("");
}

/**
 * The index of the only bucket with data, else -1. Joined to its empty neighbours by a line,
 * one day of data would read as a ramp, growth from the day before, so it is drawn alone.
 */
function loneBucket(values) {
  const filled = values.flatMap((value, i) => (value ? [i] : []));
  return filled.length === 1 ? filled[0] : -1;
}

/** A small line of counts; `label` is what screen readers hear. */
export function sparkline(values, { label, className = "" } = {}) {
  const width = 100;
  const height = 24;
  const max = Math.max(1, ...values.map((v) => v || 0));
  const points = scale(values, width, height - 2, max).map(([x, y]) => [x, y + 1]);
  const svg = s("svg", {
    class: `spark ${className}`.trim(),
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: "none",
    role: "img",
    "aria-label": label || "trend",
  });
  const only = loneBucket(values);
  if (only >= 0) {
    const barW = Math.max(3, width / values.length / 2);
    const center = values.length > 1 ? points[only][0] : width / 2;
    const x = round(Math.min(width - barW, Math.max(0, center - barW / 2)));
    svg.append(s("rect", { class: "spark-bar", x, y: points[only][1], width: round(barW), height: round(height - points[only][1]) }));
    return svg;
  }
  const area = `${linePath(points)}L${width} ${height}L0 ${height}Z`;
  svg.append(
    s("path", { class: "spark-area", d: area }),
    s("path", { class: "spark-line", d: linePath(points), "vector-effect": "non-scaling-stroke" }),
  );
  return svg;
}

/**
 * A line chart: `series` [{ name, values, className }] over `labels`, optionally with
 * `previous` values (same length) as a dashed line. Each bucket has a hover/focus target
 * whose <title> tells the exact numbers.
 */
export function lineChart({ labels, ticks = labels, series, previous, previousName = "previous period", width = 720 }) {
  const height = 220;
  const left = 44;
  const bottom = 22;
  const top = 8;
  const plotW = width - left - 8;
  const plotH = height - top - bottom;
  const all = series.flatMap((line) => line.values).concat(previous ? previous.values : []);
  // At least 2, so the middle gridline is a whole number.
  const max = niceMax(Math.max(2, ...all.map((v) => v || 0)));
  const svg = s("svg", {
    class: "chart",
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": `${series.map((line) => line.name).join(", ")} over time`,
  });
  for (const fraction of [0, 0.5, 1]) {
    const y = round(top + plotH - fraction * plotH);
    svg.append(
      s("line", { class: "gridline", x1: left, x2: width - 8, y1: y, y2: y }),
      s("text", { class: "axis", x: left - 6, y: y + 4, "text-anchor": "end", text: formatNumber(max * fraction) }),
    );
  }
  const place = (values) =>
    scale(values, plotW, plotH, max).map(([x, y]) => [round(x + left), round(y + top)]);
  const draw = (values, className) => {
    const points = place(values);
    const only = loneBucket(values);
    if (only < 0) return s("path", { class: className, d: linePath(points) });
    const [cx, cy] = points[only];
    return s("circle", { class: `${className} dot`, cx, cy, r: 4 });
  };
  if (previous) svg.append(draw(previous.values, `line previous ${previous.className || ""}`));
  for (const line of series) svg.append(draw(line.values, `line ${line.className || ""}`));
  const count = labels.length;
  // About one tick label per 120 units, so they never run into each other.
  const tickCount = Math.max(2, Math.min(count, Math.floor(plotW / 120)));
  for (let t = 0; t < tickCount && count; t++) {
    const i = count === 1 ? 0 : Math.round((t * (count - 1)) / (tickCount - 1));
    const x = round(left + (count > 1 ? (i * plotW) / (count - 1) : 0));
    const anchor = t === 0 ? "start" : t === tickCount - 1 ? "end" : "middle";
    svg.append(s("text", { class: "axis", x, y: height - 6, "text-anchor": anchor, text: ticks[i] }));
  }
  // Hover targets: one column per bucket, with the numbers in a native tooltip.
  const columnW = count > 1 ? plotW / (count - 1) : plotW;
  labels.forEach((label, i) => {
    const lines = series.map((line) => `${line.name}: ${formatNumber(line.values[i])}`);
    if (previous) lines.push(`${previousName}: ${formatNumber(previous.values[i])}`);
    const x = round(left + (count > 1 ? i * columnW - columnW / 2 : 0));
    svg.append(
      s(
        "rect",
        { class: "hover", x: Math.max(left, x), y: top, width: round(columnW), height: plotH },
        s("title", { text: `${label}\n${lines.join("\n")}` }),
      ),
    );
  });
  return svg;
}

/** A round upper bound for an axis: 1, 2, 5 times a power of ten. */
export function niceMax(value) {
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= value);
}
