// Coupon codes typed in at checkout.
const EXPIRED = new Set(["SPRING"]);

export function applyCoupon(code, totalCents) {
  if (EXPIRED.has(code)) {
    throw new RangeError(`Coupon ${code} has expired`);
  }
  return Math.round(totalCents * 0.85);
}
