"""The shop's Flask views."""

from flask import Flask, request

from shop import orders

app = Flask("shop.web")


@app.get("/orders/<int:order_id>/receipt")
def receipt(order_id: int):
    """An order's receipt as JSON."""
    session_token = request.cookies.get("session", "")  # a secret in a local
    order = orders.find(order_id)
    return {"lines": orders.receipt_lines(order), "signed_in": bool(session_token)}
