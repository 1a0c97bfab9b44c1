// @vitest-environment jsdom
// The project's SDK setup page: snippets per SDK with the project's DSN, key rotation and the
// counts of what the SDKs sent that was not stored.
import { describe, expect, it, vi } from "vitest";
import { SDKS, sdkSnippet } from "../src/snippets.js";
import { droppedCard, projectSettings } from "../src/views/project.js";
import { fakeCtx, tick } from "./context.js";

const DSN = "http://0f3c2a9d8e7b4c1a9f2e6d5c4b3a2918@faultline.example:8000/3";
const NEW_DSN = "http://7a1b2c3d4e5f60718293a4b5c6d7e8f9@faultline.example:8000/3";

describe("SDK setup snippets", () => {
  it("gives Python, Node and browser code for the DSN", () => {
    expect(SDKS.map((sdk) => sdk.id)).toEqual(["python", "node", "browser"]);
    const python = sdkSnippet("python", DSN);
    expect(python).toContain(`sentry_sdk.init(\n    dsn="${DSN}",\n    release="my-app@1.0.0",\n    environment="production",\n)`);
    expect(sdkSnippet("node", DSN)).toContain('const Sentry = require("@sentry/node");');
    expect(sdkSnippet("node", DSN)).toContain(`Sentry.init({\n  dsn: "${DSN}",`);
    expect(sdkSnippet("browser", DSN)).toContain('import * as Sentry from "@sentry/browser";');
    expect(sdkSnippet("browser", DSN, { release: "web@3", environment: "staging" })).toContain('release: "web@3",\n  environment: "staging",');
  });
});

describe("the project's SDK page", () => {
  const dropped = {
    since: "2026-10-26",
    items: [
      { category: "transaction", reason: "unsupported", count: 12840 },
      { category: "error", reason: "filtered", count: 31 },
      { category: "attachment", reason: "too_large", count: 2 },
    ],
  };

  it("shows the DSN, snippets per SDK and the dropped counts", async () => {
    const ctx = fakeCtx({
      "GET /projects/3": { id: 3, name: "shop-api", dsn: DSN, created_at: "2026-11-01T00:00:00Z" },
      "GET /projects/3/dropped": dropped,
      "GET /projects/3/sourcemaps": { bundles: [] },
    });
    const page = await projectSettings(ctx, 3);
    document.body.replaceChildren(page);
    expect(ctx.calls.find((call) => call.url === "/projects/3/dropped").args).toEqual({ days: 30 });
    expect(page.querySelector("h1").textContent).toBe("shop-api: SDK setup");
    expect(page.querySelector(".dsn-card code").textContent).toBe(DSN);
    expect(page.querySelector(".dsn-card button").textContent).toBe("Copy DSN");
    const tabs = [...page.querySelectorAll(".snippets [role=tab]")];
    expect(tabs.map((tab) => tab.textContent)).toEqual(["Python", "Node.js", "Browser"]);
    const code = () => [...page.querySelectorAll(".snippets .tab-body code")].map((c) => c.textContent);
    expect(code()).toEqual(["pip install --upgrade sentry-sdk", sdkSnippet("python", DSN)]);
    tabs[1].click();
    expect(code()).toEqual(["npm install @sentry/node", sdkSnippet("node", DSN)]);
    expect(tabs[1].getAttribute("aria-selected")).toBe("true");
    const rows = [...page.querySelectorAll(".dropped tbody tr")].map((tr) => [...tr.children].map((td) => td.firstChild.textContent));
    expect(rows).toEqual([
      ["Transactions (tracing)", "not stored", "12,840"],
      ["Error events", "filtered as noise", "31"],
      ["Attachments", "too large", "2"],
    ]);
    expect(page.querySelector(".dropped p").textContent).toBe("12,873 items received since 2026-10-26 and not stored.");
  });

  it("rotates the key only after a confirmation that says old SDKs are refused", async () => {
    const rotate = vi.fn(() => ({ id: 3, name: "shop-api", dsn: NEW_DSN, created_at: "2026-11-01T00:00:00Z" }));
    const ctx = fakeCtx({
      "GET /projects/3": { id: 3, name: "shop-api", dsn: DSN, created_at: "2026-11-01T00:00:00Z" },
      "GET /projects/3/dropped": { since: "2026-10-26", items: [] },
      "GET /projects/3/sourcemaps": { bundles: [] },
      "POST /projects/3/rotate-key": rotate,
    });
    const page = await projectSettings(ctx, 3);
    document.body.replaceChildren(page);
    const button = (name) => [...page.querySelectorAll(".rotate button")].find((b) => b.textContent === name);
    button("Rotate key…").click();
    expect(page.querySelector(".confirm").textContent).toContain("refused (403)");
    button("Cancel").click();
    expect(page.querySelector(".confirm")).toBeNull();
    expect(rotate).not.toHaveBeenCalled();
    button("Rotate key…").click();
    button("Rotate key").click();
    await tick();
    expect(rotate).toHaveBeenCalledTimes(1);
    expect(page.querySelector(".dsn-card code").textContent).toBe(NEW_DSN);
    expect(page.querySelector(".dsn-card .notice.ok").textContent).toMatch(/^Key rotated/);
    expect(page.querySelector(".snippets .tab-body").textContent).toContain(NEW_DSN);
    expect(page.textContent).not.toContain(DSN);
    expect(page.querySelector(".dropped").textContent).toContain("Nothing dropped since 2026-10-26");
  });

  it("says why the dropped counts are missing when the API refuses them", () => {
    const card = droppedCard(Object.assign(new Error("Faultline answered with status 404. Please try again."), { status: 404 }));
    expect(card.querySelector("[role=alert]").textContent).toContain("404");
  });
});
