// The "sale" badge beside a product.
export function renderBadge(product) {
  // The same TypeError text as renderPrice, from another function: another bug.
  const before = product.price.amount;
  document.getElementById("badge").textContent = before > 5000 ? "Sale" : "";
}
