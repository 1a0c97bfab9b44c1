"""Coupon codes and their discounts."""


def parse_percent(code: str) -> int:
    """The discount in percent encoded at the end of a coupon code (SPRING-15)."""
    # The bug: codes without a number end in text, and int() refuses it with the same
    # message as forms.parse_quantity.
    return int(code.rsplit("-", 1)[-1])
