// @vitest-environment jsdom
// Source maps in the dashboard: a tracker report from an esbuild bundle whose frames the API
// mapped back to the original code, and the project's list of uploaded bundles.
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
import { describe, expect, it, vi } from "vitest";
import { formatBytes } from "../src/format.js";
import { sourcemapUploads } from "../src/snippets.js";
import { latestEvent } from "../src/views/event.js";
import { MAX_LINE, clipLine, stack } from "../src/views/frames.js";
import { groupPage } from "../src/views/group.js";
import { projectSettings } from "../src/views/project.js";
import { sourcemapsCard } from "../src/views/sourcemaps.js";

const PAYLOAD = `<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>`;
const BUNDLE_URL = "https://shop.example.com/assets/app-3f9a.js";
const DEBUG_ID = "c0ffee00-1b2c-4d3e-8f90-a1b2c3d4e5f6";
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

function fakeCtx(routes) {
  const calls = [];
  const answer = (method) => async (url, second) => {
    calls.push({ method, url, args: second });
    const found = routes[`${method} ${url}`];
    if (found === undefined) throw new Error(`unexpected ${method} ${url}`);
    if (found instanceof Error) throw found;
    return typeof found === "function" ? found(second) : found;
  };
  const api = { get: answer("GET"), post: answer("POST"), patch: answer("PATCH"), delete: answer("DELETE") };
  return { api, calls, route: { path: [], params: {} }, now: () => new Date("2026-11-24T12:00:00Z"), refresh: vi.fn(), showError: vi.fn(), chartWidth: () => 800 };
}

const tick = () => new Promise((resolve) => setTimeout(resolve));
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

const BUNDLES = {
  bundles: [
    {
      id: 3,
      release: "1.4.0",
      origin: "cli",
      size: 123456,
      created_at: "2026-11-22T09:30:00Z",
      last_used_at: "2026-11-24T11:00:00Z",
      debug_ids: [DEBUG_ID],
      files: [
        { id: 9, kind: "minified_source", name: "app-3f9a.js", url: "~/assets/app-3f9a.js", debug_id: DEBUG_ID, size: 4567, last_used_at: "2026-11-24T11:00:00Z" },
        { id: 10, kind: "source_map", name: "app-3f9a.js", url: "~/assets/app-3f9a.js", debug_id: DEBUG_ID, size: 118889, last_used_at: "2026-11-24T11:00:00Z" },
      ],
    },
    {
      id: 2,
      release: null,
      origin: "sentry-cli",
      size: 2202009,
      created_at: "2026-11-01T08:00:00Z",
      last_used_at: null,
      debug_ids: [],
      files: [{ id: 4, kind: "source_map", name: PAYLOAD, url: null, debug_id: null, size: 512, last_used_at: null }],
    },
  ],
};
const PROJECT = { id: 3, name: "shop.example.com", dsn: "http://k@faultline.example/3" };

