// The checkout page: starts @sentry/browser from the page's query string and runs one
// scenario (scenarios.json), then sets window.scenarioDone once the SDK has sent it all.
import * as Sentry from "@sentry/browser";

import { renderBadge } from "./badge.js";
import { applyCoupon } from "./coupon.js";
import { renderPrice } from "./price.js";
import { loadRecommendations } from "./recommend.js";

const params = new URLSearchParams(window.location.search);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const scenarios = {
  uncaught() {
    // Thrown from a timer, outside any try: the SDK's global error handler reports it.
    setTimeout(() => renderPrice({ id: "p-17" }), 0);
  },
  uncaught_badge() {
    setTimeout(() => renderBadge({ id: "p-18" }), 0);
  },
  unhandled_rejection() {
    loadRecommendations("p-17"); // not awaited: the rejection goes unhandled
  },
  capture_exception() {
    try {
      applyCoupon("SPRING", 2500);
    } catch (error) {
      Sentry.captureException(error);
    }
  },
  capture_message() {
    Sentry.captureMessage("Checkout form abandoned after a payment error", "warning");
  },
};

Sentry.init({
  dsn: params.get("dsn"),
  release: params.get("release") || "shop@1.4.0",
  environment: params.get("environment") || "production",
  sendDefaultPii: true,
});
Sentry.setUser({ id: "u-314", email: "jane.doe@example.com", ip_address: "{{auto}}" });
scenarios[params.get("scenario")]();
// Long enough for the timer and the rejection to reach the SDK's handlers.
sleep(300)
  .then(() => Sentry.flush(10000))
  .then((sent) => {
    window.scenarioDone = sent ? "sent" : "timeout";
  });
