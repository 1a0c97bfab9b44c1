// "Customers also bought": loaded after the page.
export async function loadRecommendations(productId) {
  await new Promise((resolve) => setTimeout(resolve, 5));
  // The bug: nobody handles the recommendation service's outage.
  throw new Error(`Recommendations for ${productId} answered 502`);
}