describe("the project's source maps", () => {
  it("lists each bundle with release, origin, debug IDs, files, sizes and use", () => {
    const card = sourcemapsCard(fakeCtx({}), PROJECT, BUNDLES);
    expect(card.querySelector("h2").textContent).toBe("Source maps");
    expect(card.querySelector("p.muted").textContent).toMatch(/^2 bundles, 3 files\./);
    const [first, second] = card.querySelectorAll(".bundle");
    expect(first.querySelector("h3").textContent).toBe("Release 1.4.0");
    expect(first.querySelector(".pill").textContent).toBe("faultline CLI");
    const facts = (bundle) => Object.fromEntries([...bundle.querySelectorAll(".bundle-facts dt")].map((dt) => [dt.textContent, dt.nextElementSibling.textContent]));
    expect(facts(first)).toEqual({ Size: "121 KiB", Uploaded: "2 d ago", "Last used": "1 h ago", "Debug IDs": DEBUG_ID });
    const rows = [...first.querySelectorAll(".bundle-files tbody tr")].map((tr) => [...tr.children].map((td) => td.textContent));
    expect(rows).toEqual([
      ["app-3f9a.js~/assets/app-3f9a.js", "minified script", "4.5 KiB", "1 h ago"],
      ["app-3f9a.js~/assets/app-3f9a.js", "source map", "116 KiB", "1 h ago"],
    ]);
    // With several debug IDs in a bundle, each file says which is its own.
    const two = { ...BUNDLES.bundles[0], debug_ids: [DEBUG_ID, "d00dfeed-1b2c-4d3e-8f90-a1b2c3d4e5f6"] };
    const several = sourcemapsCard(fakeCtx({}), PROJECT, { bundles: [two] });
    expect(several.querySelector(".file-debug-id").textContent).toBe(`debug ID ${DEBUG_ID}`);
    expect(first.querySelector(".file-debug-id")).toBeNull();
    expect(second.querySelector("h3").textContent).toBe("No release");
    expect(second.querySelector(".pill").textContent).toBe("sentry-cli");
    expect(facts(second)).toMatchObject({ Size: "2.1 MiB", "Last used": "never" });
    expect(facts(second)["Debug IDs"]).toMatch(/^none/);
    expect([...second.querySelectorAll("tbody td")].map((td) => td.textContent)).toEqual([PAYLOAD, "source map", "512 B", "never"]);
    expect(card.querySelector(".upload-help summary").textContent).toBe("How to upload");
    expect(card.querySelector("img, script")).toBeNull();
  });

  it("deletes a bundle only after a confirm, then renders the page again", async () => {
    const remove = vi.fn(() => null);
    const ctx = fakeCtx({ "DELETE /projects/3/sourcemaps/3": remove });
    const card = sourcemapsCard(ctx, PROJECT, BUNDLES);
    document.body.replaceChildren(card);
    const button = card.querySelector('.bundle[data-bundle="3"] button');
    expect(button.textContent).toBe("Delete");
    expect(button.getAttribute("aria-label")).toBe("Delete release 1.4.0 (bundle 3)");
    const ask = vi.spyOn(window, "confirm").mockReturnValueOnce(false).mockReturnValueOnce(true);
    button.click();
    await tick();
    expect(ask.mock.calls[0][0]).toBe("Delete the source maps of release 1.4.0 (2 files)? Events that arrive afterwards stay minified where only these maps explained them.");
    expect(remove).not.toHaveBeenCalled();
    button.click();
    await tick();
    expect(ctx.calls.map((call) => `${call.method} ${call.url}`)).toEqual(["DELETE /projects/3/sourcemaps/3"]);
    expect(ctx.refresh).toHaveBeenCalledTimes(1);
    ask.mockRestore();
  });

  it("explains how to upload when there is nothing yet", () => {
    const card = sourcemapsCard(fakeCtx({}), { ...PROJECT, name: "shop's site" }, { bundles: [] });
    expect(card.className).toBe("card sourcemaps empty");
    expect(card.textContent).toContain("No source maps uploaded yet.");
    const code = [...card.querySelectorAll("code")].map((c) => c.textContent);
    expect(code[0]).toBe(`faultline sourcemaps upload --project 'shop'\\''s site' --release 1.4.0 dist/`);
    expect(code).toContain("--url");
    expect(code.some((text) => text.includes(`sentry-cli --url ${location.origin}`))).toBe(true);
    expect(card.querySelector(".bundles, .upload-help")).toBeNull();
  });

  it("sits on the project settings page, which survives the list failing", async () => {
    const routes = {
      "GET /projects/3": PROJECT,
      "GET /projects/3/dropped": { since: "2026-10-26", items: [] },
      "GET /projects/3/sourcemaps": BUNDLES,
    };
    const page = await projectSettings(fakeCtx(routes), 3);
    const titles = [...page.querySelectorAll("section.card > h2, section.card .card-head h2")].map((h2) => h2.textContent);
    expect(titles).toEqual(["DSN", "Set up an SDK", "Source maps", "Rotate key", "Dropped, last 30 days"]);
    expect(page.querySelectorAll(".sourcemaps .bundle")).toHaveLength(2);
    const failing = await projectSettings(fakeCtx({ ...routes, "GET /projects/3/sourcemaps": new Error("Faultline answered with status 404. Please try again.") }), 3);
    expect(failing.querySelector(".sourcemaps [role=alert]").textContent).toContain("404");
    expect(failing.querySelector(".dsn-card code").textContent).toBe(PROJECT.dsn);
  });
});

describe("sizes and upload commands", () => {
  it("formats sizes in binary units", () => {
    expect([0, 512, 1023, 1024, 4567, 123456, 1048575, 2202009, 5 * 2 ** 30, null].map(formatBytes)).toEqual([
      "0 B",
      "512 B",
      "1023 B",
      "1 KiB",
      "4.5 KiB",
      "121 KiB",
      "1 MiB",
      "2.1 MiB",
      "5 GiB",
      "–",
    ]);
  });

  it("gives the faultline and sentry-cli commands for a project", () => {
    const { faultline, sentryCli } = sourcemapUploads("https://fl.example", "shop.example.com");
    expect(faultline).toBe("faultline sourcemaps upload --project shop.example.com --release 1.4.0 dist/");
    expect(sentryCli.split("\n")).toEqual([
      "sentry-cli sourcemaps inject dist/",
      "SENTRY_AUTH_TOKEN=$FAULTLINE_TOKEN sentry-cli --url https://fl.example \\",
      "  sourcemaps upload --org faultline --project shop.example.com --release 1.4.0 dist/",
    ]);
  });
});
