// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { h } from "../src/dom.js";
import { rovingTabs } from "../src/tabs.js";
import { tabbedCard } from "../src/views/analytics.js";

function key(target, name) {
  const event = new KeyboardEvent("keydown", { key: name, bubbles: true, cancelable: true });
  target.dispatchEvent(event);
  return event;
}

function tabList(selected = 1) {
  const clicks = [];
  const tabs = ["One", "Two", "Three"].map((text, i) =>
    h("button", { type: "button", role: "tab", "aria-selected": i === selected ? "true" : "false", text, onclick: () => clicks.push(text) }),
  );
  const list = h("div", { role: "tablist" }, tabs);
  document.body.replaceChildren(list);
  return { list, tabs, clicks };
}

describe("tab lists", () => {
  it("are one Tab stop: the selected tab", () => {
    const { list, tabs } = tabList();
    rovingTabs(list);
    expect(tabs.map((tab) => tab.tabIndex)).toEqual([-1, 0, -1]);
  });

  it("move focus with the arrow keys, wrapping, and with Home and End", () => {
    const { list, tabs, clicks } = tabList();
    rovingTabs(list);
    tabs[1].focus();
    expect(key(tabs[1], "ArrowRight").defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(tabs[2]);
    expect(tabs.map((tab) => tab.tabIndex)).toEqual([-1, -1, 0]);
    key(tabs[2], "ArrowRight");
    expect(document.activeElement).toBe(tabs[0]);
    key(tabs[0], "ArrowLeft");
    expect(document.activeElement).toBe(tabs[2]);
    key(tabs[2], "Home");
    expect(document.activeElement).toBe(tabs[0]);
    key(tabs[0], "End");
    expect(document.activeElement).toBe(tabs[2]);
    // Tabs that navigate wait for Enter; other keys are left alone.
    expect(clicks).toEqual([]);
    expect(key(tabs[2], "a").defaultPrevented).toBe(false);
  });

  it("can select the tab they move to", () => {
    const { list, tabs, clicks } = tabList(0);
    rovingTabs(list, { activate: true });
    tabs[0].focus();
    key(tabs[0], "ArrowLeft");
    expect(clicks).toEqual(["Three"]);
  });

  it("switch the tables of a tabbed card", () => {
    const card = tabbedCard("Technology", [["browsers", "Browsers"], ["os", "OS"]], (id) => h("p", { text: `table ${id}` }));
    document.body.replaceChildren(card);
    const [browsers, os] = card.querySelectorAll('[role="tab"]');
    expect([browsers.tabIndex, os.tabIndex]).toEqual([0, -1]);
    browsers.focus();
    key(browsers, "ArrowRight");
    expect(document.activeElement).toBe(os);
    expect(os.getAttribute("aria-selected")).toBe("true");
    expect([browsers.tabIndex, os.tabIndex]).toEqual([-1, 0]);
    expect(card.querySelector(".tab-body").textContent).toBe("table os");
  });
});
