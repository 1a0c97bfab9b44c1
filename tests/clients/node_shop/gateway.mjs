// The payment provider's HTTP API, as far as the shop sees it.
export class GatewayTimeout extends Error {
  constructor(message) {
    super(message);
    this.name = "GatewayTimeout";
  }
}

export async function postToGateway(endpoint, payload) {
  if (endpoint.startsWith("/refunds")) {
    throw new GatewayTimeout(`POST ${endpoint} timed out after 2500ms`);
  }
  return { ok: true, payload };
}
