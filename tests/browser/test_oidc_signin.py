"""Signing in through a real OpenID provider (oidc-provider-mock) in headless Chromium: the
rule admits (the dashboard shows), the rule denies (a refusal page, no session), and signing
out passes through the provider's end-session page back to /login. Screenshots land in
tests/browser/screenshots/oidc-*.png."""

import re
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.browser.dashboard import shot
from tests.oidc.conftest import mock_issuer  # noqa: F401 (the provider fixture)
from tests.oidc.flow import oidc_app, provider_entry, set_claims
from tests.served import free_port

PREFIX = "oidc"


@pytest.fixture
def faultline(make_app, mock_issuer):  # noqa: F811
    """Faultline serving in a thread at the base_url its redirect URI names."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = oidc_app(make_app, provider_entry(mock_issuer), web__base_url=base)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    thread.join(5)


@pytest.fixture
def page(page):
    """The tab; the test fails on its script errors."""
    yield page
    assert page.errors == []


def sign_in_at_provider(page, faultline: str, sub: str) -> None:
    """From Faultline's sign-in page to the provider's, authorizing as `sub`."""
    page.goto(faultline + "/login")
    shot(page, PREFIX, "login")
    page.get_by_role("link", name="Sign in with Mock SSO").click()
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def test_rule_admits_then_sign_out_through_the_provider(page, faultline, mock_issuer):  # noqa: F811
    set_claims(
        mock_issuer,
        "ada",
        {"email": "ada@example.org", "email_verified": True, "groups": ["faultline-admins"]},
    )
    sign_in_at_provider(page, faultline, "ada")
    expect(page).to_have_url(faultline + "/")
    expect(page.locator("#who")).to_have_text("ada@example.org")
    shot(page, PREFIX, "dashboard")
    cookie = next(c for c in page.context.cookies() if c["name"] == "faultline_session")
    assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Lax")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(re.escape(mock_issuer + "/oauth2/end_session?")))
    shot(page, PREFIX, "end-session")
    page.get_by_role("button", name="End session").click()
    expect(page).to_have_url(faultline + "/login")
    expect(page.get_by_role("link", name="Sign in with Mock SSO")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "faultline_session"]


def test_rule_denies(page, faultline, mock_issuer):  # noqa: F811
    set_claims(mock_issuer, "eve", {"email": "eve@elsewhere.org", "email_verified": True})
    sign_in_at_provider(page, faultline, "eve")
    expect(page.get_by_role("heading", name="Not signed in")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text("The access rules do not admit this account.")
    shot(page, PREFIX, "denied")
    assert not [c for c in page.context.cookies() if c["name"] == "faultline_session"]
    page.goto(faultline + "/")
    expect(page).to_have_url(faultline + "/login")
