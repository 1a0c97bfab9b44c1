// Pieces shared by several views: paged lists, writes, the range picker, group counts.

import { h } from "../dom.js";
import { RANGES, formatDayInput, rangeId, rangeWindow, withParams } from "../state.js";
import { toast } from "../ui.js";

/** Every item of a paged list (projects, sources, users, tokens: a few pages at most). */
export async function allPages(api, path) {
  const items = [];
  let cursor;
  do {
    const page = await api.get(path, { limit: 100, cursor });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

/** Every project. */
export function allProjects(api) {
  return allPages(api, "/projects");
}

/** Run a write, say so, and render the view again; an error stays on screen. */
export async function act(ctx, work, done) {
  try {
    await work();
    toast(done);
    ctx.refresh();
  } catch (error) {
    ctx.showError(error);
  }
}

/** The window of the route's range as API parameters. */
export function windowParams(params, now) {
  const { from, to } = rangeWindow(params, now);
  return { from: from.toISOString(), to: to.toISOString() };
}

/**
 * Range buttons (today, 7/30/90 days) and, for "custom", two date inputs. Changing it
 * rewrites the URL; the router renders the view again.
 */
export function rangePicker(ctx) {
  const { params } = ctx.route;
  const current = rangeId(params);
  const buttons = RANGES.map((range) =>
    h("button", {
      type: "button",
      class: range.id === current ? "seg active" : "seg",
      "aria-pressed": range.id === current ? "true" : "false",
      text: range.label,
      onclick: () => {
        if (range.id !== "custom") return ctx.go(withParams(params, { range: range.id, from: "", to: "" }));
        const { from, to } = rangeWindow(params, ctx.now());
        const last = new Date(to.getTime() - 1);
        return ctx.go(withParams(params, { range: "custom", from: formatDayInput(from), to: formatDayInput(last) }));
      },
    }),
  );
  const picker = h("div", { class: "range", role: "group", "aria-label": "Time range" }, buttons);
  if (current === "custom") {
    const { from, to } = rangeWindow(params, ctx.now());
    const fromInput = h("input", { type: "date", value: params.from || formatDayInput(from), "aria-label": "From" });
    const toInput = h("input", { type: "date", value: params.to || formatDayInput(new Date(to.getTime() - 1)), "aria-label": "To" });
    const apply = () => ctx.go(withParams(params, { range: "custom", from: fromInput.value, to: toInput.value }));
    fromInput.addEventListener("change", apply);
    toInput.addEventListener("change", apply);
    picker.append(h("span", { class: "dates" }, fromInput, "–", toInput));
  }
  return picker;
}

