"""The tracker end to end: Debian's Chromium, driven by Playwright, loads pages served on
127.0.0.1 that include /tracker.js from a running Faultline, and what the server stored is read
back from the database (hits) and the API (exceptions)."""

import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import make_engine
from app.models import Hit
from tests.chromium import launch_chromium
from tests.served import served, stored_events

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "tracker_pages"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
ROUTES = {
    "/start": "start.html",
    "/shop/": "product.html",
    "/app/": "spa.html",
    "/errors": "errors.html",
}
WAIT_S = 30  # how long stored data may take to show up before a test gives up


class PageHandler(BaseHTTPRequestHandler):
    """Serves the test pages, with the Faultline and page origins filled in."""

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        name = next((file for prefix, file in ROUTES.items() if path.startswith(prefix)), None)
        if name is None:
            self.send_error(404)
            return
        html = (PAGES / name).read_text(encoding="utf-8")
        html = html.replace("{{FAULTLINE}}", self.server.faultline)
        body = html.replace("{{PAGES}}", self.server.origin).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass  # keep pytest's output to the results


@pytest.fixture(scope="module")
def playwright():
    """The Playwright driver, for the whole module."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright):
    """Headless Debian Chromium (no browser download), for the whole module."""
    chromium = launch_chromium(playwright)
    yield chromium
    chromium.close()


@pytest.fixture
def site(config, make_app, auth, tmp_path):
    """A running Faultline and a page server beside it, and ways to read what was stored."""
    with served(config, tmp_path) as (faultline, _log, _process):
        pages = ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
        pages.faultline = faultline
        pages.origin = f"http://127.0.0.1:{pages.server_address[1]}"
        threading.Thread(target=pages.serve_forever, daemon=True).start()
        site = Site(faultline, pages.origin, config["database"]["url"], auth)
        try:
            yield site
        finally:
            site.engine.dispose()
            pages.shutdown()
            pages.server_close()


class Site:
    """The servers of one test and ways to read what Faultline stored."""

    def __init__(self, faultline: str, pages: str, database_url: str, auth: dict):
        self.faultline, self.pages, self.auth = faultline, pages, auth
        self.database_url = database_url
        self.engine = make_engine(database_url)

    def hits(self) -> list[Hit]:
        """Every stored hit, oldest first."""
        with Session(self.engine) as session:
            return list(session.scalars(select(Hit).order_by(Hit.id)))

    def exception_count(self) -> int:
        """Stored exception events."""
        return stored_events(self.database_url)

    def api(self, path: str) -> dict:
        """GET a protected API path with the test's token."""
        request = urllib.request.Request(self.faultline + path, headers=self.auth)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def wait_for_hits(self, done) -> list[Hit]:
        """The stored hits, once `done(hits)` holds."""
        return wait_for(self.hits, done)


def wait_for(read, done):
    """Poll `read()` until `done(value)` holds; the value. Fails after WAIT_S seconds."""
    deadline = time.monotonic() + WAIT_S
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still not there after {WAIT_S}s: {value!r}")
        time.sleep(0.1)


def kinds(hits) -> list[str]:
    """The kinds of some hits, sorted (a beacon and a fetch may arrive in either order)."""
    return sorted(hit.kind for hit in hits)


def of_kind(hits, kind: str) -> list[Hit]:
    """The hits of one kind, in the order they were stored."""
    return [hit for hit in hits if hit.kind == kind]


def screenshot(page, name: str) -> None:
    """Keep a picture of the page, to look at when something is off."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"tracker_{name}.png")


def track_requests(page) -> list[str]:
    """Every URL the page requests from now on."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def is_hit(response) -> bool:
    """A committed answer to a hit."""
    return response.url.endswith("/track/hit") and response.status == 204


def test_page_view_from_a_referring_site(playwright, browser, site):
    # A phone in Tokyo follows a link from another host (`localhost`) to the shop.
    phone = playwright.devices["Pixel 5"]
    context = browser.new_context(**phone, timezone_id="Asia/Tokyo", locale="ja-JP")
    page = context.new_page()
    page.goto(site.pages.replace("127.0.0.1", "localhost") + "/start")
    screenshot(page, "start")
    with page.expect_response(is_hit):
        page.click("#go")
    screenshot(page, "product")
    [view] = site.wait_for_hits(lambda hits: len(hits) == 1)
    assert (view.kind, view.path) == ("load", "/shop/products/linen-shirt")
    assert (view.referrer_host, view.country, view.device) == ("localhost", "JP", "mobile")
    assert (view.browser, view.os, view.language) == ("Chrome Mobile", "Android", "ja")
    assert (view.utm_source, view.utm_medium) == ("newsletter", "email")
    assert view.unique_visit and view.unique_page
    assert view.beacon and view.session_id

    # The same page again in the same tab: the pings now say "seen today", one session.
    with page.expect_response(is_hit):
        page.goto(site.pages + "/shop/products/linen-shirt")
    with page.expect_response(is_hit):
        page.click("#add")
    hits = site.wait_for_hits(lambda hits: len(hits) == 4)
    assert kinds(hits) == ["custom", "load", "load", "unload"]
    first, again = of_kind(hits, "load")
    [unload], [event] = of_kind(hits, "unload"), of_kind(hits, "custom")
    assert unload.beacon == first.beacon and unload.duration_ms is not None
    assert not again.unique_visit and not again.unique_page
    assert again.referrer_host is None  # no referrer on a typed-in URL
    assert again.beacon != first.beacon and again.session_id == first.session_id
    assert (event.event_name, event.meta) == ("add_to_cart", {"sku": "LIN-42", "qty": "1"})
    assert event.beacon == again.beacon
    context.close()


