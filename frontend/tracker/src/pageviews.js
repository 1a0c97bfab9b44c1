// Page views: the first load, History API and hash navigations, and visible time on page.

import { hashRouting } from "./config.js";
import { pageUrl } from "./scrub.js";
import { post, request } from "./transport.js";
import { newId, noop, now, on, safe } from "./util.js";

/**
 * What every report carries, shared with the other modules: `b` the current view's beacon id,
 * `i` the tab session id, `t` the time zone, `u` the view's scrubbed URL, `v` the release.
 */
export const view = {};

let path, since, spent, unloaded;
let referrer = document.referrer;

const hidden = () => document.hidden;
// With hash routing, `/#/users` is the page `/users`: the fragment itself is never sent.
const here = () => (hashRouting && /^#!?(\/[^?]*)/.exec(location.hash)?.[1]) || location.pathname;

/** POST a hit: the view's fields plus `fields`. */
export const hit = (fields, beacon) => post("/track/hit", { ...view, ...fields }, beacon);

// The ping's answer comes from the browser's HTTP cache revalidation: "1" the first time
// today for this URL (the query is only a cache key). A failed ping counts as not unique
// rather than costing the view.
const ping = (query) =>
  request("/track/ping?h=" + location.hostname + query).then((body) => body == "1", noop);

/** Start a page view: a new beacon id, the clock from zero, and the load hit after two pings. */
function start() {
  const load = {
    b: (view.b = newId()),
    u: (view.u = pageUrl((path = here()))),
    e: "load",
    // Origin and path only: browsers already leave out credentials and fragment.
    r: referrer.split("?")[0],
  };
  spent = unloaded = 0;
  since = now();
  Promise.all([ping(""), ping("&p=" + path)]).then(([q, p]) => hit({ ...load, q, p }));
}

// Exactly one unload per view, whichever of pagehide and a navigation comes first.
const unload = () =>
  unloaded || hit({ e: "unload", m: spent + (hidden() ? 0 : now() - since) }, (unloaded = 1));

const navigate = safe(() => {
  // The same page with a new query or fragment is no new view.
  if (here() != path) {
    unload();
    referrer = view.u; // an internal navigation, which the server files as no referrer
    start();
  }
});

/** Listen for everything that starts or ends a view, and start the first. */
export function trackViews() {
  for (const method of ["pushState", "replaceState"]) {
    const original = history[method];
    history[method] = (...args) => {
      // The page's own call comes first and keeps its result and its exceptions.
      const result = original.apply(history, args);
      navigate();
      return result;
    };
  }
  on("popstate", navigate);
  on("hashchange", navigate);
  // Time on page counts only while the page is visible.
  on("visibilitychange", () => (hidden() ? (spent += now() - since) : (since = now())), document);
  on("pagehide", unload);
  start();
}
