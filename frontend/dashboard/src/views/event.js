// The latest event of a group: a tracker report (message, stack, page, browser) or a Sentry
// SDK event (the exception chain with code, and a sidebar of its details).

import { h } from "../dom.js";
import { formatDateTime } from "../format.js";
import { keyValues } from "../ui.js";
import { stack } from "./frames.js";

/** Does the event carry what a Sentry SDK sends (the tracker's own reports do not)? */
export function fromSdk(event) {
  return Boolean(
    (event.chain && event.chain.length) ||
      event.sdk ||
      event.platform ||
      event.environment ||
      event.level ||
      event.logger ||
      event.transaction ||
      event.url ||
      Object.keys(event.tags || {}).length ||
      Object.keys(event.contexts || {}).length,
  );
}

/** The latest event's card; `project` (an id) links mapped frames to its source maps. */
export function latestEvent(event, { project } = {}) {
  const options = { project };
  return fromSdk(event) ? sdkEvent(event, options) : trackerEvent(event, options);
}

/** A report of the tracker (/track/exception): message, stack, page and browser. */
function trackerEvent(event, options) {
  const details = [
    ["Page", event.path],
    ["Browser", [event.browser, event.browser_version].filter(Boolean).join(" ")],
    ["OS", event.os],
    ["Device", event.device],
    ["Release", event.release],
    ["Source", event.source],
    ["Handled", event.handled ? "yes" : "no"],
    ["Received", formatDateTime(event.received_at)],
  ];
  const metadata = Object.entries(event.metadata || {});
  return h(
    "section",
    { class: "card" },
    h("h2", { text: "Latest event" }),
    h("p", { class: "message" }, h("strong", { text: event.type || "Error" }), ": ", h("span", { text: event.message || "" })),
    stack(event.frames || [], options),
    event.stack ? h("details", null, h("summary", { text: "Raw stack" }), h("pre", { class: "raw", text: event.stack })) : null,
    keyValues(details.filter(([, value]) => value)),
    metadata.length ? [h("h3", { text: "Metadata" }), keyValues(metadata)] : null,
  );
}

/** An event from a Sentry SDK: the exception chain with code, and a sidebar of its details. */
function sdkEvent(event, options) {
  const chain = event.chain && event.chain.length ? event.chain : null;
  const metadata = Object.entries(event.metadata || {});
  return h(
    "section",
    { class: "card latest-event" },
    h("h2", { text: "Latest event" }),
    h(
      "div",
      { class: "event-layout" },
      h(
        "div",
        { class: "event-main" },
        chain
          ? exceptionChain(chain, options)
          : [
              h("p", { class: "message" }, h("strong", { text: event.type || (event.level === "error" || !event.level ? "Error" : "Message") }), ": ", h("span", { text: event.message || "" })),
              event.frames && event.frames.length ? stack(event.frames, options) : null,
            ],
        event.stack ? h("details", null, h("summary", { text: "Raw stack" }), h("pre", { class: "raw", text: event.stack })) : null,
      ),
      h(
        "aside",
        { class: "event-aside", "aria-label": "Event details" },
        h("h3", { text: "Details" }),
        keyValues(eventDetails(event)),
        tagList(event.tags || {}),
        contextList(event.contexts || {}),
        metadata.length ? [h("h3", { text: "Metadata" }), keyValues(metadata)] : null,
      ),
    ),
  );
}

/** The details table of an SDK event, the fields it has only. */
export function eventDetails(event) {
  const sdk = event.sdk ? [event.sdk.name, event.sdk.version].filter(Boolean).join(" ") : null;
  const rows = [
    ["Level", event.level],
    ["Environment", event.environment],
    ["Release", event.release],
    ["Platform", event.platform],
    ["SDK", sdk],
    ["Transaction", event.transaction],
    ["URL", event.url],
    // The URL says more than its path; the tracker's reports have a path only.
    ["Page", event.url ? null : event.path],
    ["Logger", event.logger],
    ["Browser", [event.browser, event.browser_version].filter(Boolean).join(" ")],
    ["OS", event.os],
    ["Device", event.device],
    ["Source", event.source],
    ["Handled", event.handled === null || event.handled === undefined ? null : event.handled ? "yes" : "no"],
    ["Received", formatDateTime(event.received_at)],
  ];
  return rows.filter(([, value]) => value !== null && value !== undefined && value !== "");
}

function tagList(tags) {
  const pairs = Object.entries(tags);
  if (!pairs.length) return null;
  return [
    h("h3", { text: "Tags" }),
    h(
      "ul",
      { class: "tags", "aria-label": "Tags" },
      pairs.map(([key, value]) => h("li", { class: "tag" }, h("span", { class: "tag-k", text: key }), h("span", { class: "tag-v", text: String(value) }))),
    ),
  ];
}

const CONTEXT_NAMES = { browser: "Browser", os: "Operating system", runtime: "Runtime", device: "Device", app: "App", culture: "Culture", cloud_resource: "Cloud", trace: "Trace" };

function contextList(contexts) {
  const entries = Object.entries(contexts).filter(([, values]) => values && typeof values === "object" && Object.keys(values).length);
  if (!entries.length) return null;
  return [
    h("h3", { text: "Contexts" }),
    entries.map(([name, values]) =>
      h(
        "div",
        { class: "context" },
        h("h4", { text: CONTEXT_NAMES[name] || name }),
        // Sentry repeats the context's class in "type": the heading says it already.
        keyValues(Object.entries(values).filter(([key, value]) => !(key === "type" && value === name)).map(([key, value]) => [key, show(value)])),
      ),
    ),
  ];
}

function show(value) {
  return value !== null && typeof value === "object" ? JSON.stringify(value) : String(value);
}

/**
 * The chain of exceptions as Sentry orders it: causes first, the one raised last. Each with
 * its frames (most recent call first) and code.
 */
export function exceptionChain(chain, options = {}) {
  const many = chain.length > 1;
  return h(
    "div",
    { class: "chain" },
    many
      ? h("p", { class: "muted chain-note", text: `${chain.length} chained exceptions, causes first: each one caused the next, and the last was raised. Frames: most recent call first.` })
      : null,
    h(
      "ol",
      { class: "chain-list" },
      chain.map((entry, i) => {
        const raised = i === chain.length - 1;
        return h(
          "li",
          { class: raised ? "exc raised" : "exc cause" },
          h(
            "div",
            { class: "exc-head" },
            many ? h("span", { class: raised ? "badge raised" : "badge cause", text: raised ? "raised" : "caused by" }) : null,
            h("p", { class: "message" }, h("strong", { text: entry.type || "Error" }), entry.value ? [": ", h("span", { text: entry.value })] : null),
            entry.module ? h("span", { class: "muted exc-module", text: entry.module }) : null,
            mechanism(entry.mechanism),
          ),
          entry.frames && entry.frames.length ? stack(entry.frames, options) : h("p", { class: "muted", text: "The SDK sent no stack trace for this exception." }),
        );
      }),
    ),
  );
}

function mechanism(info) {
  if (!info) return null;
  const handled = info.handled === false ? h("span", { class: "pill bad", text: "unhandled" }) : info.handled === true ? h("span", { class: "pill", text: "handled" }) : null;
  return h("span", { class: "mechanism" }, handled, info.type ? h("span", { class: "muted", title: "mechanism: how the SDK caught it", text: ` ${info.type}` }) : null);
}
