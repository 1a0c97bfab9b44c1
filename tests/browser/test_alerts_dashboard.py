"""Alerts in the dashboard, end to end: an administrator in Debian's Chromium opens a project's
Alerts page from its settings, adds a webhook channel pointed at a real HTTP receiver (its
secret shown once), sends a test and sees the receiver's answer, adds a new-group rule; then
a new error is reported, the worker of the running Faultline delivers it, and the group page
and the Alerts page say so. Screenshots land in tests/browser/screenshots/ as
dashboard-alerts-*.png."""

import hashlib
import hmac
import json

import pytest
from playwright.sync_api import expect

from tests.browser.dashboard import SCREENSHOTS, api, settled, shot, sign_in, track, wait_for
from tests.hook_receiver import hook_receiver
from tests.served import free_port

PREFIX = "dashboard-alerts"
SITE = "https://shop.example.com"


@pytest.fixture
def config(config):
    """The test config, with a worker that sends without waiting long."""
    config["alerts"].update(digest_seconds=1, poll_seconds=1)
    return config


def report(base: str) -> None:
    """A tracker's error report from the shop's cart."""
    message = "Cannot read properties of null (reading 'percent')"
    stack = f"TypeError: {message}\n    at computeTotal ({SITE}/assets/app.js:1:87)"
    track(
        base, "/track/exception", {"u": SITE + "/cart", "ty": "TypeError", "m": message, "s": stack}
    )


def add_channel(page, name: str, url: str) -> str:
    """Fill in and send the channel form; the secret it reveals."""
    form = page.locator(".channel-form")
    form.get_by_label("Channel name").fill(name)
    form.get_by_label("Sends to").fill(url)
    form.get_by_role("button", name="Add channel").click()
    reveal = page.locator(".token-reveal")
    expect(reveal).to_contain_text("it is not shown again")
    return reveal.locator("code").inner_text()


def test_alerts_are_set_up_tested_and_seen_in_the_dashboard(faultline, page):
    sign_in(page, faultline)
    settled(page)
    # The shop's first page view makes its project.
    track(faultline, "/track/hit", {"b": "b/cart", "u": SITE + "/cart"})
    project = wait_for(
        "the shop's project never appeared",
        lambda: next(iter(api(page, faultline, "/projects")["items"]), None),
    )

    # From the project's settings to its Alerts section.
    page.goto(f"{faultline}/#/projects/{project['id']}/settings")
    settled(page)
    page.get_by_role("navigation", name="Project settings").get_by_role(
        "link", name="Alerts"
    ).click()
    expect(page.locator("h1")).to_have_text("shop.example.com: alerts")
    expect(page.locator(".rules")).to_contain_text("No alert rules yet")
    shot(page, PREFIX, "empty")

    with hook_receiver() as (url, received):
        secret = add_channel(page, "Ops hook", url)
        assert len(secret) >= 32
        shot(page, PREFIX, "secret")
        page.locator(".token-reveal").get_by_role("button", name="Done").click()
        settled(page)
        expect(page.locator(".token-reveal code")).to_have_count(0)
        row = page.locator(".alert-channel", has_text="Ops hook")
        expect(row.locator(".pill")).to_have_text("Webhook · JSON")
        expect(row.locator(".target")).to_have_text(url)

        # The test reaches the receiver, signed with the secret shown once.
        row.get_by_role("button", name="Send a test to Ops hook").click()
        expect(row.locator(".test-outcome")).to_have_text("Delivered: HTTP 200")
        [(headers, body)] = received
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert headers["x-faultline-signature"] == f"sha256={expected}"

        # A channel nobody answers says so.
        add_channel(page, "Old hook", f"http://127.0.0.1:{free_port()}/gone")
        page.locator(".token-reveal").get_by_role("button", name="Done").click()
        settled(page)
        gone = page.locator(".alert-channel", has_text="Old hook")
        gone.get_by_role("button", name="Send a test to Old hook").click()
        expect(gone.locator(".test-outcome")).to_have_text("Not delivered: connection refused")

        # A new-group rule that tells the first channel.
        form = page.locator(".rule-form")
        form.get_by_label("Rule name").fill("New errors")
        form.get_by_label("Ops hook").check()
        form.get_by_label("Cool-down in minutes").fill("30")
        form.get_by_role("button", name="Add rule").click()
        rule = page.locator(".alert-rule", has_text="New errors")
        expect(rule.locator(".condition")).to_have_text("A new group appears")
        expect(rule.locator("dd").first).to_have_text("Ops hook")
        expect(rule.locator("dd").nth(1)).to_have_text("at most one alert per group every 30 min")
        shot(page, PREFIX, "page")

        # Something new breaks: the worker delivers it to the receiver.
        report(faultline)
        wait_for("the alert never reached the receiver", lambda: len(received) >= 2)
        alert = json.loads(received[-1][1])
        assert "TypeError" in json.dumps(alert)

    [group] = api(page, faultline, "/groups")["items"]
    wait_for(
        "the delivery was never marked sent",
        lambda: (
            [
                d["state"]
                for d in api(page, faultline, f"/projects/{project['id']}/alert-deliveries")[
                    "items"
                ]
            ]
            == ["sent"]
        ),
    )
    page.reload()
    settled(page)
    delivery = page.locator(".deliveries-table tbody tr")
    expect(delivery).to_have_count(1)
    expect(delivery).to_contain_text("New errors")
    expect(delivery).to_contain_text("sent")
    expect(delivery).to_contain_text("✓ HTTP 200")
    shot(page, PREFIX, "delivered")

    # The group page says which alerts fired for it, and leads back to the rules.
    page.goto(f"{faultline}/#/issues/{group['id']}")
    settled(page)
    fired = page.locator(".alerts-fired")
    expect(fired.locator("li")).to_have_count(1)
    expect(fired.locator("li")).to_contain_text("New errors (New group)")
    expect(fired.locator("li")).to_contain_text("Ops hook sent")
    fired.screenshot(path=str(SCREENSHOTS / f"{PREFIX}-group-card.png"))
    shot(page, PREFIX, "group")

    # Muting from the Alerts page, which fits a phone.
    fired.get_by_role("link", name="Alert rules").click()
    settled(page)
    rule = page.locator(".alert-rule", has_text="New errors")
    rule.get_by_label("Mute New errors").check()
    expect(rule.locator(".pill.warn")).to_have_text("muted")
    assert api(page, faultline, f"/alert-rules/{rule.get_attribute('data-rule')}")["muted"]
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    settled(page)
    # Nothing on the page reaches past the screen's edge (wide tables scroll in their card).
    view = page.locator("#view")
    assert view.evaluate("(v) => v.scrollWidth <= v.clientWidth && v.clientWidth <= 360")
    shot(page, PREFIX, "phone")
    assert page.errors == []
