// Stock levels, kept by a separate service.
export async function reserve(sku, quantity) {
  await new Promise((resolve) => setTimeout(resolve, 5));
  // The bug: the stock service's outage is not handled by anyone awaiting this.
  throw new Error(`Stock service unavailable, could not reserve ${sku}`);
}

export function reserveOrder(lines) {
  for (const line of lines) {
    reserve(line.sku, line.quantity); // not awaited: the rejection goes unhandled
  }
}
