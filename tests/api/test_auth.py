"""Browser sign-in as a person uses it: the login form, the cookie, CSRF, limits, sign-out."""

import hashlib
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from app.models import Project, User, UserSession
from tests.api.test_privacy import dump_database
from tests.signin import PASSWORD, csrf_header, form_token, make_user, session_cookie, sign_in

EMAIL = "ada@example.org"


@pytest.fixture
def ada(app):
    """An administrator account; its id."""
    return make_user(app, EMAIL, is_admin=True)


def set_cookies(response) -> dict[str, str]:
    """The Set-Cookie headers of a response by cookie name."""
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def test_signing_in_sets_a_strict_cookie_and_opens_the_dashboard(client, ada, session):
    response = sign_in(client, "  ADA@Example.org ")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    cookie = set_cookies(response)["faultline_session"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on a http base_url
    assert f"Max-Age={14 * 86400}" in cookie
    home = client.get("/")
    assert home.status_code == 200 and EMAIL in home.text
    assert session.get(User, ada).last_login_at is not None


@pytest.mark.parametrize(
    ("base_url", "request_base"),
    [("https://faultline.example.org", "http://localhost"), ("http://x", "https://localhost")],
)
def test_cookie_is_secure_over_https(make_app, base_url, request_base):
    app = make_app(web__base_url=base_url)
    make_user(app, EMAIL)
    response = sign_in(app.test_client(), EMAIL, base_url=request_base)
    assert response.status_code == 303
    assert "Secure" in set_cookies(response)["faultline_session"]


def test_unknown_email_and_wrong_password_get_the_same_answer(client, ada):
    wrong_password = sign_in(client, EMAIL, "not the password")
    unknown = sign_in(client, "nobody@example.org", "not the password")
    assert wrong_password.status_code == unknown.status_code == 401
    assert "Incorrect email or password." in wrong_password.text
    strip = re.compile(r'name="csrf_token" value="[^"]+"|value="[^"]*@example.org"')
    assert strip.sub("", wrong_password.text) == strip.sub("", unknown.text)
    assert "faultline_session" not in set_cookies(wrong_password)
    assert client.get("/").status_code == 302


def test_an_unknown_email_costs_a_password_check_too(session, monkeypatch):
    from app.access import accounts

    checked = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash, password):
            checked.append(hash)
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "HASHER", CountingHasher(time_cost=1, memory_cost=1024))
    assert accounts.authenticate(session, "nobody@example.org", PASSWORD) is None
    assert len(checked) == 1 and checked[0].startswith("$argon2id$")


def test_sign_in_form_needs_its_csrf_token(client, ada):
    form_token(client)
    forged = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": "x"})
    assert forged.status_code == 400 and "expired" in forged.text
    other = client.application.test_client()
    token = form_token(other)  # a valid token, but for another browser's nonce
    replayed = client.post(
        "/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token}
    )
    assert replayed.status_code == 400
    no_cookie = client.application.test_client().post(
        "/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token}
    )
    assert no_cookie.status_code == 400
    assert session_cookie(client) is None


def test_a_password_hashed_with_old_parameters_is_rehashed_at_sign_in(
    client, app, session, monkeypatch
):
    from app.access import accounts

    monkeypatch.setattr(accounts, "HASHER", PasswordHasher())  # production's parameters
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    session.add(User(email=EMAIL, password_hash=old, role="admin", created_at=datetime.now(UTC)))
    session.commit()
    assert sign_in(client, EMAIL).status_code == 303
    session.expire_all()
    stored = session.scalar(select(User.password_hash))
    assert stored != old and PasswordHasher().verify(stored, PASSWORD)
    assert not PasswordHasher().check_needs_rehash(stored)


