"""Orders as the web views read them."""

ORDERS = {7001: {"id": "order-7001", "lines": [{"sku": "sku-1001", "quantity": 2}]}}


def find(order_id: int) -> dict | None:
    """The order with this id, or None."""
    return ORDERS.get(order_id)


def receipt_lines(order: dict | None) -> list[str]:
    """The lines of a receipt."""
    # The bug: the view does not check that the order exists.
    return [f"{line['quantity']} x {line['sku']}" for line in order["lines"]]
