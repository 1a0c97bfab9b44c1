// Requests to the Faultline API. Bodies are JSON sent as text/plain, which browsers send
// cross-origin without a CORS preflight. Nothing is retried: a failed report is dropped rather
// than kept in memory or kept alive with the page.

import { api } from "./config.js";
import { BACKOFF_S } from "./limits.js";
import { noop, now } from "./util.js";

let until = 0; // after a 429, nothing is sent before this time (ms)

/**
 * The response body of a fetch; rejects while backing off after a 429. The default credentials
 * mode sends no cookies to another origin (sendBeacon, for its part, cannot be told not to).
 */
export const request = (path, init) =>
  now() < until
    ? Promise.reject()
    : fetch(api + path, init).then((response) => {
        if (response.status == 429) {
          until = now() + 1e3 * (+response.headers.get("Retry-After") || BACKOFF_S);
        }
        return response.text();
      });

/**
 * POST `body` as JSON, and forget it; with `beacon`, by sendBeacon first, which survives the
 * page going away (a string is sent as text/plain).
 */
export function post(path, body, beacon) {
  body = JSON.stringify(body);
  (beacon && now() >= until && navigator.sendBeacon?.(api + path, body)) ||
    request(path, { method: "POST", body, keepalive: true }).catch(noop);
}
