// Small pieces every view uses: notices, copyable code, delta badges, breakdown tables.

import { h } from "./dom.js";
import { formatDelta, formatNumber } from "./format.js";

/** A visible error (role=alert so screen readers hear it). */
export function errorBox(error) {
  return h("p", { class: "notice error", role: "alert", text: error.message || String(error) });
}

export function loading(what = "Loading…") {
  return h("p", { class: "muted loading", role: "status", text: what });
}

/** A short-lived confirmation at the bottom of the screen. */
export function toast(message) {
  const node = h("div", { class: "toast", role: "status", text: message });
  document.body.append(node);
  setTimeout(() => node.remove(), 2500);
}

/** A code block with a Copy button. */
export function copyable(text, label = "Copy") {
  const button = h("button", {
    type: "button",
    class: "small",
    text: label,
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(text);
        toast("Copied");
      } catch {
        // Clipboard refused (insecure context, permission): select it for a manual copy.
        const range = document.createRange();
        range.selectNodeContents(code);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
      }
    },
  });
  const code = h("code", { text });
  return h("div", { class: "copyable" }, h("pre", null, code), button);
}

/** "+12%" coloured by whether going up is good for this measure. */
export function delta(current, previous, upIsGood = true) {
  const { text, direction } = formatDelta(current, previous);
  if (!text) return null;
  const good = direction === "flat" ? "flat" : (direction === "up") === upIsGood ? "good" : "bad";
  return h("span", { class: `delta ${good}`, title: `previous period: ${formatNumber(previous)}`, text });
}

/** A figure with its label and change from the previous period. */
export function metric(label, value, previous, { upIsGood = true, format = formatNumber } = {}) {
  return h(
    "div",
    { class: "metric" },
    h("div", { class: "metric-label", text: label }),
    h("div", { class: "metric-value" }, format(value), " ", delta(value, previous, upIsGood)),
  );
}

/**
 * A breakdown table: rows [{ key, ... }], `columns` [{ key, label, format }], the first
 * column the value; `onPick(row)` makes each value a button that filters by it. A bar behind
 * the value shows its share of the largest row.
 */
export function breakdownTable({ rows, columns, onPick, empty = "No data in this range.", describe = (k) => k }) {
  const max = Math.max(1, ...rows.map((row) => row[columns[0].key] || 0));
  const body = rows.map((row) => {
    const name = row.key === "" ? "(none)" : describe(row.key);
    const label = onPick
      ? h("button", { type: "button", class: "link", title: `Filter by ${name}`, onclick: () => onPick(row), text: name })
      : h("span", { text: name });
    const bar = h("span", { class: "bar" });
    bar.style.width = `${((row[columns[0].key] || 0) / max) * 100}%`;
    return h(
      "tr",
      null,
      h("td", { class: "key" }, bar, label),
      columns.map((column) => h("td", { class: "num", text: (column.format || formatNumber)(row[column.key]) })),
    );
  });
  if (!rows.length) return h("p", { class: "muted", text: empty });
  return h(
    "table",
    { class: "breakdown" },
    h("thead", null, h("tr", null, h("th", { scope: "col", text: "" }), columns.map((c) => h("th", { scope: "col", class: "num", text: c.label })))),
    h("tbody", null, body),
  );
}

/** A labelled <select>; `onchange(value)`. */
export function select(label, value, options, onchange) {
  const id = `f-${label.toLowerCase().replace(/\W+/g, "-")}`;
  return h(
    "label",
    { class: "field", for: id },
    h("span", { text: label }),
    h(
      "select",
      { id, onchange: (event) => onchange(event.target.value) },
      options.map(([optionValue, text]) => h("option", { value: optionValue, selected: optionValue === value, text })),
    ),
  );
}

/** A definition list of [label, value] pairs, values as text. */
export function keyValues(pairs) {
  return h("dl", { class: "kv" }, pairs.map(([key, value]) => [h("dt", { text: key }), h("dd", { text: String(value) })]));
}