def test_single_page_navigation_is_an_unload_and_a_new_view(browser, site):
    context = browser.new_context(timezone_id="Europe/Berlin")
    page = context.new_page()
    with page.expect_response(is_hit):
        page.goto(site.pages + "/app/")
    page.click("#tab")  # same path, new query: no view
    page.click("#settings")
    screenshot(page, "spa")
    hits = site.wait_for_hits(lambda hits: kinds(hits) == ["load", "load", "unload"])
    first, second = of_kind(hits, "load")
    [unload] = of_kind(hits, "unload")
    assert (first.path, unload.path, second.path) == ("/app", "/app", "/app/settings")
    assert unload.beacon == first.beacon and unload.duration_ms is not None
    assert second.beacon != first.beacon
    assert first.session_id == unload.session_id == second.session_id
    assert second.referrer_host is None  # an internal navigation
    assert second.country == "DE" and second.device == "desktop"

    # Leaving the page (pagehide) ends the second view: exactly one unload per view.
    page.goto(site.pages + "/start")
    hits = site.wait_for_hits(lambda hits: len(hits) == 4)
    assert [(hit.beacon, hit.path) for hit in of_kind(hits, "unload")] == [
        (first.beacon, "/app"),
        (second.beacon, "/app/settings"),
    ]
    context.close()


def test_errors_arrive_parsed_and_grouped(browser, site):
    context = browser.new_context()
    page = context.new_page()
    with page.expect_response(is_hit):
        page.goto(site.pages + "/errors")
    page.click("#crash")
    page.click("#crash")  # the same error again on this page: sent once
    page.click("#reject")
    page.click("#save")
    screenshot(page, "errors")
    wait_for(site.exception_count, lambda count: count == 3)
    # A new page load throws the same error once more: the same group, count 2.
    with page.expect_response(is_hit):
        page.reload()
    page.click("#crash")
    wait_for(site.exception_count, lambda count: count == 4)

    groups = {group["title"].split(":")[0]: group for group in site.api("/api/v1/groups")["items"]}
    assert sorted(groups) == ["Error", "RangeError", "TypeError"]
    assert [groups[name]["count"] for name in ("TypeError", "Error", "RangeError")] == [2, 1, 1]
    frames = {}
    for name, group in groups.items():
        [event, *_] = site.api(f"/api/v1/groups/{group['id']}/events")["items"]
        frames[name] = [frame["function"] for frame in event["frames"]]
        assert all(frame["filename"].endswith("/errors") for frame in event["frames"])
        assert event["release"] == "e2e-1" and event["path"] == "/errors"
        assert event["handled"] is (name == "RangeError")
    assert frames["TypeError"][:2] == ["readPrice", "checkout"]
    assert frames["Error"][0] == "loadCart"
    assert frames["RangeError"][:2] == ["validateProfile", "saveProfile"]
    assert "readPrice" in groups["TypeError"]["culprit"]
    manual = site.api(f"/api/v1/groups/{groups['RangeError']['id']}/events")["items"][0]
    assert manual["metadata"] == {"form": "profile"}
    context.close()


# Init scripts that make the browser ask not to be tracked, before any page script runs.
OPT_OUTS = {
    "dnt": "Object.defineProperty(Navigator.prototype, 'doNotTrack', {get: () => '1'});",
    "gpc": "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});",
}


def test_nothing_at_all_under_do_not_track_or_global_privacy_control(browser, site):
    for name, signal in OPT_OUTS.items():
        context = browser.new_context()
        context.add_init_script(signal)
        page = context.new_page()
        requests = track_requests(page)
        page.goto(site.pages + "/errors")
        page.wait_for_function("window.analytics && !('q' in window.analytics)")
        page.click("#crash")
        page.click("#reject")
        page.click("#save")
        page.evaluate("analytics.event('signup', { plan: 'pro' })")
        page.goto(site.pages + "/app/")
        page.wait_for_function("window.analytics && !('q' in window.analytics)")
        page.click("#settings")
        assert page.evaluate("sessionStorage.length") == 0
        screenshot(page, name)
        context.close()  # pagehide: would send an unload, if anything were sent
        assert {url for url in requests if url.startswith(site.faultline)} == {
            f"{site.faultline}/tracker.js"
        }, name

    # A visitor without the signal, afterwards: only their page view is stored.
    page = browser.new_context().new_page()
    with page.expect_response(is_hit):
        page.goto(site.pages + "/app/")
    assert kinds(site.hits()) == ["load"]
    assert site.exception_count() == 0
    page.context.close()
