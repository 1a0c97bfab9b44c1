// The product page's price line.
export function renderPrice(product) {
  // The bug: products on request have no price object.
  const cents = product.price.amount;
  document.getElementById("price").textContent = `${(cents / 100).toFixed(2)} EUR`;
}