def test_failed_sign_ins_are_limited_per_address(make_app):
    app = make_app(ratelimit__login_failures_per_minute=3)
    make_user(app, EMAIL)
    client = app.test_client()
    statuses = [sign_in(client, EMAIL, "wrong password").status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    refused = sign_in(client, EMAIL)  # even the right password, until the window ends
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in refused.text
    assert "default-src 'self'" in refused.headers["Content-Security-Policy"]
    elsewhere = app.test_client()
    response = sign_in(elsewhere, EMAIL, environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert response.status_code == 303


def test_failed_sign_ins_are_limited_per_account(make_app):
    app = make_app(
        ratelimit__login_failures_per_minute=100, ratelimit__login_failures_per_account_per_hour=2
    )
    make_user(app, EMAIL)
    make_user(app, "grace@example.org")
    client = app.test_client()
    for n, address in enumerate(("192.0.2.1", "192.0.2.2")):
        email = EMAIL if n == 0 else EMAIL.upper()  # one account, however it is spelled
        response = sign_in(client, email, "wrong", environ_base={"REMOTE_ADDR": address})
        assert response.status_code == 401
    third = sign_in(client, EMAIL, environ_base={"REMOTE_ADDR": "192.0.2.3"})
    assert third.status_code == 429
    # Successful sign-ins cost nothing, and other accounts are unaffected.
    for _ in range(3):
        other = app.test_client()
        assert sign_in(other, "grace@example.org").status_code == 303


def test_index_sends_strangers_to_the_sign_in_page(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    login = client.get("/login")
    assert login.status_code == 200 and '<form method="post" action="/login">' in login.text


def test_signed_in_browser_skips_the_sign_in_page(client, ada):
    sign_in(client, EMAIL)
    response = client.get("/login")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_every_html_page_carries_a_strict_policy(client, ada):
    pages = [client.get("/login"), sign_in(client, "<b>x</b>@example.org", "wrong")]
    sign_in(client, EMAIL)
    pages += [client.get("/"), client.post("/logout", data={"csrf_token": "stale"})]
    for response in pages:
        assert response.mimetype == "text/html"
        policy = dict(
            part.strip().split(" ", 1)
            for part in response.headers["Content-Security-Policy"].split(";")
        )
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self'" and "unsafe-inline" not in policy["script-src"]
        assert policy["style-src"] == "'self'" and policy["img-src"] == "'self' data:"
        assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'"
        assert policy["form-action"] == "'self'"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store"
        # Scripts only from files (the dashboard's bundle), never inline.
        assert not re.search(r"<script(?![^>]*\ssrc=)", response.text)
        assert "<style" not in response.text and "style=" not in response.text
        assert not re.search(r'(src|href)="(https?:)?//', response.text)
    assert "&lt;b&gt;x&lt;/b&gt;@example.org" in pages[1].text  # echoed, escaped


def test_sign_out_ends_the_session_everywhere(client, app, ada, session):
    sign_in(client, EMAIL)
    cookie = session_cookie(client)
    token = csrf_header(client)["X-CSRF-Token"]
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "Max-Age=0" in set_cookies(response)["faultline_session"]
    assert session.scalar(select(UserSession)) is None
    replay = app.test_client()
    replay.set_cookie("faultline_session", cookie)
    assert replay.get("/").status_code == 302
    assert replay.get("/api/v1/me").status_code == 401


def test_sign_out_due_for_a_refresh_still_clears_the_cookie(client, ada, session):
    sign_in(client, EMAIL)
    token = csrf_header(client)["X-CSRF-Token"]
    stale = datetime.now(UTC) - timedelta(hours=1)
    session.execute(update(UserSession).values(last_seen_at=stale))
    session.commit()
    response = client.post("/logout", data={"csrf_token": token})
    cookies = [h for h in response.headers.getlist("Set-Cookie") if "faultline_session" in h]
    assert len(cookies) == 1 and "Max-Age=0" in cookies[0]


def test_sign_out_needs_the_csrf_token(client, ada):
    sign_in(client, EMAIL)
    response = client.post("/logout")
    assert response.status_code == 403 and "out of date" in response.text
    assert client.get("/").status_code == 200


def test_expired_session_is_refused(client, ada, session):
    sign_in(client, EMAIL)
    session.execute(update(UserSession).values(expires_at=datetime.now(UTC) - timedelta(1)))
    session.commit()
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_use_pushes_the_expiry_forward(client, ada, session):
    sign_in(client, EMAIL)
    now = datetime.now(UTC)
    session.execute(
        update(UserSession).values(
            last_seen_at=now - timedelta(hours=1), expires_at=now + timedelta(minutes=1)
        )
    )
    session.commit()
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert f"Max-Age={14 * 86400}" in set_cookies(response)["faultline_session"]
    session.expire_all()
    row = session.scalar(select(UserSession))
    assert row.expires_at > now + timedelta(days=13) and row.last_seen_at >= now
    quiet = client.get("/api/v1/me")  # refreshed a moment ago: no write, no new cookie
    assert "faultline_session" not in set_cookies(quiet)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/projects", {"name": "Shop"}),
        ("post", "/api/v1/projects", "not json"),  # the CSRF check comes before validation
        ("patch", "/api/v1/projects/999", {"name": "Renamed"}),
        ("delete", "/api/v1/projects/999", None),  # and before the lookup (no 404)
    ],
)
def test_session_writes_need_the_csrf_header(client, ada, method, path, body):
    sign_in(client, EMAIL)
    send = getattr(client, method)
    kwargs = {"json": body} if isinstance(body, dict) else {"data": body}
    for headers in ({}, {"X-CSRF-Token": "guess"}):
        response = send(path, headers=headers, **kwargs)
        assert response.status_code == 403, response.json
        assert response.json["error"]["code"] == "csrf"


def test_session_writes_with_the_csrf_header_go_through(client, ada, session):
    sign_in(client, EMAIL)
    assert client.get("/api/v1/projects").status_code == 200  # reads need no token
    response = client.post("/api/v1/projects", json={"name": "Shop"}, headers=csrf_header(client))
    assert response.status_code == 201
    assert session.scalar(select(Project.name)) == "Shop"


def test_tokens_need_no_csrf_and_win_over_a_cookie(client, ada, auth):
    assert client.post("/api/v1/projects", json={"name": "Shop"}, headers=auth).status_code == 201
    sign_in(client, EMAIL)
    bad_token = client.get("/api/v1/me", headers={"Authorization": "Bearer flt_nope"})
    assert bad_token.status_code == 401
    assert client.get("/api/v1/me", headers=auth).json["kind"] == "token"
    assert client.get("/api/v1/csrf", headers=auth).json == {"token": None}


def test_me_describes_the_caller(client, ada, auth):
    assert client.get("/api/v1/me").status_code == 401
    sign_in(client, EMAIL)
    assert client.get("/api/v1/me").json == {
        "kind": "user",
        "id": ada,
        "email": EMAIL,
        "role": "admin",
        "is_admin": True,
        "scopes": ["read", "triage", "admin"],
    }
    assert client.get("/api/v1/me", headers=auth).json == {
        "kind": "token",
        "name": "tests",
        "user_id": None,
        "is_admin": True,
        "scopes": ["read", "triage", "admin"],
        "project_ids": None,
    }


def test_neither_password_nor_session_id_is_stored_or_logged(client, app, ada, caplog):
    caplog.set_level(logging.DEBUG)
    sign_in(client, EMAIL, "a wrong password probe")
    sign_in(client, EMAIL)
    cookie = session_cookie(client)
    stored = dump_database(app.extensions["faultline.engine"])
    for secret in (PASSWORD, "a wrong password probe", cookie):
        assert secret not in stored and secret not in caplog.text
    assert hashlib.sha256(cookie.encode()).hexdigest() in stored
    assert "$argon2id$" in stored
