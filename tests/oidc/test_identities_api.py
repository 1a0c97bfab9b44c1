"""Administrators link identities to existing accounts (sign-in never does it by email),
list and unlink them; each change is in the audit log."""

import pytest

from tests.oidc.flow import audit_rows, oidc_app, provider_entry
from tests.signin import make_user

ISSUER = "https://sso.example.org"


@pytest.fixture
def app(make_app):
    """An app with one provider (never contacted: linking needs only its issuer)."""
    return oidc_app(make_app, provider_entry(ISSUER, name="staff"))


def link(client, auth, user_id, provider="staff", subject="ada-123"):
    return client.post(
        f"/api/v1/users/{user_id}/identities",
        json={"provider": provider, "subject": subject},
        headers=auth,
    )


def test_link_list_and_unlink(app, client, auth):
    user_id = make_user(app, "ada@example.org")
    linked = link(client, auth, user_id)
    assert linked.status_code == 201
    identity = linked.json
    assert identity | {"provider": "staff", "issuer": ISSUER, "subject": "ada-123"} == identity
    listed = client.get(f"/api/v1/users/{user_id}/identities", headers=auth).json
    assert listed["items"] == [identity]
    path = f"/api/v1/users/{user_id}/identities/{identity['id']}"
    assert client.delete(path, headers=auth).status_code == 204
    assert client.get(f"/api/v1/users/{user_id}/identities", headers=auth).json["items"] == []
    [linked_entry] = audit_rows(app, "user.link_identity")
    assert linked_entry.detail == {"provider": "staff", "subject": "ada-123", "identity_id": 1}
    assert audit_rows(app, "user.unlink_identity")[0].target_id == str(user_id)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"provider": "nobody", "subject": "x"}, "Unknown provider (configured: staff)"),
        ({"provider": "staff"}, "subject"),
        ({"provider": "staff", "subject": ""}, "subject"),
        ({"provider": "staff", "subject": "x", "email": "a@b.c"}, "email"),
    ],
)
def test_bad_links_are_refused(app, client, auth, body, named):
    user_id = make_user(app, "ada@example.org")
    response = client.post(f"/api/v1/users/{user_id}/identities", json=body, headers=auth)
    assert response.status_code == 400
    assert named in str(response.json["error"])


def test_an_identity_signs_in_as_one_user_only(app, client, auth):
    first = make_user(app, "ada@example.org")
    second = make_user(app, "bob@example.org")
    assert link(client, auth, first).status_code == 201
    response = link(client, auth, second)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/users/999/identities"),
        ("post", "/api/v1/users/999/identities"),
        ("delete", "/api/v1/users/999/identities/1"),
    ],
)
def test_an_unknown_user_is_not_found(client, auth, method, path):
    body = {"json": {"provider": "staff", "subject": "x"}} if method == "post" else {}
    response = getattr(client, method)(path, headers=auth, **body)
    assert response.status_code == 404


def test_an_identity_of_another_user_is_not_found(app, client, auth):
    first = make_user(app, "ada@example.org")
    second = make_user(app, "bob@example.org")
    identity_id = link(client, auth, first).json["id"]
    path = f"/api/v1/users/{second}/identities/{identity_id}"
    assert client.delete(path, headers=auth).status_code == 404
