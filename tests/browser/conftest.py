"""Fixtures of the browser tests: a tab in headless Debian Chromium that records script errors,
and a running Faultline with accounts to sign in as. A module changes what it needs by
overriding one of them (`viewport`, `context`, `accounts`, `config`)."""

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.dashboard import EMAIL
from tests.chromium import launch_chromium
from tests.served import served
from tests.signin import make_user


@pytest.fixture
def browser():
    """Headless Debian Chromium (no browser download) for one test."""
    with sync_playwright() as driver:
        chromium = launch_chromium(driver)
        yield chromium
        chromium.close()


@pytest.fixture
def viewport():
    """The size of the tab's window."""
    return {"width": 1280, "height": 900}


@pytest.fixture
def context(browser, viewport):
    """The browser context the tab opens in."""
    return browser.new_context(viewport=viewport)


@pytest.fixture
def page(context):
    """A tab whose script errors collect in `page.errors`, which a test asserts stays empty."""
    tab = context.new_page()
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    return tab


@pytest.fixture
def accounts():
    """The (email, role) accounts the running Faultline starts with."""
    return [(EMAIL, "admin")]


@pytest.fixture
def faultline(app, config, tmp_path, accounts):
    """The real server (`faultline serve`) on the test config, with the accounts; its base URL."""
    for email, role in accounts:
        make_user(app, email, role=role)
    with served(config, tmp_path) as (base, _log, _process):
        yield base
