// @vitest-environment jsdom
// Source maps in the dashboard: a tracker report from an esbuild bundle whose frames the API
// mapped back to the original code (the project's list of bundles: sourcemaps-settings.test.js).
//
// The bundle: esbuild --bundle --minify --sourcemap of src/main.js importing src/cart.js, which
// throws in computeTotal for a cart without a coupon. Chromium reported
//   TypeError: Cannot read properties of null (reading 'percent')
//       at r (https://shop.example.com/assets/app-3f9a.js:1:87)
//       at n (https://shop.example.com/assets/app-3f9a.js:1:157)
//       at u (https://shop.example.com/assets/app-3f9a.js:1:246)
//       at HTMLButtonElement.<anonymous> (https://shop.example.com/assets/app-3f9a.js:1:317)
// and symbolic maps those to ../src/cart.js:7:32 computeTotal, ../src/cart.js:12:13
// formatTotal, ../src/main.js:5:20 renderCart and ../src/main.js:9:3 (the click handler, an
// arrow function without a name: no original function). A vendor chunk without a map is added
// below the four.
import { describe, expect, it } from "vitest";
import { fakeCtx, tick } from "./context.js";
import { latestEvent } from "../src/views/event.js";
import { MAX_LINE, clipLine, stack } from "../src/views/frames.js";
import { groupPage } from "../src/views/group.js";

const PAYLOAD = `<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>`;
const BUNDLE_URL = "https://shop.example.com/assets/app-3f9a.js";
const CART = [
  "// The cart's total, with the discount of its coupon.",
  "export function computeTotal(cart) {",
  "  let total = 0;",
  "  for (const item of cart.items) {",
  "    total += item.price * item.quantity;",
  "  }",
  "  const discount = cart.coupon.percent / 100;",
  "  return Math.round(total * (1 - discount) * 100) / 100;",
  "}",
  "",
  "export function formatTotal(cart) {",
  "  return `${computeTotal(cart).toFixed(2)} EUR`;",
  "}",
];
const MAIN = [
  'import { formatTotal } from "./cart.js";',
  "",
  "function renderCart(cart) {",
  '  const el = document.getElementById("total");',
  "  el.textContent = formatTotal(cart);",
  "}",
  "",
  'document.getElementById("checkout").addEventListener("click", () => {',
  "  renderCart({ items: [{ price: 12.5, quantity: 2 }], coupon: null });",
  "});",
];
const MAP = { file_id: 9, bundle_id: 3, name: "app-3f9a.js", matched_by: "debug_id" };

/** The code around 1-based `line` of `lines`, five lines each side, as the API sends it. */
function around(lines, line) {
  return { pre: lines.slice(Math.max(0, line - 6), line - 1), line: lines[line - 1], post: lines.slice(line, line + 5) };
}

function mapped(fn, colno, file, line, column, original, lines, extra = {}) {
  return {
    function: fn,
    filename: BUNDLE_URL,
    lineno: 1,
    colno,
    in_app: true,
    mapped: true,
    original: { file, line, column, function: original },
    context: around(lines, line),
    map: MAP,
    ...extra,
  };
}

// Innermost first, as the API lists them; the vendor chunk was never uploaded.
const FRAMES = [
  mapped("r", 87, "../src/cart.js", 7, 32, "computeTotal", CART),
  mapped("n", 157, "../src/cart.js", 12, 13, "formatTotal", CART),
  mapped("u", 246, "../src/main.js", 5, 20, "renderCart", MAIN),
  mapped("HTMLButtonElement.<anonymous>", 317, "../src/main.js", 9, 3, null, MAIN),
  {
    function: "HTMLButtonElement.i",
    filename: "https://shop.example.com/assets/vendor-8c1d.js",
    lineno: 2,
    colno: 14022,
    in_app: false,
    mapped: false,
    unmapped_reason: "no_map",
    unmapped_detail: "No debug ID matched a map, and no map was uploaded for this URL or file name.",
  },
];
const EVENT = {
  id: "01JE",
  received_at: "2026-11-24T11:00:00Z",
  type: "TypeError",
  message: "Cannot read properties of null (reading 'percent')",
  stack: `TypeError: Cannot read properties of null (reading 'percent')\n    at r (${BUNDLE_URL}:1:87)\n    at n (${BUNDLE_URL}:1:157)\n    at u (${BUNDLE_URL}:1:246)\n    at HTMLButtonElement.<anonymous> (${BUNDLE_URL}:1:317)`,
  frames: FRAMES,
  handled: false,
  release: "1.4.0",
  source: "https://shop.example.com",
  path: "/cart",
  browser: "Chrome",
  browser_version: "131",
  os: "Linux",
  device: "desktop",
  metadata: {},
  fingerprint: "9e1a",
  fingerprint_override: null,
};

const heads = (node) => [...node.querySelectorAll(".frame")].map((li) => [li.querySelector(".fn").textContent, li.querySelector(".file").textContent]);

