"""The sign-in page with identity providers: a button each, the local form unless it is
turned off, and one failure limit shared by both ways in."""

import pytest

from tests.oidc.flow import oidc_app, provider_entry, query_of, start
from tests.signin import PASSWORD, form_token, make_user, sign_in

ISSUERS = ("https://sso.example.org", "https://login.example.net/tenant")


@pytest.fixture
def two_providers(make_app):
    """An app with two providers (never contacted by these tests' pages)."""
    return oidc_app(
        make_app,
        provider_entry(ISSUERS[0], name="staff", label="Staff SSO"),
        provider_entry(ISSUERS[1], name="partners", label="Partner login"),
    )


def test_the_login_page_has_a_button_per_provider_and_the_form(two_providers):
    page = two_providers.test_client().get("/login?next=/%23/groups").text
    assert 'href="/auth/oidc/staff/start?next=/%23/groups">Sign in with Staff SSO</a>' in page
    assert 'href="/auth/oidc/partners/start?next=/%23/groups">Sign in with Partner login' in page
    assert 'name="password"' in page


def test_the_login_page_leaves_out_an_unsafe_next(two_providers):
    page = two_providers.test_client().get("/login?next=//evil.example").text
    assert 'href="/auth/oidc/staff/start"' in page


def test_pages_may_send_forms_only_to_this_site_and_the_providers(two_providers):
    csp = two_providers.test_client().get("/login").headers["Content-Security-Policy"]
    assert "form-action 'self' https://sso.example.org https://login.example.net;" in csp


def test_without_local_accounts_only_the_providers_remain(make_app):
    app = oidc_app(make_app, provider_entry(ISSUERS[0]), auth__local_accounts=False)
    make_user(app, "ada@example.org", is_admin=True)
    client = app.test_client()
    page = client.get("/login").text
    assert "Sign in with Mock SSO" in page
    assert 'name="password"' not in page
    response = client.post(
        "/login", data={"email": "ada@example.org", "password": PASSWORD, "csrf_token": "x"}
    )
    assert response.status_code == 403
    assert "identity provider only" in response.text


def test_start_asks_for_a_code_with_pkce_state_and_nonce(make_app, mock_issuer):
    app = oidc_app(make_app, provider_entry(mock_issuer))
    url = start(app.test_client())
    query = query_of(url)
    assert url.startswith(f"{mock_issuer}/oauth2/authorize?")
    assert query["response_type"] == "code"
    assert query["client_id"] == "faultline-tests"
    assert query["redirect_uri"] == "http://127.0.0.1:8080/auth/oidc/mock/callback"
    assert query["scope"] == "openid email profile"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32


def test_failed_provider_sign_ins_count_against_the_password_limit(make_app, mock_issuer):
    app = oidc_app(make_app, provider_entry(mock_issuer), ratelimit__login_failures_per_minute=2)
    make_user(app, "ada@example.org", is_admin=True)
    client = app.test_client()
    for _ in range(2):
        # A callback that is nobody's sign-in: a failure.
        assert client.get("/auth/oidc/mock/callback?code=x&state=y").status_code == 400
    assert client.get("/auth/oidc/mock/callback?code=x&state=y").status_code == 429
    form_token(client)
    assert sign_in(client, "ada@example.org").status_code == 429
