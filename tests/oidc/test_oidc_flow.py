"""Sign-in through a real OpenID provider (oidc-provider-mock) over HTTP: the rules decide
who enters and as what, identities map to users, and every way the flow can be replayed or
misdirected ends on a refusal with no session."""

import pytest
from sqlalchemy import select

from app.models.access import UserIdentity
from tests.oidc.flow import (
    audit_rows,
    authorize_mock,
    local_path,
    oidc_app,
    provider_entry,
    set_claims,
    sign_in_mock,
    start,
)
from tests.signin import make_user, session_cookie

ADMIN_CLAIMS = {"email": "ada@example.org", "email_verified": True, "groups": ["faultline-admins"]}
MEMBER_CLAIMS = {"email": "bob@example.org", "email_verified": True}


@pytest.fixture
def app(make_app, mock_issuer):
    """An app signing in through the mock provider with the issue's two example rules."""
    return oidc_app(make_app, provider_entry(mock_issuer))


def me(client) -> dict:
    response = client.get("/api/v1/me")
    return response.json if response.status_code == 200 else {"status": response.status_code}


@pytest.mark.parametrize(
    ("sub", "claims", "role"),
    [
        ("ada", ADMIN_CLAIMS, "admin"),
        ("bob", MEMBER_CLAIMS, "member"),
        # Both rules: the administrators' wins.
        (
            "cy",
            {**MEMBER_CLAIMS, "email": "cy@example.org", "groups": ["faultline-admins"]},
            "admin",
        ),
    ],
)
def test_a_rule_admits_with_its_role(app, mock_issuer, sub, claims, role):
    set_claims(mock_issuer, sub, claims)
    client = app.test_client()
    response = sign_in_mock(client, sub, next_path="/#/groups")
    assert response.status_code == 303
    assert response.headers["Location"] == "/#/groups"
    assert me(client)["email"] == claims["email"]
    assert me(client)["role"] == role
    [success] = audit_rows(app, "signin.success")
    assert success.detail["method"] == "oidc:mock"
    assert success.actor_label == f"user:{claims['email']}"
    with app.extensions["faultline.sessionmaker"]() as db:
        identity = db.scalar(select(UserIdentity))
        assert (identity.issuer, identity.subject) == (mock_issuer, sub)


@pytest.mark.parametrize(
    ("claims", "named"),
    [
        ({"email": "eve@elsewhere.org", "email_verified": True}, "access rules"),
        ({"email": "eve@example.org", "email_verified": False}, "access rules"),
        # No groups and no email_verified: the missing claims make both rules false.
        ({"email": "eve@example.org"}, "access rules"),
    ],
)
def test_a_rule_denies(app, mock_issuer, claims, named):
    set_claims(mock_issuer, "eve", claims)
    client = app.test_client()
    response = sign_in_mock(client, "eve")
    assert response.status_code == 403
    assert named in response.text
    assert session_cookie(client) is None
    [failure] = audit_rows(app, "signin.failure")
    assert failure.detail == {"method": "oidc:mock", "reason": "rule"}


def test_the_role_follows_the_claims_at_every_sign_in(app, mock_issuer):
    set_claims(mock_issuer, "ada", ADMIN_CLAIMS)
    sign_in_mock(app.test_client(), "ada")
    set_claims(mock_issuer, "ada", {**ADMIN_CLAIMS, "groups": []})
    client = app.test_client()
    assert sign_in_mock(client, "ada").status_code == 303
    assert me(client)["role"] == "member"


def test_who_no_longer_passes_loses_their_sessions(app, mock_issuer):
    set_claims(mock_issuer, "bob", MEMBER_CLAIMS)
    earlier = app.test_client()
    assert sign_in_mock(earlier, "bob").status_code == 303
    assert me(earlier)["role"] == "member"
    set_claims(mock_issuer, "bob", {**MEMBER_CLAIMS, "email_verified": False})
    later = app.test_client()
    assert sign_in_mock(later, "bob").status_code == 403
    assert me(earlier) == {"status": 401}
    [failure] = audit_rows(app, "signin.failure")
    assert failure.actor_label == "user:bob@example.org"


def test_an_existing_account_is_linked_only_by_an_administrator(app, mock_issuer, auth):
    user_id = make_user(app, "bob@example.org", role="viewer")
    set_claims(mock_issuer, "bob", MEMBER_CLAIMS)
    client = app.test_client()
    response = sign_in_mock(client, "bob")
    assert response.status_code == 403
    assert "An administrator must link your identity" in response.text
    assert session_cookie(client) is None
    assert audit_rows(app, "signin.failure")[0].detail["reason"] == "email_taken"

    linked = app.test_client().post(
        f"/api/v1/users/{user_id}/identities",
        json={"provider": "mock", "subject": "bob"},
        headers=auth,
    )
    assert linked.status_code == 201
    assert sign_in_mock(client, "bob").status_code == 303
    assert me(client) | {"role": "member", "id": user_id} == me(client)


