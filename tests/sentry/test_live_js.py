"""The real @sentry/node (under Node) and @sentry/browser (bundled by esbuild, in headless
Chromium) reporting to a served Faultline with a project's DSN; what the API then shows."""

import pytest
from playwright.sync_api import sync_playwright

from tests.chromium import launch_chromium
from tests.sentry.clients import page_server, run_browser, run_sdk


def latest(faultline, group: dict) -> dict:
    """A group's latest event, from its detail."""
    return faultline.api(f"/api/v1/groups/{group['id']}")["latest_event"]


def raised_in(event: dict) -> str:
    """The function the reported exception was raised in (frames innermost first)."""
    return event["chain"][-1]["frames"][0]["function"]


def report_node(project: dict, scenario: str, **run) -> None:
    """Run one Node scenario at the project's DSN; it must end as the scenario does."""
    result = run_sdk("node", scenario, project["dsn"], **run)
    expected = 1 if scenario == "uncaught" else 0  # the SDK's handler exits as a crash would
    assert result.returncode == expected, result.stderr


def test_node_errors_chains_and_messages(faultline):
    project = faultline.create_project("node")
    report_node(project, "capture_exception", release="shop@1.4.0", server_name="web-1")
    report_node(project, "capture_exception", release="shop@1.5.0", server_name="web-2")
    for scenario in ("cart_type_error", "chained", "uncaught", "unhandled_rejection"):
        report_node(project, scenario, environment="staging")
    report_node(project, "message_params")
    groups = faultline.wait_for_groups(project["id"], 8)
    events = {}
    for group in groups:
        event = latest(faultline, group)
        key = raised_in(event) if event["chain"] else event["logger"] or "message"
        events[key] = (group, event)
    expected = ["chargeCard", "lineTotal", "message", "refund", "reserve", "zoneRate"]
    assert sorted(events) == expected
    charge_group, charge = events["chargeCard"]
    # The same TypeError text from two functions: two groups; one bug in two releases: one.
    assert charge_group["count"] == 2
    assert events["lineTotal"][0]["count"] == 1
    assert charge["chain"][-1]["value"] == events["lineTotal"][1]["chain"][-1]["value"]
    assert charge["chain"][-1]["frames"][0]["module"] == "node_shop:billing"
    assert (charge["platform"], charge["sdk"]["name"]) == ("node", "sentry.javascript.node")
    assert charge["environment"] == "production"

    _, refund = events["refund"]
    assert [entry["type"] for entry in refund["chain"]] == ["GatewayTimeout", "RefundError"]
    assert refund["chain"][0]["frames"][0]["function"] == "postToGateway"
    assert refund["environment"] == "staging"
    _, rejection = events["reserve"]
    assert rejection["chain"][-1]["mechanism"]["handled"] is False
    _, crash = events["zoneRate"]
    assert crash["chain"][-1]["type"] == "RangeError"
    assert crash["chain"][-1]["mechanism"]["handled"] is False
    messages = [group for group, event in events.values() if not event["chain"]]
    assert [group["count"] for group in messages] == [2]  # one template, two sets of params


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium for this module."""
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def test_browser_sdk_in_chromium(faultline, browser):
    project = faultline.create_project("browser")
    scenarios = ["uncaught", "uncaught_badge", "unhandled_rejection", "capture_exception"]
    with page_server() as port:
        # The page is another origin than Faultline: every request is a real CORS one.
        for scenario in [*scenarios, "capture_message"]:
            done = run_browser(browser, f"http://127.0.0.1:{port}", scenario, project["dsn"])
            assert done == "sent", scenario
        # The same bug from a second host and release.
        origin = f"http://localhost:{port}"
        done = run_browser(browser, origin, "uncaught", project["dsn"], release="shop@1.5.0")
        assert done == "sent"
    groups = faultline.wait_for_groups(project["id"], 6)
    assert len(groups) == 5
    events = {}
    for group in groups:
        event = latest(faultline, group)
        events[raised_in(event) if event["chain"] else "message"] = (group, event)
    assert sorted(events) == sorted(
        ["renderPrice", "renderBadge", "loadRecommendations", "applyCoupon", "message"]
    )
    price_group, price = events["renderPrice"]
    assert price_group["count"] == 2
    assert price["chain"][-1]["mechanism"]["handled"] is False
    assert price["chain"][-1]["value"] == events["renderBadge"][1]["chain"][-1]["value"]
    assert price["platform"] == "javascript"
    assert price["sdk"]["name"] == "sentry.javascript.browser"
    assert price["url"].endswith("/index.html")  # no query: the DSN, e-mail and token stay out
    assert events["applyCoupon"][1]["chain"][-1]["mechanism"]["handled"] is True
    assert events["loadRecommendations"][1]["chain"][-1]["mechanism"]["handled"] is False
    _, message = events["message"]
    assert message["level"] == "warning"
