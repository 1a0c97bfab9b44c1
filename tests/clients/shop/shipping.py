"""Shipping quotes."""

ZONE_RATES = {"eu": 900, "us": 1400}


def per_kilo(zone: str, weight_kg: float) -> float:
    """The rate of a zone spread over a parcel's weight."""
    # The bug: a parcel of digital goods weighs nothing.
    return ZONE_RATES[zone] / weight_kg


def quote(zone: str, weight_kg: float) -> int:
    """The shipping price of a parcel in cents."""
    return round(per_kilo(zone, weight_kg) * max(weight_kg, 1))
