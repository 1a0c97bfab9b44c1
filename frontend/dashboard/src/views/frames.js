// A stack trace: frames innermost first, the app's own shown and the others folded, each with
// its code when the report or a source map has it. Frames a source map explained show their
// original function, file and code, with a note on which map matched them and how; a toggle
// switches back to the frames as the browser reported them.

import { h, replace } from "../dom.js";
import { buildRoute } from "../state.js";

// The codes of `unmapped_reason`, for an API that sends no `unmapped_detail` with them.
const UNMAPPED = {
  no_map: "No debug ID matched a map, and no map was uploaded for this URL or file name.",
  position_not_covered: "The map's line range does not cover this position.",
  broken_map: "The map could not be read.",
  no_position: "The frame has no line and column to look up.",
  no_file: "The frame names no script file.",
  not_symbolicated: "The event arrived before source maps were applied.",
};
const MATCHED_BY = {
  debug_id: "matched by debug ID",
  release_url: "matched by release and URL",
  file_name: "matched by file name",
};
// A minified script is one line of megabytes: show this much of a line, around the column.
export const MAX_LINE = 240;

/**
 * The frames innermost first, as reported. In-app frames are shown; each run of other
 * frames (libraries, the browser) folds into one <details> line. When a source map explained
 * some of them, a bar above says how many and offers "Show minified". `project` (an id)
 * links a frame's map to the project's source maps.
 */
export function stack(frames, { project } = {}) {
  if (!frames.length) return h("p", { class: "muted", text: "No frames could be parsed from this stack." });
  const mapped = frames.filter((frame) => frame.mapped === true).length;
  if (!mapped) return frameList(frames, { minified: false, project });
  const body = h("div", { class: "stack-body" });
  const toggle = h("button", {
    type: "button",
    class: "small secondary",
    "aria-pressed": "false",
    text: "Show minified",
    onclick: () => show(toggle.getAttribute("aria-pressed") !== "true"),
  });
  const said = h("span", { class: "muted" });
  const counted = `${mapped} of ${frames.length} frame${frames.length > 1 ? "s" : ""}`;
  function show(minified) {
    toggle.setAttribute("aria-pressed", String(minified));
    view.classList.toggle("minified", minified);
    said.textContent = minified ? `Minified frames, as the browser reported them (source maps explain ${counted}).` : `Source maps: ${counted} mapped to the original code.`;
    replace(body, frameList(frames, { minified, project }));
  }
  const view = h("div", { class: "stack" }, h("div", { class: "stack-bar" }, said, toggle), body);
  show(false);
  return view;
}

function frameList(frames, options) {
  const list = h("ol", { class: "frames" });
  let run = [];
  const flush = () => {
    if (!run.length) return;
    const folded = run;
    run = [];
    list.append(
      h(
        "li",
        { class: "frame-run" },
        h("details", null, h("summary", { text: `${folded.length} other frame${folded.length > 1 ? "s" : ""}` }), h("ol", { class: "frames" }, folded.map((frame) => frameItem(frame, options)))),
      ),
    );
  };
  for (const frame of frames) {
    if (frame.in_app) {
      flush();
      list.append(frameItem(frame, options));
    } else {
      run.push(frame);
    }
  }
  flush();
  return list;
}

function frameItem(frame, { minified, project }) {
  if (frame.mapped === true && frame.original && !minified) return mappedItem(frame, project);
  const where = position(frame.filename || frame.abs_path || frame.module || "(unknown file)", frame.lineno, frame.colno);
  const head = [
    h("span", { class: "fn", text: frame.function || "(anonymous)" }),
    h("span", { class: "at muted", text: " at " }),
    h("span", { class: "file", title: frame.abs_path && frame.abs_path !== frame.filename ? frame.abs_path : null, text: where }),
    // The minified view is the report as sent: why a frame was not mapped belongs to the other.
    minified ? null : unmappedNote(frame),
  ];
  const className = frame.in_app ? "frame in-app" : "frame";
  if (typeof frame.context_line !== "string") return h("li", { class: className }, head);
  // Code open for the app's own frames, folded for libraries'.
  return h("li", { class: `${className} with-code` }, h("details", { open: Boolean(frame.in_app) }, h("summary", null, head), codeContext(frame)));
}

