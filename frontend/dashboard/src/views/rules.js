// A project's alert rules on its Alerts page: the list (condition, filters, channels,
// cool-down, muted), muting, editing and deleting a rule, and the form that adds one. Members
// and administrators manage rules; viewers see them.

import { h, replace } from "../dom.js";
import { act } from "./common.js";

const RATES = new Set(["event_rate", "view_rate"]);
const LEVELS = ["fatal", "error", "warning", "info", "debug"];

export const RULE_KINDS = {
  new_group: "New group",
  regression: "Regression",
  ignore_ended: "Ignore ended",
  event_rate: "Event rate",
  view_rate: "Errors per 1,000 views",
};
const exact = (value) => value.toLocaleString("en-US");

/** 45 -> "45 min", 120 -> "2 h", 2880 -> "2 d". */
export function formatMinutes(minutes) {
  if (minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}

/** When a rule fires, in words. */
export function ruleCondition(rule) {
  const window = rule.window_minutes ? formatMinutes(rule.window_minutes) : "?";
  switch (rule.kind) {
    case "new_group":
      return "A new group appears";
    case "regression":
      return "A resolved group is seen again";
    case "ignore_ended":
      return "An ignored group's ignore ends";
    case "event_rate":
      return `More than ${exact(rule.threshold)} events of a group in ${window}`;
    case "view_rate":
      return `More than ${exact(rule.threshold)} errors per 1,000 page views of ${rule.page || "the project"} in ${window}`;
    default:
      return rule.kind;
  }
}

/** A rule's filters in words, "" when it looks at every event. */
export function filtersText(filters) {
  const parts = [];
  if (filters.environment) parts.push(`environment ${filters.environment}`);
  if (filters.release) parts.push(`release ${filters.release}`);
  if (filters.handled === true) parts.push("handled");
  if (filters.handled === false) parts.push("unhandled");
  if (filters.level) parts.push(`level ${filters.level}`);
  return parts.join(" · ");
}

/** The "Alert rules" card. */
export function rulesCard(ctx, project, rules, channels, canManage) {
  const names = new Map(channels.map((channel) => [channel.id, channel.name]));
  // The form opens under the rule it edits, one at a time.
  let open = null;
  const edit = (rule, slot) => {
    if (open) replace(open);
    open = slot;
    replace(slot, h("h3", { text: `Edit “${rule.name}”` }), ruleForm(ctx, project, channels, rule, () => replace(slot)));
    slot.querySelector("input").focus();
  };
  return h(
    "section",
    { class: "card rules" },
    h("h2", { text: "Alert rules" }),
    rules.length
      ? h("div", { class: "rule-list" }, rules.map((rule) => ruleItem(ctx, rule, names, canManage, edit)))
      : h("p", { class: "muted", text: "No alert rules yet: nobody is told when something breaks." }),
    canManage
      ? [h("h3", { text: "Add a rule" }), ruleForm(ctx, project, channels, null)]
      : h("p", { class: "muted", text: "Members and administrators manage alert rules." }),
  );
}

// Laid out like the source map list on the SDK setup page (its bundle-head and bundle-facts).
function ruleItem(ctx, rule, names, canManage, edit) {
  const filters = filtersText(rule.filters);
  const muted = h("input", {
    type: "checkbox",
    checked: rule.muted,
    disabled: !canManage,
    "aria-label": `Mute ${rule.name}`,
    onchange: (event) => {
      const on = event.target.checked;
      act(ctx, () => ctx.api.patch(`/alert-rules/${rule.id}`, { muted: on }), on ? "Rule muted" : "Rule unmuted");
    },
  });
  const remove = () => {
    if (!confirm(`Delete the alert rule “${rule.name}”? The alerts it fired and their deliveries go with it.`)) return;
    act(ctx, () => ctx.api.delete(`/alert-rules/${rule.id}`), "Rule deleted");
  };
  const sendsTo = rule.channel_ids.map((id) => names.get(id)).filter(Boolean);
  const slot = h("div", { class: "rule-editor", "aria-live": "polite" });
  return h(
    "article",
    { class: "project-item alert-rule", "data-rule": rule.id },
    h(
      "div",
      { class: "bundle-head" },
      h("h3", { text: rule.name }),
      h("span", { class: "pill", text: RULE_KINDS[rule.kind] || rule.kind }),
      rule.muted ? h("span", { class: "pill warn", text: "muted" }) : null,
    ),
    h("p", { class: "condition" }, ruleCondition(rule), filters ? h("span", { class: "muted", text: `, only events with ${filters}` }) : null),
    h(
      "dl",
      { class: "kv bundle-facts" },
      h("dt", { text: "Sends to" }),
      h("dd", null, sendsTo.length ? sendsTo.join(", ") : h("span", { class: "muted", text: "no channel: nobody is told" })),
      h("dt", { text: "Cool-down" }),
      h("dd", { text: rule.cooldown_minutes ? `at most one alert per group every ${formatMinutes(rule.cooldown_minutes)}` : "none: every time" }),
    ),
    h(
      "div",
      { class: "inline" },
      h("label", { class: "check-label" }, muted, "Muted"),
      canManage
        ? [
            h("button", { type: "button", class: "small secondary", "aria-label": `Edit ${rule.name}`, text: "Edit", onclick: () => edit(rule, slot) }),
            h("button", { type: "button", class: "small danger", "aria-label": `Delete ${rule.name}`, text: "Delete", onclick: remove }),
          ]
        : null,
    ),
    slot,
  );
}

function labelled(text, control) {
  return h("label", { class: "field" }, h("span", { text }), control);
}

function numberInput(label, value, attrs = {}) {
  return h("input", { type: "number", class: "narrow", value: value ?? "", "aria-label": label, ...attrs });
}

/** The form that adds a rule, or edits `rule`; `done` runs after a saved edit or a cancel. */
export function ruleForm(ctx, project, channels, rule, done) {
  const filters = rule?.filters || {};
  const name = h("input", { type: "text", required: true, maxlength: 200, value: rule?.name || "", placeholder: "Rule name", "aria-label": "Rule name", size: 24 });
  const kind = h("select", { "aria-label": "Kind" }, Object.entries(RULE_KINDS).map(([value, text]) => h("option", { value, selected: value === (rule?.kind || "new_group"), text })));
  const threshold = numberInput("Threshold", rule?.threshold, { min: 0, step: "any" });
  const windowMinutes = numberInput("Window in minutes", rule?.window_minutes, { min: 1, max: 10080 });
  const page = h("input", { type: "text", maxlength: 1024, value: rule?.page || "", placeholder: "/checkout", "aria-label": "Page" });
  const thresholdLabel = h("span");
  // `hidden` goes on plain wrappers: the flex layout of .inline would override it.
  const rate = h("div", { class: "rate-fields" }, h("div", { class: "inline" }, h("span", { class: "field" }, thresholdLabel, threshold), labelled("in", windowMinutes), h("span", { class: "field", text: "minutes" })));
  const pageField = h("div", { class: "page-field" }, h("div", { class: "inline" }, labelled("Of the page (empty: every page)", page)));
  const environment = h("input", { type: "text", maxlength: 64, value: filters.environment || "", placeholder: "any", "aria-label": "Environment", class: "narrow" });
  const release = h("input", { type: "text", maxlength: 120, value: filters.release || "", placeholder: "any", "aria-label": "Release", class: "narrow" });
  const handledNow = filters.handled === true ? "handled" : filters.handled === false ? "unhandled" : "";
  const handled = h(
    "select",
    { "aria-label": "Handled" },
    [["", "handled or not"], ["handled", "handled only"], ["unhandled", "unhandled only"]].map(([value, text]) => h("option", { value, selected: value === handledNow, text })),
  );
  const level = h("select", { "aria-label": "Level" }, h("option", { value: "", text: "any level" }), LEVELS.map((value) => h("option", { value, selected: value === filters.level, text: value })));
  const chosen = new Set(rule?.channel_ids || []);
  const boxes = channels.map((channel) => [channel.id, h("input", { type: "checkbox", checked: chosen.has(channel.id) })]);
  const cooldown = numberInput("Cool-down in minutes", rule?.cooldown_minutes ?? 60, { min: 0, max: 43200 });

  const sync = () => {
    rate.hidden = !RATES.has(kind.value);
    pageField.hidden = kind.value !== "view_rate";
    thresholdLabel.textContent = kind.value === "view_rate" ? "More than (errors per 1,000 views)" : "More than (events)";
  };
  kind.addEventListener("change", sync);
  sync();

  const body = () => {
    const number = (input) => (input.value.trim() === "" ? null : Number(input.value));
    const picked = { environment: environment.value.trim(), release: release.value.trim(), level: level.value };
    const chosenFilters = Object.fromEntries(Object.entries(picked).filter(([, value]) => value));
    if (handled.value) chosenFilters.handled = handled.value === "handled";
    const out = {
      name: name.value.trim(),
      kind: kind.value,
      filters: chosenFilters,
      channel_ids: boxes.filter(([, box]) => box.checked).map(([id]) => id),
      cooldown_minutes: number(cooldown) ?? 0,
    };
    if (RATES.has(kind.value)) Object.assign(out, { threshold: number(threshold), window_minutes: number(windowMinutes) });
    if (kind.value === "view_rate") out.page = page.value.trim() || null;
    return out;
  };
  const submit = (event) => {
    event.preventDefault();
    if (rule) act(ctx, () => ctx.api.patch(`/alert-rules/${rule.id}`, body()).then(done), "Rule saved");
    else act(ctx, () => ctx.api.post(`/projects/${project.id}/alert-rules`, body()), "Rule added");
  };
  return h(
    "form",
    { class: "rule-form", onsubmit: submit },
    h("div", { class: "inline" }, name, labelled("Kind", kind)),
    rate,
    pageField,
    h("div", { class: "inline" }, h("span", { class: "field", text: "Only events with" }), labelled("environment", environment), labelled("release", release), handled, level),
    h(
      "div",
      { class: "inline" },
      h("span", { class: "field", text: "Send to" }),
      boxes.length
        ? channels.map((channel, i) => h("label", { class: "check-label" }, boxes[i][1], channel.name))
        : h("span", { class: "muted", text: "no channel yet (administrators add them below)" }),
    ),
    h("div", { class: "inline" }, labelled("At most one alert per group every", cooldown), h("span", { class: "field", text: "minutes" })),
    h(
      "div",
      { class: "inline" },
      h("button", { type: "submit", text: rule ? "Save rule" : "Add rule" }),
      rule ? h("button", { type: "button", class: "secondary", text: "Cancel", onclick: done }) : null,
    ),
  );
}
