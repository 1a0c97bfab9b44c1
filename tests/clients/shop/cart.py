"""The cart: line totals from the price list."""

PRICES = {"sku-1001": 1250, "sku-1002": 899, "sku-1003": 4500}


def line_total(line: dict) -> int:
    """The price of one cart line in cents."""
    # The bug: a SKU that was delisted after it went into a cart is not in PRICES.
    return PRICES[line["sku"]] * line["quantity"]


def cart_total(lines: list[dict]) -> int:
    """The sum of the cart's lines in cents."""
    return sum(line_total(line) for line in lines)
