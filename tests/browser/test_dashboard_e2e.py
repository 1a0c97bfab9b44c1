"""The dashboard end to end: Debian's Chromium, driven by Playwright, signs in to a running
Faultline, sees data posted through the public endpoints, filters, triages, merges and signs
out. Screenshots of each page land in tests/browser/screenshots/."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.dashboard import CHROME, fill_sign_in, settled, shot, sign_in, track
from tests.signin import PASSWORD

PREFIX = "dashboard"
SITE = "https://shop.example.com"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
# Would run if any of it reached the page as markup.
XSS = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'


def view(base: str, page: str, user_agent: str = CHROME) -> None:
    """A page view of the shop, as the tracker sends it."""
    track(base, "/track/hit", {"b": "b" + page, "u": SITE + page, "q": True, "p": True}, user_agent)


def exception(base: str, type_: str, message: str, function: str, metadata=None) -> None:
    """An exception thrown on the shop's pricing page, as the tracker sends it."""
    stack = f"{type_}: {message}\n    at {function} ({SITE}/static/{function}.js:1:2)"
    body = {"u": SITE + "/pricing", "ty": type_, "m": message, "s": stack, "d": metadata or {}}
    track(base, "/track/exception", body)


def status_tab(page, status: str):
    """The inbox's tab of a status."""
    return page.get_by_role("tab", name=re.compile(rf"^{status}\b", re.I))


def tab_count(page, status: str):
    """The count on the inbox's tab of a status."""
    return status_tab(page, status).locator(".count")


def test_a_day_with_the_dashboard(faultline, page):
    for path, user_agent in [("/", CHROME), ("/", FIREFOX), ("/pricing", CHROME)] * 2:
        view(faultline, path, user_agent)
    exception(faultline, "TypeError", "price is undefined", "renderCart")
    exception(faultline, "ReferenceError", "gtag is not defined", "track")
    exception(faultline, "RangeError", "Maximum call stack size exceeded", "walk")

    page.goto(faultline + "/")
    expect(page).to_have_url(faultline + "/login")
    fill_sign_in(page)

    # Overview: the project the first report created, with what was posted.
    card = page.locator(".project-card", has_text="shop.example.com")
    expect(card.locator(".figure", has_text="Page views")).to_contain_text("6")
    expect(card.locator(".figure", has_text="Exceptions")).to_contain_text("3")
    expect(card.locator(".pill", has_text="new")).to_have_text("3 new")
    shot(page, PREFIX, "overview")

    # Analytics: clicking a page in the breakdown filters the whole page, in the URL.
    card.get_by_role("link", name="shop.example.com").click()
    pages = page.locator("section.tabbed").filter(has=page.get_by_role("heading", name="Pages"))
    pages.get_by_role("button", name="/pricing", exact=True).click()
    expect(page).to_have_url(re.compile(r"filter=path\+%3D%3D\+%22%2Fpricing%22"))
    expect(page.locator(".chip")).to_have_text(re.compile("path == /pricing"))
    expect(page.locator(".metric", has_text="Page views")).to_contain_text("2")
    shot(page, PREFIX, "analytics-filtered")

    # The inbox, and resolving one group moves it to the Resolved tab.
    page.get_by_role("link", name="Exceptions", exact=True).first.click()
    expect(tab_count(page, "unresolved")).to_have_text("3")
    status_tab(page, "unresolved").focus()
    page.keyboard.press("ArrowRight")
    expect(status_tab(page, "resolved")).to_be_focused()
    page.get_by_role("link", name="TypeError: price is undefined").click()
    expect(page.locator(".frame.in-app")).to_contain_text("renderCart")
    shot(page, PREFIX, "group")
    page.get_by_role("button", name="Now", exact=True).click()
    expect(page.locator(".pill.status-resolved")).to_be_visible()
    page.go_back()
    expect(tab_count(page, "unresolved")).to_have_text("2")
    expect(tab_count(page, "resolved")).to_have_text("1")
    status_tab(page, "resolved").click()
    expect(page.locator(".groups tbody tr")).to_have_count(1)
    expect(page.locator(".groups")).to_contain_text("price is undefined")

    # A new event regresses it: back in Unresolved, marked.
    exception(faultline, "TypeError", "price is undefined", "renderCart")
    status_tab(page, "unresolved").click()
    row = page.locator(".groups tbody tr", has_text="price is undefined")
    expect(row.locator(".pill.bad")).to_have_text("regressed")

    # Bulk ignore one, then merge the other two.
    page.get_by_role("checkbox", name="Select ReferenceError: gtag is not defined").check()
    page.locator(".bulk").get_by_role("button", name="Ignore").click()
    expect(tab_count(page, "ignored")).to_have_text("1")
    expect(page.locator(".groups tbody tr")).to_have_count(2)
    shot(page, PREFIX, "inbox")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("checkbox", name="Select all on this page").check()
    page.locator(".bulk").get_by_role("button", name="Merge").click()
    expect(page.locator(".group-h1")).to_be_visible()
    expect(page.locator(".history")).to_contain_text("merged")
    page.get_by_role("link", name="Exceptions", exact=True).first.click()
    expect(tab_count(page, "unresolved")).to_have_text("1")

    page.get_by_role("link", name="Manage").click()
    expect(page.locator(".copyable code").first).to_have_text(
        f'<script async src="{faultline}/tracker.js"></script>'
    )
    # A new API token is shown once; the list shows only its first characters.
    page.get_by_label("New token name").fill("deploys")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator(".token-reveal code").inner_text()
    assert secret.startswith("flt_")
    expect(page.locator("section.tokens tbody")).to_contain_text(f"deploys{secret[:8]}")
    page.get_by_label("New user's email").fill("grace@example.org")
    page.get_by_label("New user's password").fill(PASSWORD)
    page.get_by_role("button", name="Add user").click()
    expect(page.locator("section.users tbody")).to_contain_text("grace@example.org")
    shot(page, PREFIX, "manage")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(faultline + "/login")
    page.goto(faultline + "/")
    expect(page).to_have_url(faultline + "/login")
    assert page.errors == []


def test_reports_render_as_text(faultline, page):
    exception(faultline, "Error", XSS, "xss", {"note": XSS})
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    sign_in(page, faultline)
    page.goto(faultline + "/#/issues")
    page.get_by_role("link", name=f"Error: {XSS}").click()
    expect(page.locator(".message")).to_contain_text(XSS)
    expect(page.locator(".kv dd", has_text="window.pwned")).to_have_text(XSS)
    assert page.evaluate("window.pwned") is None
    assert page.locator("main img, main script").count() == 0
    shot(page, PREFIX, "untrusted-text")
    assert page.errors == []


def test_every_page_fits_a_phone(faultline, page):
    view(faultline, "/pricing", CHROME)
    exception(faultline, "TypeError", "price is undefined", "renderCart")
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, faultline)
    expect(page.locator(".project-card")).to_be_visible()
    project = page.locator(".project-card a").first.get_attribute("href")
    routes = {"overview": "#/", "analytics": project, "inbox": "#/issues", "manage": "#/manage"}
    for name, route in routes.items():
        page.goto(f"{faultline}/{route}")
        settled(page)
        # Readable at 360 px: nothing is wider than the screen, so nothing scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
        shot(page, PREFIX, f"phone-{name}")
    assert page.errors == []
