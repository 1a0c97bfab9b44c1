"""The API token API: administrators (and tokens) list, create and revoke tokens."""

import pytest
from sqlalchemy import select

from app.access.tokens import hash_token
from app.models import ApiToken
from tests.signin import csrf_header, make_user, sign_in

ADMIN = "ada@example.org"
MEMBER = "grace@example.org"


@pytest.fixture
def admin(app, client):
    """A client signed in as an administrator."""
    make_user(app, ADMIN, is_admin=True)
    assert sign_in(client, ADMIN).status_code == 303
    return client


def test_admin_creates_lists_and_revokes_tokens(admin, session):
    created = admin.post("/api/v1/tokens", json={"name": " deploys "}, headers=csrf_header(admin))
    assert created.status_code == 201
    body = created.json
    plaintext = body["token"]
    assert body["name"] == "deploys" and plaintext.startswith("flt_")
    assert body["prefix"] == plaintext[:8] and body["created_at"].endswith("Z")
    stored = session.get(ApiToken, body["id"])
    assert stored.token_hash == hash_token(plaintext)

    listed = admin.get("/api/v1/tokens").json
    assert listed["next_cursor"] is None
    assert listed["items"] == [{key: body[key] for key in ("id", "name", "prefix", "created_at")}]
    assert plaintext not in admin.get("/api/v1/tokens").text

    # The new token works for scripts at once, and stops working once revoked.
    script = {"Authorization": f"Bearer {plaintext}"}
    assert admin.application.test_client().get("/api/v1/me", headers=script).status_code == 200
    deleted = admin.delete(f"/api/v1/tokens/{body['id']}", headers=csrf_header(admin))
    assert deleted.status_code == 204
    assert admin.application.test_client().get("/api/v1/me", headers=script).status_code == 401
    missing = admin.delete(f"/api/v1/tokens/{body['id']}", headers=csrf_header(admin))
    assert missing.status_code == 404


def test_tokens_list_pages(client, auth):
    for n in range(3):
        client.post("/api/v1/tokens", json={"name": f"t{n}"}, headers=auth)
    first = client.get("/api/v1/tokens?limit=2", headers=auth).json
    rest = client.get(f"/api/v1/tokens?limit=2&cursor={first['next_cursor']}", headers=auth).json
    names = [t["name"] for t in first["items"] + rest["items"]]
    assert names == ["tests", "t0", "t1", "t2"] and rest["next_cursor"] is None


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": "   "}, {"name": "x" * 201}, {"name": "ci", "secret": "mine"}],
)
def test_bad_new_tokens_are_refused(client, auth, body):
    response = client.post("/api/v1/tokens", json=body, headers=auth)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid"


def test_browser_writes_need_the_csrf_token(admin):
    assert admin.post("/api/v1/tokens", json={"name": "ci"}).status_code == 403


def test_members_may_not_manage_tokens(app, admin, auth, session):
    token_id = session.scalars(select(ApiToken.id)).one()
    member = app.test_client()
    make_user(app, MEMBER)
    assert sign_in(member, MEMBER).status_code == 303
    assert member.get("/api/v1/tokens").status_code == 403
    created = member.post("/api/v1/tokens", json={"name": "mine"}, headers=csrf_header(member))
    assert created.status_code == 403 and created.json["error"]["code"] == "forbidden"
    deleted = member.delete(f"/api/v1/tokens/{token_id}", headers=csrf_header(member))
    assert deleted.status_code == 403
    assert session.scalars(select(ApiToken.id)).all() == [token_id]
