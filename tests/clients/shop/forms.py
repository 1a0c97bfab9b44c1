"""Form fields typed in by customers."""


def parse_quantity(text: str) -> int:
    """The quantity field of the cart form."""
    # The bug: int() refuses "2 pcs"; the same ValueError text as coupons.parse_percent.
    return int(text)
