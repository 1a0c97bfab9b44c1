"""The dashboard with data from a Sentry SDK, end to end: a real envelope (what sentry-sdk sends
for a Flask view that raises `ValueError(...) from KeyError`) goes through the served app's
envelope endpoint, then Debian's Chromium shows its chain, code, environment, SDK and tags on
the group page, and the project's SDK page shows the DSN, copies setup code, counts the dropped
transaction and rotates the key (after which the old key is refused). Screenshots land in
tests/browser/screenshots/ as dashboard-sentry-*.png."""

import json
import re
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

import tests.served
from tests.browser.dashboard import api, settled, shot, sign_in, wait_for
from tests.browser.sentry_envelopes import SERVER_NAME, envelope, parse_dsn, python_event, send

PREFIX = "dashboard-sentry"


@pytest.fixture
def config(config, monkeypatch):
    """The test config with web.base_url at the port the server will take, so DSNs point at it."""
    port = tests.served.free_port()
    monkeypatch.setattr(tests.served, "free_port", lambda: port)
    config["web"]["base_url"] = f"http://127.0.0.1:{port}"
    return config


@pytest.fixture
def context(context, faultline):
    """The browser context, allowed the clipboard on Faultline's pages (for Copy code)."""
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=faultline)
    return context


def test_a_sentry_sdk_project_in_the_dashboard(faultline, page):
    sign_in(page, faultline)
    settled(page)
    project = api(page, faultline, "/projects", method="POST", body={"name": "shop-api"})
    key, project_id, host = parse_dsn(project["dsn"])
    assert project_id == project["id"]
    assert host == urlsplit(faultline).netloc

    # What the SDK sends: one event, then a transaction in an envelope without lengths (as the
    # browser SDK writes them), which is accepted and counted as dropped.
    event_id = uuid.uuid4().hex
    body = envelope(
        project["dsn"],
        [
            (
                {"type": "event", "content_type": "application/json"},
                json.dumps(python_event(event_id)).encode(),
            )
        ],
    )
    assert send(faultline, project_id, key, body) == (200, {"id": event_id})
    transaction = {
        "type": "transaction",
        "event_id": uuid.uuid4().hex,
        "transaction": "/checkout",
        "spans": [],
    }
    body = envelope(
        project["dsn"],
        [({"type": "transaction"}, json.dumps(transaction).encode())],
        with_length=False,
    )
    assert send(faultline, project_id, key, body)[0] == 200
    wait_for(
        "the dropped transaction was never counted",
        lambda: api(page, faultline, f"/projects/{project_id}/dropped")["items"],
        seconds=10,
    )

    # The inbox: environment and platform on the row, and the environment filter.
    page.goto(f"{faultline}/#/issues?environment=production")
    row = page.locator(".groups tbody tr", has_text="unknown SKU sku-404")
    expect(row.locator(".pill.env")).to_have_text("production")
    expect(row.locator(".platform")).to_have_text(" · python")
    expect(page.get_by_label("Environment")).to_have_value("production")
    shot(page, PREFIX, "inbox")
    page.get_by_label("Environment").fill("staging")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"environment=staging"))
    expect(page.locator("main")).to_contain_text("No groups match these filters.")
    page.get_by_label("Environment").fill("")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="ValueError: unknown SKU sku-404").click()

    # The group page: the chain causes first, the raised one last, each with its code.
    chain = page.locator(".chain-list > li")
    expect(chain).to_have_count(2)
    expect(chain.nth(0).locator(".badge")).to_have_text("caused by")
    expect(chain.nth(0).locator(".message")).to_have_text("KeyError: 'sku-404'")
    expect(chain.nth(1).locator(".badge")).to_have_text("raised")
    expect(chain.nth(1).locator(".message")).to_have_text("ValueError: unknown SKU sku-404")
    expect(chain.nth(1).locator(".mechanism")).to_contain_text("unhandled")
    # Innermost first: where the KeyError happened, then its caller.
    cause_frames = chain.nth(0).locator(".frame.in-app summary")
    expect(cause_frames).to_have_text(
        ["load_price at shop/pricing.py:12", "checkout at shop/pricing.py:17"]
    )
    current = chain.nth(0).locator(".frame.in-app").first.locator(".line.current")
    expect(current.locator(".ln")).to_have_text("12")
    expect(current.locator(".src")).to_have_text('    return PRICES[cart["sku"]]')
    expect(chain.nth(0).locator(".frame.in-app").first.locator(".line .ln").first).to_have_text("8")
    raised_code = chain.nth(1).locator(".frame.in-app .line.current .src")
    expect(raised_code).to_have_text(
        "        raise ValueError(f\"unknown SKU {cart['sku']}\") from error"
    )
    # Flask's frames fold into one line; their code stays closed when unfolded.
    run = chain.nth(1).locator(".frame-run")
    expect(run.locator("summary").first).to_have_text("2 other frames")
    expect(run.locator(".code").first).to_be_hidden()
    run.locator("summary").first.click()
    expect(run.locator(".frame summary").first).to_be_visible()
    expect(run.locator(".code").first).to_be_hidden()

    details = page.locator(".event-aside .kv").first
    for label, value in [
        ("Environment", "production"),
        ("SDK", "sentry.python.flask 2.76.0"),
        ("Level", "error"),
        ("Release", "shop@2.4.1"),
        ("Transaction", "/checkout"),
        ("URL", "https://shop.example.com/checkout"),
        ("Platform", "python"),
    ]:
        expect(
            details.locator(f"xpath=dt[normalize-space()='{label}']/following-sibling::dd[1]")
        ).to_have_text(value)
    tags = page.locator(".event-aside .tag")
    expect(tags.filter(has_text="region")).to_have_text("regioneu-west-1")
    expect(tags.filter(has_text="customer_tier")).to_have_text("customer_tiergold")
    expect(page.locator(".event-aside .context h4")).to_contain_text(
        ["Runtime", "Operating system"]
    )
    expect(page.locator(".event-aside .context", has_text="Runtime")).to_contain_text("CPython")
    expect(page.locator("table.events th", has_text="Environment")).to_be_visible()
    breakdowns = page.locator("section.tabbed", has_text="Breakdowns")
    breakdowns.get_by_role("tab", name="Environment").click()
    expect(breakdowns.locator("td.key")).to_have_text(["production"])
    # What the privacy promise keeps out is not on the page either.
    text = page.locator("main").inner_text()
    assert SERVER_NAME not in text and "s3cret" not in text and "session=abc" not in text
    shot(page, PREFIX, "group")

    # The project's SDK page, reached from its analytics page.
    page.goto(f"{faultline}/#/projects/{project_id}")
    page.get_by_role("link", name="SDK setup").click()
    dsn_card = page.locator(".dsn-card")
    expect(dsn_card.locator("code")).to_have_text(project["dsn"])
    snippets = page.locator(".snippets")
    expect(snippets.locator(".tab-body code").nth(1)).to_contain_text(f'dsn="{project["dsn"]}"')
    snippets.get_by_role("tab", name="Node.js").click()
    expect(snippets.locator(".tab-body code").nth(0)).to_have_text("npm install @sentry/node")
    snippets.get_by_role("button", name="Copy code").click()
    expect(page.locator(".toast")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert 'const Sentry = require("@sentry/node");' in copied
    assert f'dsn: "{project["dsn"]}"' in copied
    snippets.get_by_role("tab", name="Browser").click()
    expect(snippets.locator(".tab-body code").nth(1)).to_contain_text(
        'import * as Sentry from "@sentry/browser";'
    )
    dropped = page.locator(".dropped tbody tr")
    expect(dropped).to_have_count(1)
    expect(dropped.first).to_contain_text("Transactions (tracing)")
    expect(dropped.first.locator("td.num")).to_have_text("1")
    shot(page, PREFIX, "project")

    # Rotating asks first and says what it breaks; afterwards the page shows the new DSN.
    page.get_by_role("button", name="Rotate key…").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("refused (403)")
    shot(page, PREFIX, "rotate-confirm")
    page.get_by_role("alertdialog").get_by_role("button", name="Rotate key", exact=True).click()
    expect(dsn_card.locator(".notice.ok")).to_contain_text("Key rotated")
    new_dsn = dsn_card.locator("code").inner_text()
    assert new_dsn != project["dsn"]
    new_key, same_id, _ = parse_dsn(new_dsn)
    assert same_id == project_id and new_key != key
    expect(snippets.locator(".tab-body code").nth(1)).to_contain_text(new_dsn)
    assert project["dsn"] not in page.locator("main").inner_text()
    shot(page, PREFIX, "rotated")

    # The old key is refused from now on, the new one works.
    again = envelope(
        new_dsn, [({"type": "event"}, json.dumps(python_event(uuid.uuid4().hex)).encode())]
    )
    assert send(faultline, project_id, key, again)[0] == 403
    assert send(faultline, project_id, new_key, again)[0] == 200

    # Both pages fit a phone.
    page.set_viewport_size({"width": 360, "height": 740})
    for name, route in [
        ("phone-project", page.url),
        ("phone-group", f"{faultline}/#/issues?environment=production"),
    ]:
        page.goto(route)
        settled(page)
        if name == "phone-group":
            page.get_by_role("link", name="ValueError: unknown SKU sku-404").click()
            expect(page.locator(".chain-list > li")).to_have_count(2)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
        shot(page, PREFIX, name)
    assert page.errors == []