describe("a stack mapped by source maps", () => {
  it("shows the original function, file:line:column and the code around the failing line", () => {
    const view = stack(FRAMES, { project: 3 });
    expect(view.querySelector(".stack-bar").textContent).toContain("Source maps: 4 of 5 frames mapped to the original code.");
    expect(heads(view)).toEqual([
      ["computeTotal", "../src/cart.js:7:32"],
      ["formatTotal", "../src/cart.js:12:13"],
      ["renderCart", "../src/main.js:5:20"],
      ["(anonymous)", "../src/main.js:9:3"],
      ["HTMLButtonElement.i", "https://shop.example.com/assets/vendor-8c1d.js:2:14022"],
    ]);
    const top = view.querySelector(".frame.mapped");
    expect(top.className).toBe("frame in-app mapped with-code");
    expect(top.querySelector("details").open).toBe(true);
    expect(top.querySelector(".file").getAttribute("title")).toBe(`minified: r at ${BUNDLE_URL}:1:87`);
    const lines = [...top.querySelectorAll(".code .line")];
    expect(lines.map((line) => line.querySelector(".ln").textContent)).toEqual(["2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]);
    const current = top.querySelector(".line.current");
    expect(current.getAttribute("aria-current")).toBe("true");
    expect(current.querySelector(".ln").textContent).toBe("7");
    expect(current.querySelector(".src").textContent).toBe("  const discount = cart.coupon.percent / 100;");
    expect(top.querySelector(".code").getAttribute("aria-label")).toBe("Code around line 7");
  });

  it("says per frame which map matched and how, or why the frame stayed minified", () => {
    const view = stack(FRAMES, { project: 3 });
    const note = view.querySelector(".frame.mapped .frame-note");
    expect(note.textContent).toBe("Mapped with the source map of app-3f9a.js (bundle 3), matched by debug ID.");
    expect(note.querySelector("a").getAttribute("href")).toBe("#/projects/3/settings");
    // The vendor chunk folds with the other library frames, and says why it has no original.
    const vendor = view.querySelector(".frame-run .frame");
    expect(view.querySelector(".frame-run summary").textContent).toBe("1 other frame");
    expect(vendor.querySelector(".frame-note.unmapped").textContent).toBe(
      "Not mapped: No debug ID matched a map, and no map was uploaded for this URL or file name.",
    );
    expect(vendor.querySelector(".frame-note").dataset.reason).toBe("no_map");
    const byRelease = stack([{ ...FRAMES[0], map: { ...MAP, matched_by: "release_url" }, map_note: "The map has no sourcesContent, so no code can be shown.", context: undefined }]);
    expect(byRelease.querySelector(".frame-note").textContent).toBe(
      "Mapped with the source map of app-3f9a.js (bundle 3), matched by release and URL. The map has no sourcesContent, so no code can be shown.",
    );
    // Without code there is nothing to fold: a plain line, as the tracker's frames.
    expect(byRelease.querySelector(".frame").className).toBe("frame in-app mapped");
    expect(byRelease.querySelector(".code, details")).toBeNull();
    const byName = stack([{ ...FRAMES[0], map: { ...MAP, matched_by: "file_name" } }]);
    expect(byName.querySelector(".frame-note").textContent).toContain("matched by file name");
  });

  it("switches to the minified frames and back with Show minified", () => {
    const view = stack(FRAMES, { project: 3 });
    const toggle = view.querySelector(".stack-bar button");
    expect(toggle.textContent).toBe("Show minified");
    expect(toggle.getAttribute("aria-pressed")).toBe("false");
    toggle.click();
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
    expect(view.querySelector(".stack-bar span").textContent).toBe("Minified frames, as the browser reported them (source maps explain 4 of 5 frames).");
    expect(heads(view)).toEqual([
      ["r", `${BUNDLE_URL}:1:87`],
      ["n", `${BUNDLE_URL}:1:157`],
      ["u", `${BUNDLE_URL}:1:246`],
      ["HTMLButtonElement.<anonymous>", `${BUNDLE_URL}:1:317`],
      ["HTMLButtonElement.i", "https://shop.example.com/assets/vendor-8c1d.js:2:14022"],
    ]);
    // The frames as reported: no original code, no notes.
    expect(view.querySelector(".code, .frame-note, .frame.mapped")).toBeNull();
    toggle.click();
    expect(toggle.getAttribute("aria-pressed")).toBe("false");
    expect(heads(view)[0]).toEqual(["computeTotal", "../src/cart.js:7:32"]);
  });

  it("notes unmapped frames of a stack that no map explained, without a toggle", () => {
    const frames = [
      { function: "r", filename: BUNDLE_URL, lineno: 1, colno: 87, in_app: true, mapped: false, unmapped_reason: "position_not_covered", unmapped_detail: "The map's line range does not cover this position." },
      { function: "n", filename: BUNDLE_URL, lineno: null, colno: null, in_app: true, mapped: false, unmapped_reason: "no_position" },
      { function: "x", filename: BUNDLE_URL, lineno: 1, colno: 5, in_app: true, mapped: false, unmapped_reason: "broken_map", unmapped_detail: PAYLOAD },
    ];
    const list = stack(frames);
    expect(list.tagName).toBe("OL");
    expect(list.querySelector("button")).toBeNull();
    expect([...list.querySelectorAll(".frame-note")].map((note) => note.textContent)).toEqual([
      "Not mapped: The map's line range does not cover this position.",
      // An API without the sentence: the dashboard's own words for the code.
      "Not mapped: The frame has no line and column to look up.",
      `Not mapped: ${PAYLOAD}`,
    ]);
    expect(list.querySelector("img, script")).toBeNull();
  });

  it("renders frames without source map keys as before", () => {
    const list = stack([{ function: "renderCart", filename: "https://shop.example.com/cart.js", lineno: 10, colno: 5, in_app: true }]);
    expect(list.innerHTML).toBe(
      '<li class="frame in-app"><span class="fn">renderCart</span><span class="at muted"> at </span><span class="file">https://shop.example.com/cart.js:10:5</span></li>',
    );
  });

  it("calls anonymous original code anonymous, never by its mangled name", () => {
    const view = stack([mapped("r", 87, "../src/cart.js", 7, 32, null, CART)]);
    expect(view.querySelector(".fn").textContent).toBe("(anonymous)");
    expect(view.querySelector(".file").getAttribute("title")).toBe(`minified: r at ${BUNDLE_URL}:1:87`);
  });

  it("keeps markup in original names and code as text", () => {
    const view = stack([mapped("r", 87, PAYLOAD, 1, 1, PAYLOAD, [PAYLOAD, PAYLOAD], { map: { ...MAP, name: PAYLOAD } })]);
    expect(view.querySelector(".fn").textContent).toBe(PAYLOAD);
    expect(view.querySelector(".line.current .src").textContent).toBe(PAYLOAD);
    expect(view.querySelector("img, script")).toBeNull();
  });
});

describe("long lines", () => {
  it("keeps short lines whole and cuts a minified line around its column", () => {
    expect(clipLine("  return total;", 3)).toEqual({ text: "  return total;", cut: false });
    const line = `${"a".repeat(5000)}FAIL${"b".repeat(5000)}`;
    const { text, cut } = clipLine(line, 5001);
    expect(cut).toBe(true);
    expect(text.startsWith("…") && text.endsWith("…")).toBe(true);
    expect(text).toContain("FAIL");
    expect(text.length).toBe(MAX_LINE + 2);
    expect(clipLine(line, null).text).toBe(`${"a".repeat(MAX_LINE)}…`);
    expect(clipLine(line, 10000).text.endsWith("b")).toBe(true);
  });

  it("shows an SDK frame's minified context line shortened, marked as such", () => {
    const minified = `(()=>{${"var a=1;".repeat(2000)}r(t)})();`;
    const list = stack([{ function: "r", filename: BUNDLE_URL, lineno: 1, colno: 16004, in_app: true, context_line: minified, pre_context: [], post_context: [] }]);
    const src = list.querySelector(".line.current .src");
    expect(src.textContent.length).toBeLessThanOrEqual(MAX_LINE + 2);
    expect(src.textContent).toContain("r(t)");
    expect(src.getAttribute("title")).toBe("line shortened");
  });
});

describe("the group page of a minified error", () => {
  it("shows the tracker report's mapped stack and the raw stack", async () => {
    const card = latestEvent(EVENT, { project: 3 });
    expect([...card.children].map((child) => child.tagName)).toEqual(["H2", "P", "DIV", "DETAILS", "DL"]);
    expect(card.querySelector(".stack .frame .fn").textContent).toBe("computeTotal");
    expect(card.querySelector("pre.raw").textContent).toContain(`at r (${BUNDLE_URL}:1:87)`);
    const ctx = fakeCtx({
      "GET /groups/5": {
        id: 5,
        project: 3,
        title: "TypeError: Cannot read properties of null (reading 'percent')",
        culprit: "../src/cart.js in computeTotal",
        status: "unresolved",
        regressed: false,
        count: 1,
        first_seen: "2026-11-24T11:00:00Z",
        last_seen: "2026-11-24T11:00:00Z",
        first_release: "1.4.0",
        last_release: "1.4.0",
        trend: [{ day: "2026-11-24", count: 1 }],
        latest_event: EVENT,
        grouping: { method: "frames", type: "TypeError", frames: [{ module: "../src/cart.js", function: "computeTotal" }], message: null, custom: [], override: null, fingerprint: "9e1a", version: 2 },
        breakdowns: { browser: [{ value: "Chrome", count: 1 }], os: [], device: [], release: [], path: [] },
        history: [],
      },
      "GET /groups/5/events": { items: [EVENT], next_cursor: null },
      "GET /groups/5/pages": { items: [] },
      "GET /projects/3": { id: 3, name: "shop.example.com" },
    });
    const page = await groupPage(ctx, 5);
    document.body.replaceChildren(page);
    await tick();
    expect(page.querySelector(".stack .frame-note a").getAttribute("href")).toBe("#/projects/3/settings");
    page.querySelector(".stack-bar button").click();
    expect(page.querySelector(".stack .frame .fn").textContent).toBe("r");
  });
});
