"""The API token API: everyone manages their own tokens, administrators everyone's; a token
never does more than its owner's role allows today, on more projects than it lists, or after
it expires."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.access.tokens import hash_token
from app.models import ApiToken, AuditEntry
from tests.signin import csrf_header, make_user, sign_in

ADMIN = "ada@example.org"
MEMBER = "grace@example.org"
VIEWER = "linus@example.org"


def signed_in(app, email: str, role: str):
    """A client signed in as a new user with this role; its id is `client.user_id`."""
    client = app.test_client()
    client.user_id = make_user(app, email, role=role)
    assert sign_in(client, email).status_code == 303
    return client


@pytest.fixture
def admin(app):
    """A client signed in as an administrator (the first user always is one)."""
    return signed_in(app, ADMIN, "admin")


@pytest.fixture
def member(app, admin):
    """A client signed in as a member."""
    return signed_in(app, MEMBER, "member")


def new_token(client, **body):
    """POST /tokens from a browser session; the response."""
    return client.post("/api/v1/tokens", json={"name": "ci", **body}, headers=csrf_header(client))


def bearer(plaintext: str) -> dict:
    return {"Authorization": f"Bearer {plaintext}"}


def test_admin_creates_lists_and_revokes_tokens(admin, session):
    created = new_token(admin, name=" deploys ")
    assert created.status_code == 201
    body = created.json
    plaintext = body["token"]
    assert body["name"] == "deploys" and plaintext.startswith("flt_")
    assert body["prefix"] == plaintext[:8] and body["created_at"].endswith("Z")
    assert body["owner"] == {"id": admin.user_id, "email": ADMIN}
    assert body["scopes"] == ["read", "triage", "admin"] and body["project_ids"] is None
    assert body["expires_at"] is None and body["expired"] is False
    assert session.get(ApiToken, body["id"]).token_hash == hash_token(plaintext)

    listed = admin.get("/api/v1/tokens").json
    assert listed["next_cursor"] is None
    assert listed["items"] == [{key: v for key, v in body.items() if key != "token"}]
    assert plaintext not in admin.get("/api/v1/tokens").text

    # The new token works for scripts at once, and stops working once revoked.
    script = admin.application.test_client()
    assert script.get("/api/v1/me", headers=bearer(plaintext)).status_code == 200
    deleted = admin.delete(f"/api/v1/tokens/{body['id']}", headers=csrf_header(admin))
    assert deleted.status_code == 204
    assert script.get("/api/v1/me", headers=bearer(plaintext)).status_code == 401
    missing = admin.delete(f"/api/v1/tokens/{body['id']}", headers=csrf_header(admin))
    assert missing.status_code == 404
    session.rollback()  # end the read snapshot, so the query sees the requests' commits
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["token.create", "token.revoke"]


@pytest.mark.parametrize(
    ("role", "scopes"),
    [("admin", ["read", "triage", "admin"]), ("member", ["read", "triage"]), ("viewer", ["read"])],
)
def test_a_new_token_takes_what_its_owners_role_allows(app, admin, role, scopes):
    client = admin if role == "admin" else signed_in(app, f"{role}@example.org", role)
    created = new_token(client)
    assert created.status_code == 201 and created.json["scopes"] == scopes
    me = client.application.test_client().get("/api/v1/me", headers=bearer(created.json["token"]))
    assert me.json["scopes"] == scopes and me.json["user_id"] == client.user_id


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"scopes": ["read", "admin"]}, "owner's role"),
        ({"project_ids": [999999]}, "Unknown projects: 999999"),
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["write"]}, "scopes"),
    ],
)
def test_a_member_cannot_cut_a_token_beyond_the_rules(member, body, reason):
    response = new_token(member, **body)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid"
    assert reason in str(response.json["error"])


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": "   "}, {"name": "x" * 201}, {"name": "ci", "secret": "mine"}],
)
def test_bad_new_tokens_are_refused(client, auth, body):
    response = client.post("/api/v1/tokens", json=body, headers=auth)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid"


def test_tokens_list_pages(client, auth):
    for n in range(3):
        client.post("/api/v1/tokens", json={"name": f"t{n}"}, headers=auth)
    first = client.get("/api/v1/tokens?limit=2", headers=auth).json
    rest = client.get(f"/api/v1/tokens?limit=2&cursor={first['next_cursor']}", headers=auth).json
    names = [t["name"] for t in first["items"] + rest["items"]]
    assert names == ["tests", "t0", "t1", "t2"] and rest["next_cursor"] is None
    assert first["items"][0]["owner"] is None  # made on the command line: an operator token


def test_members_see_and_revoke_only_their_own_tokens(admin, member):
    theirs = new_token(admin, name="admin's").json
    mine = new_token(member, name="mine").json
    assert [t["name"] for t in member.get("/api/v1/tokens").json["items"]] == ["mine"]
    owners = [t["owner"]["email"] for t in admin.get("/api/v1/tokens").json["items"]]
    assert owners == [ADMIN, MEMBER]
    refused = member.delete(f"/api/v1/tokens/{theirs['id']}", headers=csrf_header(member))
    assert refused.status_code == 404  # as if it did not exist
    gone = member.delete(f"/api/v1/tokens/{mine['id']}", headers=csrf_header(member))
    assert gone.status_code == 204
    assert [t["name"] for t in admin.get("/api/v1/tokens").json["items"]] == ["admin's"]


@pytest.mark.parametrize("scopes", [["read"], ["read", "triage"]])
def test_only_an_admin_token_manages_tokens(admin, client, scopes):
    plaintext = new_token(admin, scopes=scopes).json["token"]
    for response in (
        client.get("/api/v1/tokens", headers=bearer(plaintext)),
        client.post("/api/v1/tokens", json={"name": "next"}, headers=bearer(plaintext)),
        client.delete("/api/v1/tokens/1", headers=bearer(plaintext)),
    ):
        assert response.status_code == 403 and "admin" in response.json["error"]["message"]


def test_an_admin_token_makes_tokens_for_its_owner_within_its_projects(admin, client):
    project = admin.post("/api/v1/projects", json={"name": "Shop"}, headers=csrf_header(admin))
    project_id = project.json["id"]
    limited = new_token(admin, project_ids=[project_id]).json["token"]
    made = client.post("/api/v1/tokens", json={"name": "child"}, headers=bearer(limited))
    assert made.status_code == 201
    assert made.json["owner"]["email"] == ADMIN and made.json["project_ids"] == [project_id]
    other = admin.post("/api/v1/projects", json={"name": "Blog"}, headers=csrf_header(admin))
    wider = client.post(
        "/api/v1/tokens",
        json={"name": "wider", "project_ids": [other.json["id"]]},
        headers=bearer(limited),
    )
    assert wider.status_code == 400  # a token it cannot see is as unknown as a missing one


def test_demoting_the_owner_shrinks_the_token_at_once(admin, member, client):
    plaintext = new_token(member).json["token"]
    group_triage = client.patch("/api/v1/groups/1", json={}, headers=bearer(plaintext))
    assert group_triage.status_code == 400  # allowed to triage: the empty body is what fails
    demoted = admin.patch(
        f"/api/v1/users/{member.user_id}", json={"role": "viewer"}, headers=csrf_header(admin)
    )
    assert demoted.status_code == 200
    refused = client.patch("/api/v1/groups/1", json={}, headers=bearer(plaintext))
    assert refused.status_code == 403
    assert client.get("/api/v1/me", headers=bearer(plaintext)).json["scopes"] == ["read"]


def test_deleting_the_owner_kills_their_tokens(admin, member, client):
    plaintext = new_token(member).json["token"]
    assert client.get("/api/v1/me", headers=bearer(plaintext)).status_code == 200
    deleted = admin.delete(f"/api/v1/users/{member.user_id}", headers=csrf_header(admin))
    assert deleted.status_code == 204
    assert client.get("/api/v1/me", headers=bearer(plaintext)).status_code == 401


def test_an_expired_token_is_refused_and_listed_as_expired(admin, client, session):
    created = new_token(admin, expires_in_days=30).json
    expires = datetime.fromisoformat(created["expires_at"])
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)
    assert client.get("/api/v1/me", headers=bearer(created["token"])).status_code == 200
    past = datetime.now(UTC) - timedelta(seconds=1)
    session.execute(update(ApiToken).where(ApiToken.id == created["id"]).values(expires_at=past))
    session.commit()
    refused = client.get("/api/v1/me", headers=bearer(created["token"]))
    assert refused.status_code == 401 and "expired" in refused.json["error"]["message"]
    [listed] = admin.get("/api/v1/tokens").json["items"]
    assert listed["expired"] is True


def test_last_use_is_shown(admin, client):
    created = new_token(admin).json
    assert admin.get("/api/v1/tokens").json["items"][0]["last_used_at"] is None
    before = datetime.now(UTC) - timedelta(seconds=1)
    client.get("/api/v1/me", headers=bearer(created["token"]))
    used = admin.get("/api/v1/tokens").json["items"][0]["last_used_at"]
    assert used is not None and datetime.fromisoformat(used) >= before


def test_browser_writes_need_the_csrf_token(admin):
    assert admin.post("/api/v1/tokens", json={"name": "ci"}).status_code == 403
