// Exceptions: automatic capture of unhandled errors and rejections, and manual reports.

import { src } from "./config.js";
import { MAX_REPORTS, MAX_STACK } from "./limits.js";
import { view } from "./pageviews.js";
import { flatten, scrub } from "./scrub.js";
import { post } from "./transport.js";
import { on } from "./util.js";

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
    // sentry-cli's `sourcemaps inject` files each script's debug ID in window._sentryDebugIds
    // under an Error stack taken in that script. Sent keyed by the script's URL, scrubbed like
    // the stack, and only for the scripts this stack names: the server finds their maps by ID,
    // and the body keeps under its cap however many scripts the page has.
    // A key's URL is its first `url:line:column`, after `at `, `(` or `@`: a URL with `@` in
    // its path (`pkg@1.2`) is cut there and then names no frame on the server. A key without
    // a position (Error.stackTraceLimit = 0) has no URL: `url &&`, or "null" is looked for.
    // (Written inline rather than as a const before the post, which would keep the early
    // return above from folding into one expression: 8 B of gzip.)
    di: flatten(
      window._sentryDebugIds,
      (trace, url = trace.match(/[^\s(@]+(?=:\d+:)/)) => url && s.includes(url) && scrub(url),
    ),
  });
}

/** Report unhandled errors and promise rejections of the page. */
export function captureUnhandled() {
  // An error of another origin's script comes without its error object, as "Script error.":
  // there is nothing in it to fix.
  on("error", (event) => event.error && report(event.error, false));
  on("unhandledrejection", (event) => report(event.reason, false));
}
