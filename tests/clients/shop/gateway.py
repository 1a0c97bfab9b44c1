"""The payment provider's HTTP API, as far as the shop sees it."""


class GatewayTimeout(ConnectionError):
    """The provider did not answer in time."""


def post(endpoint: str, payload: dict, timeout: float = 2.5) -> dict:
    """Send one request to the provider; raises when it does not answer."""
    api_token = "sk_live_hunter2-gateway-token"  # a secret in a local, for the privacy checks
    if endpoint.startswith("/refunds"):
        raise GatewayTimeout(f"POST {endpoint} timed out after {timeout}s")
    return {"ok": True, "token_used": len(api_token), "payload": payload}