def test_without_an_email_claim_the_page_names_the_email_scope(app, mock_issuer):
    set_claims(mock_issuer, "anon", {"groups": ["faultline-admins"]})
    client = app.test_client()
    response = sign_in_mock(client, "anon")
    assert response.status_code == 403
    assert "must release the email scope" in response.text
    assert audit_rows(app, "signin.failure")[0].detail["reason"] == "no_email"


def test_a_replayed_callback_fails_the_state_check(app, mock_issuer):
    set_claims(mock_issuer, "ada", ADMIN_CLAIMS)
    client = app.test_client()
    callback = local_path(authorize_mock(start(client), "ada"))
    assert client.get(callback).status_code == 303
    replay = app.test_client()
    response = replay.get(callback)
    assert response.status_code == 400
    assert "expired or was already used" in response.text
    assert session_cookie(replay) is None
    assert audit_rows(app, "signin.failure")[0].detail["reason"] == "state"


def test_a_replayed_code_is_refused_by_the_provider(app, mock_issuer):
    set_claims(mock_issuer, "ada", ADMIN_CLAIMS)
    first = app.test_client()
    used = authorize_mock(start(first), "ada")
    assert first.get(local_path(used)).status_code == 303
    # A fresh sign-in in another browser, answered with the code already used.
    attacker = app.test_client()
    state = authorize_mock(start(attacker), "ada").split("state=")[1]
    code = used.split("code=")[1].split("&")[0]
    response = attacker.get(f"/auth/oidc/mock/callback?code={code}&state={state}")
    assert response.status_code == 401
    assert session_cookie(attacker) is None
    failure = audit_rows(app, "signin.failure")[0].detail
    assert (failure["reason"], failure["check"]) == ("token", "token_request")


def test_a_wrong_state_is_refused(app, mock_issuer):
    set_claims(mock_issuer, "ada", ADMIN_CLAIMS)
    client = app.test_client()
    callback = local_path(authorize_mock(start(client), "ada"))
    response = client.get(callback.replace("state=", "state=x"))
    assert response.status_code == 400
    assert "does not match" in response.text
    assert session_cookie(client) is None
    assert audit_rows(app, "signin.failure")[0].detail["reason"] == "state"


def test_the_provider_saying_no_is_a_clear_page(app, mock_issuer):
    import httpx2

    client = app.test_client()
    denied = httpx2.post(start(client), data={"action": "deny"}).headers["Location"]
    response = client.get(local_path(denied))
    assert response.status_code == 403
    assert "Mock SSO did not sign you in (access_denied)" in response.text
    assert audit_rows(app, "signin.failure")[0].detail["error"] == "access_denied"


@pytest.mark.parametrize(
    ("next_path", "lands_on"),
    [
        ("/#/groups?status=open", "/#/groups?status=open"),
        ("/api/v1/me", "/api/v1/me"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("/\t/evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("evil.example", "/"),
    ],
)
def test_only_same_origin_paths_are_followed_after_sign_in(app, mock_issuer, next_path, lands_on):
    set_claims(mock_issuer, "ada", ADMIN_CLAIMS)
    response = sign_in_mock(app.test_client(), "ada", next_path=next_path)
    assert response.headers["Location"] == lands_on


def test_cookies_are_http_only_lax_and_secure_over_https(make_app, mock_issuer):
    app = oidc_app(make_app, provider_entry(mock_issuer), web__base_url="https://faultline.test")
    set_claims(mock_issuer, "ada", ADMIN_CLAIMS)
    client = app.test_client()
    started = client.get("/auth/oidc/mock/start", base_url="https://faultline.test")
    flow_cookie = started.headers["Set-Cookie"]
    for attribute in ("HttpOnly", "SameSite=Lax", "Secure", "Path=/auth/oidc/", "Max-Age=600"):
        assert attribute in flow_cookie
    callback = authorize_mock(started.headers["Location"], "ada")
    assert callback.startswith("https://faultline.test/auth/oidc/mock/callback?")
    done = client.get(local_path(callback), base_url="https://faultline.test")
    [session] = [
        c for c in done.headers.getlist("Set-Cookie") if c.startswith("faultline_session=")
    ]
    for attribute in ("HttpOnly", "SameSite=Lax", "Secure"):
        assert attribute in session


def test_sign_out_goes_through_the_providers_end_session_endpoint(app, mock_issuer):
    set_claims(mock_issuer, "ada", ADMIN_CLAIMS)
    client = app.test_client()
    sign_in_mock(client, "ada")
    token = client.get("/api/v1/csrf").json["token"]
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"{mock_issuer}/oauth2/end_session?client_id=faultline-tests"
        "&post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Flogin"
    )
    assert me(client) == {"status": 401}


def test_a_password_session_signs_out_to_the_login_page(app):
    from tests.signin import sign_in

    make_user(app, "ada@example.org", is_admin=True)
    client = app.test_client()
    sign_in(client, "ada@example.org")
    token = client.get("/api/v1/csrf").json["token"]
    response = client.post("/logout", data={"csrf_token": token})
    assert response.headers["Location"] == "/login"
