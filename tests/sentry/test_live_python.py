"""The real sentry-sdk, in a subprocess, reporting the shop's bugs (tests/clients/shop/) to a
served Faultline with the DSN `faultline project create` printed; what a user then sees
through the API."""

import json

from tests.sentry.clients import run_sdk

# Planted by the scenarios (python_scenarios.py); none may come back out of the API.
SECRETS = ("hunter2", "jane.doe@example.com", "s3ss10n", "jdoe")


def report(project: dict, scenario: str, **run) -> None:
    """Run one Python scenario at the project's DSN; it must end as the scenario does."""
    result = run_sdk("python", scenario, project["dsn"], **run)
    expected = 1 if scenario == "uncaught" else 0  # sys.excepthook ends it as a crash
    assert result.returncode == expected, result.stderr


def raised(event: dict) -> dict:
    """The chain entry of the exception that was raised (Sentry's order: the last)."""
    return event["chain"][-1]


def where(entry: dict) -> tuple:
    """(module, function) of the frame an exception was raised in (frames innermost first)."""
    frame = entry["frames"][0]
    return frame.get("module"), frame["function"]


def latest(faultline, group: dict) -> dict:
    """A group's latest event, from its detail."""
    return faultline.api(f"/api/v1/groups/{group['id']}")["latest_event"]


def test_chained_exception_keeps_its_cause_frames_and_context(faultline):
    project = faultline.create_project("py-chain")
    report(project, "chained", release="shop@2.0.1", server_name="web-7", environment="staging")
    [group] = faultline.wait_for_groups(project["id"], 1)
    event = latest(faultline, group)
    assert [entry["type"] for entry in event["chain"]] == ["GatewayTimeout", "RefundFailed"]
    cause, error = event["chain"]
    assert where(cause) == ("shop.gateway", "post")
    assert where(error) == ("shop.billing", "refund")
    assert "raise RefundFailed" in error["frames"][0]["context_line"]
    assert error["frames"][0]["in_app"] is True
    assert error["mechanism"]["handled"] is True
    assert (event["platform"], event["environment"], event["release"]) == (
        "python",
        "staging",
        "shop@2.0.1",
    )
    assert event["sdk"]["name"].startswith("sentry.python")  # `.flask` when Flask is installed
    assert event["sdk"]["version"] == "2.75.0"
    assert (group["platform"], group["environment"]) == ("python", "staging")
    filtered = faultline.api(f"/api/v1/groups?project={project['id']}&environment=production")
    assert filtered["items"] == []


def test_same_bug_from_two_releases_and_hosts_is_one_group_same_text_elsewhere_is_not(faultline):
    project = faultline.create_project("py-grouping")
    report(project, "cart_key_error", release="shop@1.4.0", server_name="web-1")
    report(project, "cart_key_error", release="shop@1.5.0", server_name="web-2")
    for scenario in ("inventory_key_error", "quantity_value_error", "coupon_value_error"):
        report(project, scenario)
    groups = faultline.wait_for_groups(project["id"], 5)
    found = {where(raised(latest(faultline, group))): group["count"] for group in groups}
    assert found == {
        ("shop.cart", "line_total"): 2,
        ("shop.inventory", "reserve"): 1,
        ("shop.forms", "parse_quantity"): 1,
        ("shop.coupons", "parse_percent"): 1,
    }
    [cart] = [group for group in groups if group["count"] == 2]
    releases = {event["release"] for event in faultline.events(cart["id"])}
    assert releases == {"shop@1.4.0", "shop@1.5.0"}


def test_messages_are_grouped_by_their_template(faultline):
    project = faultline.create_project("py-messages")
    report(project, "message_params")  # one template, two sets of params
    report(project, "message_plain")
    groups = faultline.wait_for_groups(project["id"], 3)
    assert sorted(group["count"] for group in groups) == [1, 2]
    [refused] = [group for group in groups if group["count"] == 2]
    events = faultline.events(refused["id"])
    assert {event["level"] for event in events} == {"error"}
    assert {event["logger"] for event in events} == {"shop.payments"}
    assert {event["platform"] for event in events} == {"python"}
    [plain] = [group for group in groups if group["count"] == 1]
    assert latest(faultline, plain)["level"] == "warning"


def test_uncaught_exception_and_flask_view_are_reported_unhandled(faultline):
    project = faultline.create_project("py-unhandled")
    report(project, "uncaught")
    report(project, "flask_view")
    groups = faultline.wait_for_groups(project["id"], 2)
    events = {where(raised(latest(faultline, group))): latest(faultline, group) for group in groups}
    crash = events[("shop.shipping", "per_kilo")]
    assert raised(crash)["type"] == "ZeroDivisionError"
    assert raised(crash)["mechanism"]["handled"] is False
    view = events[("shop.orders", "receipt_lines")]
    assert raised(view)["type"] == "TypeError"
    assert raised(view)["mechanism"]["handled"] is False
    assert view["url"] == "http://localhost/orders/9999/receipt"  # the query is left out
    assert "receipt" in view["transaction"]
    functions = [frame["function"] for frame in raised(view)["frames"]]
    assert functions[:2] == ["receipt_lines", "receipt"]
    shown = json.dumps([faultline.api(f"/api/v1/groups/{g['id']}") for g in groups])
    shown += json.dumps([faultline.events(g["id"]) for g in groups])
    assert [secret for secret in SECRETS if secret in shown] == []
