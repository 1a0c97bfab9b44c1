"""The audit log in the dashboard, end to end: in Debian's Chromium an administrator signs in,
resolves a group, opens the Audit log from the header and finds the entry (who, what, which
group, through which session), filters it, and a member sees neither the link nor the log.
The screenshot lands in tests/browser/screenshots/dashboard-audit.png."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.dashboard import shot, sign_in, track

ADMIN = "ada@example.org"
MEMBER = "bob@example.org"
SITE = "https://shop.example.com"


def report(base: str, type_: str, message: str, function: str) -> None:
    """An exception as the tracker in Chrome sends it."""
    stack = f"{type_}: {message}\n    at {function} ({SITE}/static/{function}.js:1:2)"
    track(base, "/track/exception", {"u": SITE + "/cart", "ty": type_, "m": message, "s": stack})


@pytest.fixture
def accounts():
    """An administrator and a member."""
    return [(ADMIN, "admin"), (MEMBER, "member")]


def sign_in_as(page, base: str, email: str) -> None:
    """Sign in and wait for the header to name the account."""
    sign_in(page, base, email)
    expect(page.locator("#who")).to_have_text(email)


def test_an_administrator_finds_a_triage_in_the_audit_log(faultline, page):
    report(faultline, "TypeError", "price is undefined", "renderCart")
    report(faultline, "RangeError", "Maximum call stack size exceeded", "walk")
    sign_in_as(page, faultline, ADMIN)

    page.get_by_role("link", name="Exceptions", exact=True).first.click()
    page.get_by_role("link", name="TypeError: price is undefined").click()
    group_id = re.search(r"#/issues/(\d+)", page.url).group(1)
    page.get_by_role("button", name="Now", exact=True).click()
    expect(page.locator(".pill.status-resolved")).to_be_visible()

    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    newest = page.locator("table.audit-log tbody tr").first
    cells = newest.locator("td")
    expect(cells.nth(1)).to_have_text(ADMIN)
    expect(cells.nth(2)).to_have_text("group.resolve")
    expect(cells.nth(3)).to_have_text(f"group {group_id}")
    expect(cells.nth(4)).to_have_text(re.compile(r"^session:[0-9a-f]{12}$"))
    expect(cells.nth(5)).to_contain_text("status: resolved")
    # Their own sign-in is there too, below the triage.
    expect(page.locator("table.audit-log")).to_contain_text("signin.success")
    shot(page, "dashboard", "audit")

    page.get_by_label("Action").select_option("group.")
    expect(page).to_have_url(re.compile(r"#/audit\?action=group\.$"))
    expect(page.locator("table.audit-log tbody tr")).to_have_count(1)
    page.get_by_label("Who").select_option(label=MEMBER)
    expect(page.get_by_text("Nothing recorded matches these filters.")).to_be_visible()
    assert page.errors == []


def test_a_member_sees_no_audit_log(faultline, page):
    sign_in_as(page, faultline, MEMBER)
    expect(page.locator("#nav a")).to_have_text(["Overview", "Exceptions", "Manage"])
    page.goto(faultline + "/#/audit")
    expect(page.get_by_text("Only administrators read the audit log.")).to_be_visible()
    assert page.errors == []
