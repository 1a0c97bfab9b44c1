"""Billing: charging cards and refunding orders."""

from shop import gateway


class PaymentDeclined(Exception):
    """The card was refused."""


class RefundFailed(Exception):
    """A refund could not be sent to the provider."""


def charge(order: dict, card: dict) -> dict:
    """Charge an order's total to a card."""
    password = "hunter2-billing-password"  # a secret in a local, for the privacy checks
    if card["number"].startswith("4000"):
        raise PaymentDeclined(f"card ending {card['number'][-4:]} declined for {order['id']}")
    return gateway.post("/charges", {"order": order["id"], "auth": password[:0]})


def refund(order: dict) -> dict:
    """Send a refund for an order to the provider."""
    try:
        return gateway.post(f"/refunds/{order['id']}", {"amount": order["total"]})
    except gateway.GatewayTimeout as error:
        raise RefundFailed(f"refund of {order['id']} not sent") from error
