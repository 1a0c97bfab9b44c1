// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { lineChart, niceMax, sparkline } from "../src/charts.js";
import { h } from "../src/dom.js";
import { shellQuote, testExceptionCurl, trackerSnippet } from "../src/snippets.js";
import { stack } from "../src/views/frames.js";

const PAYLOAD = `<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>`;

describe("building DOM from reports", () => {
  it("keeps markup in text as text", () => {
    const node = h("p", { title: PAYLOAD, text: PAYLOAD }, PAYLOAD);
    document.body.append(node);
    expect(node.querySelector("img, script")).toBeNull();
    expect(node.textContent).toBe(PAYLOAD + PAYLOAD);
    expect(node.getAttribute("title")).toBe(PAYLOAD);
  });

  it("shows in-app frames and folds the others, all as text", () => {
    const frames = [
      { function: "renderCart", filename: "https://shop/cart.js", lineno: 10, colno: 5, in_app: true },
      { function: null, filename: "https://shop/vendor/react.js", lineno: 1, colno: 200, in_app: false },
      { function: "dispatch", filename: "https://shop/vendor/react.js", lineno: 1, colno: 300, in_app: false },
      { function: PAYLOAD, filename: PAYLOAD, lineno: null, colno: null, in_app: true },
    ];
    const list = stack(frames);
    const top = [...list.children];
    expect(top.map((li) => li.className)).toEqual(["frame in-app", "frame-run", "frame in-app"]);
    expect(top[0].textContent).toBe("renderCart at https://shop/cart.js:10:5");
    expect(top[1].querySelector("summary").textContent).toBe("2 other frames");
    expect(top[1].querySelector(".fn").textContent).toBe("(anonymous)");
    expect(top[2].querySelector(".fn").textContent).toBe(PAYLOAD);
    expect(list.querySelector("img, script")).toBeNull();
  });
});

describe("charts", () => {
  it("draws a sparkline of any length", () => {
    expect(sparkline([]).querySelectorAll("path")).toHaveLength(2);
    expect(sparkline([0, 3, 1]).querySelector(".spark-line").getAttribute("d")).toBe("M0 23L50 1L100 15.7");
  });
  it("labels a line chart with text nodes and round maxima", () => {
    const chart = lineChart({ labels: ["a", PAYLOAD], series: [{ name: "Views", values: [3, 7] }], previous: { values: [1, 2] } });
    expect(chart.querySelectorAll("path.line")).toHaveLength(2);
    expect([...chart.querySelectorAll("text.axis")].map((t) => t.textContent)).toContain("10");
    expect(chart.querySelectorAll("title")[1].textContent).toBe(`${PAYLOAD}\nViews: 7\nprevious period: 2`);
    expect([niceMax(7), niceMax(10), niceMax(11), niceMax(3400)]).toEqual([10, 10, 20, 5000]);
  });
});

describe("snippets", () => {
  it("gives the tracker tag and a curl line that pastes as is", () => {
    expect(trackerSnippet("https://fl.example")).toBe('<script async src="https://fl.example/tracker.js"></script>');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    const curl = testExceptionCurl("https://fl.example", "https://shop.example.com");
    expect(curl).toContain("curl -X POST 'https://fl.example/track/exception'");
    const body = /-d '(.*)'$/.exec(curl)[1];
    expect(JSON.parse(body)).toMatchObject({ u: "https://shop.example.com/", ty: "Error" });
  });
});
