"""Report one bug of the shop (tests/clients/shop/) to a DSN with the real sentry-sdk.

    .venv/bin/python tests/clients/python_scenarios.py SCENARIO --dsn DSN \
        [--release shop@1.4.0] [--server-name web-1] [--environment production]

Each scenario (scenarios.json names them with their bug labels) is one bug in a process of
its own, since one of them ends the process through sys.excepthook. `SENTRY_DSN` stands in
for --dsn. The secrets and personal data set here are planted on purpose: Faultline must not
store them.
"""

import argparse
import json
import logging
import os
import sys
from pathlib import Path

import sentry_sdk
from sentry_sdk.integrations.flask import FlaskIntegration
from shop import billing, cart, coupons, forms, inventory, shipping

log = logging.getLogger("shop.payments")


def personal_data() -> None:
    """Plant the user, a breadcrumb with data, tags, extra and a context on the scope."""
    sentry_sdk.set_user(
        {
            "id": "u-314",
            "email": "jane.doe@example.com",
            "username": "jdoe",
            "ip_address": "{{auto}}",
        }
    )
    sentry_sdk.add_breadcrumb(
        category="auth", message="signed in", data={"email": "jane.doe@example.com"}
    )
    sentry_sdk.set_tag("checkout_step", "payment")
    sentry_sdk.set_extra("card_holder", "Jane Doe")
    sentry_sdk.set_context("order", {"id": "order-7001", "coupon": "SPRING-15"})


def capture_exception() -> None:
    """A declined card, caught and reported with sentry_sdk.capture_exception."""
    personal_data()
    try:
        billing.charge({"id": "order-7001", "total": 2500}, {"number": "4000000000000002"})
    except billing.PaymentDeclined:
        sentry_sdk.capture_exception()


def cart_key_error() -> None:
    """KeyError 'sku-0404' from cart.line_total (a delisted SKU in a cart)."""
    try:
        cart.cart_total([{"sku": "sku-1001", "quantity": 1}, {"sku": "sku-0404", "quantity": 2}])
    except KeyError as error:
        sentry_sdk.capture_exception(error)


def inventory_key_error() -> None:
    """The same KeyError 'sku-0404', raised by inventory.reserve: a different bug."""
    try:
        inventory.reserve_order([{"sku": "sku-0404", "quantity": 1}])
    except KeyError as error:
        sentry_sdk.capture_exception(error)


def quantity_value_error() -> None:
    """ValueError from int('ten') in forms.parse_quantity."""
    try:
        forms.parse_quantity("ten")
    except ValueError as error:
        sentry_sdk.capture_exception(error)


def coupon_value_error() -> None:
    """The same ValueError text from coupons.parse_percent: a different bug."""
    try:
        coupons.parse_percent("SPRING-ten")
    except ValueError as error:
        sentry_sdk.capture_exception(error)


def message_params() -> None:
    """One logging template with two sets of params: one group (the logging integration)."""
    log.error("Payment provider %s refused order %s", "stripe", "order-7001")
    log.error("Payment provider %s refused order %s", "adyen", "order-7002")


def message_plain() -> None:
    """sentry_sdk.capture_message with a fixed text."""
    sentry_sdk.capture_message("Nightly stock sync skipped: supplier feed unavailable", "warning")


def uncaught() -> None:
    """ZeroDivisionError left uncaught: sys.excepthook reports it and the process ends."""
    password = "hunter2-uncaught"  # noqa: F841  a secret in a local, for the privacy checks
    shipping.quote("eu", 0)


def chained() -> None:
    """RefundFailed raised from GatewayTimeout (`raise ... from`), both in the chain."""
    try:
        billing.refund({"id": "order-7001", "total": 2500})
    except billing.RefundFailed:
        sentry_sdk.capture_exception()


def flask_view() -> None:
    """A TypeError in a Flask view, through the Flask integration, with a request carrying
    a cookie, an Authorization header and a query string."""
    from shop.web import app

    personal_data()
    client = app.test_client()
    client.set_cookie("session", "s3ss10n-hunter2-cookie")
    response = client.get(
        "/orders/9999/receipt?coupon=SPRING-15&email=jane.doe@example.com",
        headers={"Authorization": "Bearer hunter2-bearer-token", "User-Agent": "shop-tests/1"},
    )
    assert response.status_code == 500, response.status_code


def burst() -> None:
    """Twelve distinct errors, one at a time: the back-pressure test counts which get out."""
    for number in range(12):
        try:
            raise RuntimeError(f"burst error {number}")
        except RuntimeError:
            sentry_sdk.capture_exception()
        sentry_sdk.flush(timeout=5)


# The scenarios and their bug labels, shared with the capture script and the tests.
SCENARIOS = json.loads((Path(__file__).parent / "scenarios.json").read_text())["python"]


def main() -> None:
    """Parse the command line, start the SDK and run one scenario."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--dsn", default=os.environ.get("SENTRY_DSN"))
    parser.add_argument("--release", default="shop@1.4.0")
    parser.add_argument("--server-name", default="web-1")
    parser.add_argument("--environment", default="production")
    args = parser.parse_args()
    if not args.dsn:
        parser.error("--dsn (or SENTRY_DSN) is needed")
    sentry_sdk.init(
        dsn=args.dsn,
        release=args.release,
        server_name=args.server_name,
        environment=args.environment,
        # The personal data below must reach Faultline so its privacy rules can be tested.
        send_default_pii=True,
        include_local_variables=True,
        max_request_body_size="always",
        integrations=[FlaskIntegration()],
    )
    globals()[args.scenario]()
    sentry_sdk.flush(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
