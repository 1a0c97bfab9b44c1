// Configuration from the script tag and the privacy signals (issue items 2 and 7; seed 7.2
// "config is read from the script element", "privacySignal").

import { describe, expect, test } from "vitest";
import { load, stubProperty } from "./helpers.js";

describe("script tag", () => {
  test("defaults: the script's own origin, capture on, no hash routing, no release", async () => {
    const config = await load({}, "../src/config.js");
    expect(config.api).toBe("https://faultline.test");
    expect(config.src).toBe("https://faultline.test/tracker.js");
    expect([config.autoCapture, config.hashRouting, config.version]).toEqual([
      true,
      false,
      undefined,
    ]);
  });

  test("every data attribute", async () => {
    const config = await load(
      {
        "data-api": "https://stats.example.net/faultline/",
        "data-auto-capture-exceptions": "false",
        "data-hash": "",
        "data-app-version": "2.4.1",
      },
      "../src/config.js",
    );
    expect(config.api).toBe("https://stats.example.net/faultline");
    expect([config.autoCapture, config.hashRouting, config.version]).toEqual([
      false,
      true,
      "2.4.1",
    ]);
  });

  test("an inline copy (no src) reports to the page's origin", async () => {
    const config = await load(null, "../src/config.js");
    expect(config.api).toBe("https://shop.example.com");
  });
});

describe("privacy signals", () => {
  test.each([
    ["navigator.doNotTrack = 1", navigator, "doNotTrack", "1"],
    ["navigator.doNotTrack = yes", navigator, "doNotTrack", "yes"],
    ["window.doNotTrack = 1", window, "doNotTrack", "1"],
    ["Global Privacy Control", navigator, "globalPrivacyControl", true],
  ])("%s opts out", async (_, target, name, value) => {
    stubProperty(target, name, value);
    const { optedOut } = await load({}, "../src/config.js");
    expect(optedOut()).toBeTruthy();
  });

  test.each([
    ["navigator.doNotTrack = 0", navigator, "doNotTrack", "0"],
    ["navigator.doNotTrack unspecified", navigator, "doNotTrack", "unspecified"],
    ["window.doNotTrack = 0", window, "doNotTrack", "0"],
    ["Global Privacy Control off", navigator, "globalPrivacyControl", false],
  ])("%s does not", async (_, target, name, value) => {
    stubProperty(target, name, value);
    const { optedOut } = await load({}, "../src/config.js");
    expect(optedOut()).toBeFalsy();
  });
});
