// @vitest-environment jsdom
// The project's uploaded source maps on its settings page: bundles listed with their files,
// deleted after a confirm, and how to upload when there are none.
import { describe, expect, it, vi } from "vitest";
import { formatBytes } from "../src/format.js";
import { sourcemapUploads } from "../src/snippets.js";
import { projectSettings } from "../src/views/project.js";
import { sourcemapsCard } from "../src/views/sourcemaps.js";
import { fakeCtx, tick } from "./context.js";

const PAYLOAD = `<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>`;
const DEBUG_ID = "c0ffee00-1b2c-4d3e-8f90-a1b2c3d4e5f6";

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
