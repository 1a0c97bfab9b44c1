// The tracker's entry point: the privacy gate, then page views, errors and window.analytics.
// Calls made before this script loaded wait in `window.analytics.q` as [method, arguments]
// pairs (README.md has the stub that queues them) and are replayed here.

import { autoCapture, optedOut, version } from "./config.js";
import { captureUnhandled, report } from "./errors.js";
import { hit, trackViews, view } from "./pageviews.js";
import { flatten } from "./scrub.js";
import { newId, noop, safe } from "./util.js";

const SESSION_KEY = "analytics-session";

const queued = window.analytics?.q || [];
// Under Do Not Track or Global Privacy Control: no request and no storage, only a harmless
// API so that the page's own calls keep working.
window.analytics = { event: noop, captureException: noop };
if (!optedOut()) {
  // The tab's session id lives in sessionStorage; in memory when storage is unavailable
  // (disabled or full), for as long as the page.
  try {
    view.i = sessionStorage[SESSION_KEY] ||= newId();
  } catch (_) {
    view.i = newId();
  }
  view.t = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // The release rides on every report, so errors per 1,000 page views can be told per release.
  view.v = version;
  trackViews();
  if (autoCapture) captureUnhandled();
  const api = (window.analytics = {
    event: safe((name, data) => name && hit({ e: "custom", n: "" + name, d: flatten(data) })),
    captureException: safe((error, meta) => report(error, true, meta)),
  });
  for (const [method, args] of queued) api[method]?.(...args);
}
