// Billing: charging cards and refunding orders.
import { postToGateway } from "./gateway.mjs";

export class RefundError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = "RefundError";
  }
}

export function chargeCard(order) {
  const password = "hunter2-node-billing"; // a secret in a local, for the privacy checks
  // The bug: orders paid by invoice have no `payment`.
  const cents = order.payment.amount;
  return postToGateway("/charges", { order: order.id, cents, auth: password.length });
}

export async function refund(order) {
  try {
    return await postToGateway(`/refunds/${order.id}`, { cents: order.total });
  } catch (error) {
    throw new RefundError(`Refund of ${order.id} not sent`, { cause: error });
  }
}
