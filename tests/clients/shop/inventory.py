"""Stock levels: reserving items for an order."""

STOCK = {"sku-1001": 12, "sku-1002": 0, "sku-1003": 3}


def reserve(sku: str, quantity: int) -> int:
    """Take `quantity` of `sku` out of stock; what is left."""
    # The bug: same KeyError as cart.line_total for the same delisted SKU, but a different
    # function, so a different bug.
    left = STOCK[sku] - quantity
    STOCK[sku] = left
    return left


def reserve_order(lines: list[dict]) -> None:
    """Reserve every line of an order."""
    for line in lines:
        reserve(line["sku"], line["quantity"])
