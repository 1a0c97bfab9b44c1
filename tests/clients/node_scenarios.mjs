// Report one bug of the Node shop (node_shop/) to a DSN with the real @sentry/node.
//
//   node tests/clients/node_scenarios.mjs SCENARIO --dsn DSN \
//       [--release shop@1.4.0] [--server-name web-1] [--environment production]
//
// One scenario per process (one of them ends the process through an uncaught exception);
// scenarios.json names them with their bug labels. SENTRY_DSN stands in for --dsn.
import { parseArgs } from "node:util";
import * as Sentry from "@sentry/node";

import { chargeCard, refund } from "./node_shop/billing.mjs";
import { cartTotal } from "./node_shop/cart.mjs";
import { reserveOrder } from "./node_shop/inventory.mjs";
import { quote } from "./node_shop/shipping.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dsn: { type: "string", default: process.env.SENTRY_DSN },
    release: { type: "string", default: "shop@1.4.0" },
    "server-name": { type: "string", default: "web-1" },
    environment: { type: "string", default: "production" },
  },
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function personalData() {
  // Planted on purpose: Faultline must not store any of it.
  Sentry.setUser({ id: "u-314", email: "jane.doe@example.com", username: "jdoe", ip_address: "{{auto}}" });
  Sentry.addBreadcrumb({ category: "auth", message: "signed in", data: { email: "jane.doe@example.com" } });
  Sentry.setTag("checkout_step", "payment");
  Sentry.setExtra("card_holder", "Jane Doe");
}

const scenarios = {
  async capture_exception() {
    personalData();
    try {
      await chargeCard({ id: "order-7001", total: 2500 });
    } catch (error) {
      Sentry.captureException(error);
    }
  },
  async cart_type_error() {
    try {
      cartTotal([{ price: { amount: 1250 }, quantity: 1 }, { quantity: 2 }]);
    } catch (error) {
      Sentry.captureException(error);
    }
  },
  async message_plain() {
    Sentry.captureMessage("Checkout queue is backing up", "warning");
  },
  async message_params() {
    // parameterize keeps the template and its params apart (logentry), as logging does.
    for (const [order, state] of [["order-7001", "paid"], ["order-7002", "packed"]]) {
      Sentry.captureMessage(Sentry.parameterize`Order ${order} stuck in state ${state}`, "error");
    }
  },
  async uncaught() {
    // Thrown from a timer, outside any try: the SDK's handler reports it and exits with 1.
    setTimeout(() => quote("mars", 2), 0);
    await sleep(60_000);
  },
  async unhandled_rejection() {
    reserveOrder([{ sku: "sku-1002", quantity: 1 }]);
    await sleep(300);
  },
  async chained() {
    try {
      await refund({ id: "order-7001", total: 2500 });
    } catch (error) {
      Sentry.captureException(error);
    }
  },
  async burst() {
    for (let number = 0; number < 12; number += 1) {
      Sentry.captureException(new Error(`burst error ${number}`));
      await Sentry.flush(5000);
    }
  },
};

const [name] = positionals;
if (!scenarios[name] || !values.dsn) {
  console.error(`usage: node_scenarios.mjs {${Object.keys(scenarios).join(",")}} --dsn DSN`);
  process.exit(2);
}
Sentry.init({
  dsn: values.dsn,
  release: values.release,
  serverName: values["server-name"],
  environment: values.environment,
  sendDefaultPii: true,
  // No performance data: the scenarios are about errors and what the SDK sends by itself.
  tracesSampleRate: 0,
});
await scenarios[name]();
await Sentry.flush(10_000);
