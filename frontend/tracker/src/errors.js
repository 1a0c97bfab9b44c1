// Exceptions: automatic capture of unhandled errors and rejections, and manual reports.

import { src } from "./config.js";
import { view } from "./pageviews.js";
import { flatten, scrub } from "./scrub.js";
import { post } from "./transport.js";
import { on } from "./util.js";

const MAX_REPORTS = 25; // per page: an error storm must not become a request storm
// The whole body must fit the server's 16 KiB cap with message and metadata beside the stack.
const MAX_STACK = 8e3;
const seen = new Set(); // signatures already sent: type, message and top frame

/**
 * Post one report to /track/exception, unless it is not the site's bug, a repeat, or one too
 * many.
 */
export function report(error, handled, meta) {
  // Only an error's name, message and stack leave the browser: another thrown or rejected
  // value is sent as its string, never serialised, since it may hold credentials.
  const { name: ty = "Error", message: m = "" + error, stack = "" } = Object(error);
  const s = "" + stack;
  // Stack lines with a position: `at f (url:1:2)`, `f@url:1:2`.
  const frames = s.match(/.+:\d+\)?$/gm);
  const key = ty + m + frames?.[0];
  if (
    // Errors raised entirely inside browser extensions or this tracker are not the site's.
    frames?.every((line) => /-extension:/.test(line) || (src && line.includes(src))) ||
    seen.has(key) ||
    seen.size >= MAX_REPORTS
  ) {
    return;
  }
  seen.add(key);
  post("/track/exception", {
    ...view,
    ty: scrub(ty),
    m: scrub(m),
    s: scrub(s).slice(0, MAX_STACK),
    h: handled,
    d: flatten(meta),
  });
}

/** Report unhandled errors and promise rejections of the page. */
export function captureUnhandled() {
  // An error of another origin's script comes without its error object, as "Script error.":
  // there is nothing in it to fix.
  on("error", (event) => event.error && report(event.error, false));
  on("unhandledrejection", (event) => report(event.reason, false));
}
