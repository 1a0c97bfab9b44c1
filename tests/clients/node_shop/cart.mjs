// The cart: line totals.
export function lineTotal(line) {
  // The bug: a line whose product lost its price; the same TypeError text as chargeCard.
  return line.price.amount * line.quantity;
}

export function cartTotal(lines) {
  return lines.reduce((sum, line) => sum + lineTotal(line), 0);
}