/** A frame by its original function, file:line:column and code, and the map that said so. */
function mappedItem(frame, project) {
  const { original } = frame;
  const minifiedAt = position(frame.filename || frame.abs_path || "(unknown file)", frame.lineno, frame.colno);
  const head = [
    // No original name means anonymous code there; the minified name would be a mangled one.
    h("span", { class: "fn", text: original.function || "(anonymous)" }),
    h("span", { class: "at muted", text: " at " }),
    h("span", { class: "file", title: `minified: ${frame.function ? `${frame.function} at ` : ""}${minifiedAt}`, text: position(original.file, original.line, original.column) }),
    mapNote(frame, project),
  ];
  const className = frame.in_app ? "frame in-app mapped" : "frame mapped";
  const context = frame.context;
  if (!context || typeof context.line !== "string") return h("li", { class: className }, head);
  const code = codeContext({
    lineno: original.line,
    colno: original.column,
    pre_context: context.pre,
    context_line: context.line,
    post_context: context.post,
  });
  return h("li", { class: `${className} with-code` }, h("details", { open: Boolean(frame.in_app) }, h("summary", null, head), code));
}

function position(file, line, column) {
  return [file, line, column].filter((part) => part !== null && part !== undefined).join(":");
}

function mapNote(frame, project) {
  const map = frame.map;
  const parts = [];
  if (map) {
    const bundle = `bundle ${map.bundle_id}`;
    parts.push(
      "Mapped with the source map of ",
      h("span", { class: "map-name", text: map.name }),
      " (",
      project ? h("a", { href: buildRoute(["projects", String(project), "settings"]), text: bundle }) : bundle,
      `), ${MATCHED_BY[map.matched_by] || `matched by ${map.matched_by}`}.`,
    );
  } else {
    parts.push("Mapped with a source map.");
  }
  if (frame.map_note) parts.push(" ", frame.map_note);
  return h("span", { class: "frame-note" }, parts);
}

function unmappedNote(frame) {
  if (frame.mapped !== false) return null;
  const why = frame.unmapped_detail || UNMAPPED[frame.unmapped_reason] || "No source map explained this frame.";
  return h("span", { class: "frame-note unmapped", "data-reason": frame.unmapped_reason || null }, h("span", { class: "note-label", text: "Not mapped: " }), why);
}

/** The lines around a frame's line, numbered, its own line marked; long lines cut to fit. */
export function codeContext(frame) {
  const pre = Array.isArray(frame.pre_context) ? frame.pre_context : [];
  const post = Array.isArray(frame.post_context) ? frame.post_context : [];
  const numbered = Number.isInteger(frame.lineno);
  const first = numbered ? frame.lineno - pre.length : null;
  const lines = [...pre, frame.context_line, ...post];
  return h(
    "div",
    { class: "code", role: "region", "aria-label": `Code around line ${frame.lineno ?? "?"}` },
    lines.map((text, i) => {
      const current = i === pre.length;
      const { text: shown, cut } = clipLine(String(text ?? ""), current ? frame.colno : null);
      return h(
        "div",
        { class: current ? "line current" : "line", "aria-current": current ? "true" : null },
        h("span", { class: "ln", "aria-hidden": "true", text: numbered ? String(first + i) : "" }),
        h("code", { class: "src", title: cut ? "line shortened" : null, text: shown }),
      );
    }),
  );
}

/**
 * A line of at most MAX_LINE characters: the start of a long one, or the part around
 * `column` (1-based) when that is further in, with "…" where text was left out.
 */
export function clipLine(text, column) {
  if (text.length <= MAX_LINE) return { text, cut: false };
  const at = Number.isInteger(column) && column > 0 ? column - 1 : 0;
  const start = Math.max(0, Math.min(at - MAX_LINE / 3, text.length - MAX_LINE));
  const from = Math.floor(start);
  const to = from + MAX_LINE;
  return { text: `${from > 0 ? "…" : ""}${text.slice(from, to)}${to < text.length ? "…" : ""}`, cut: true };
}
