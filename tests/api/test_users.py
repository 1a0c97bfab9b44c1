"""The users API: administrators (and API tokens) manage local accounts; others may not."""

import threading

import pytest
from sqlalchemy import func, select

from app.api.users import administrators
from app.db import WRITE_OPTION
from app.models import AuditEntry, User, UserSession
from tests.signin import PASSWORD, csrf_header, make_user, sign_in

ADMIN = "ada@example.org"
MEMBER = "grace@example.org"


@pytest.fixture
def admin(app, client):
    """A client signed in as an administrator; the administrator's id is `admin.user_id`."""
    client.user_id = make_user(app, ADMIN, is_admin=True)
    assert sign_in(client, ADMIN).status_code == 303
    return client


@pytest.fixture
def member(app, admin):
    """A client signed in as a user who is not an administrator (made after the first user,
    who always is one)."""
    client = app.test_client()
    client.user_id = make_user(app, MEMBER)
    assert sign_in(client, MEMBER).status_code == 303
    return client


def test_admin_creates_lists_and_deletes_users(admin, session):
    created = admin.post(
        "/api/v1/users",
        json={"email": "Linus@Example.org", "password": PASSWORD},
        headers=csrf_header(admin),
    )
    assert created.status_code == 201
    body = created.json
    assert body["email"] == "linus@example.org" and body["is_admin"] is False
    assert body["role"] == "member"
    assert body["last_login_at"] is None and "password" not in body
    listed = admin.get("/api/v1/users").json
    assert [u["email"] for u in listed["items"]] == [ADMIN, "linus@example.org"]
    assert listed["next_cursor"] is None
    deleted = admin.delete(f"/api/v1/users/{body['id']}", headers=csrf_header(admin))
    assert deleted.status_code == 204
    assert session.scalar(select(func.count()).select_from(User)) == 1


def test_users_list_pages(admin, app):
    for n in range(3):
        make_user(app, f"user{n}@example.org")
    first = admin.get("/api/v1/users?limit=2").json
    rest = admin.get(f"/api/v1/users?limit=2&cursor={first['next_cursor']}").json
    emails = [u["email"] for u in first["items"] + rest["items"]]
    assert emails == [ADMIN, "user0@example.org", "user1@example.org", "user2@example.org"]
    assert rest["next_cursor"] is None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"email": ADMIN.upper(), "password": PASSWORD}, 409),
        ({"email": "not an address", "password": PASSWORD}, 400),
        ({"email": "linus@example.org", "password": "short"}, 400),
        ({"email": "linus@example.org", "password": PASSWORD, "role": "x"}, 400),
        ({"email": "linus@example.org"}, 400),
    ],
)
def test_bad_new_users_are_refused(admin, body, status):
    response = admin.post("/api/v1/users", json=body, headers=csrf_header(admin))
    assert response.status_code == status
    assert response.json["error"]["code"] == ("conflict" if status == 409 else "invalid")


def test_nobody_deletes_their_own_account(admin):
    response = admin.delete(f"/api/v1/users/{admin.user_id}", headers=csrf_header(admin))
    assert response.status_code == 409
    missing = admin.delete("/api/v1/users/999999", headers=csrf_header(admin))
    assert missing.status_code == 404


def test_members_may_not_manage_users(member, admin):
    assert member.get("/api/v1/users").status_code == 403
    created = member.post(
        "/api/v1/users",
        json={"email": "linus@example.org", "password": PASSWORD},
        headers=csrf_header(member),
    )
    assert created.status_code == 403 and created.json["error"]["code"] == "forbidden"
    deleted = member.delete(f"/api/v1/users/{admin.user_id}", headers=csrf_header(member))
    assert deleted.status_code == 403
    assert member.get("/api/v1/me").json["is_admin"] is False


def test_deleting_a_user_ends_their_sessions(admin, member, session):
    assert member.get("/api/v1/me").status_code == 200
    response = admin.delete(f"/api/v1/users/{member.user_id}", headers=csrf_header(admin))
    assert response.status_code == 204
    assert member.get("/api/v1/me").status_code == 401
    assert session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_tokens_may_manage_users(client, auth):
    created = client.post(
        "/api/v1/users", json={"email": ADMIN, "password": PASSWORD, "is_admin": True}, headers=auth
    )
    assert created.status_code == 201 and created.json["is_admin"] is True
    assert [u["email"] for u in client.get("/api/v1/users", headers=auth).json["items"]] == [ADMIN]


@pytest.mark.parametrize(
    ("body", "role"),
    [
        ({"role": "viewer"}, "viewer"),
        ({"role": "admin"}, "admin"),
        ({"is_admin": True}, "admin"),
        ({"role": "viewer", "is_admin": True}, "admin"),
        ({}, "member"),
    ],
)
def test_a_new_account_gets_the_role_asked_for(admin, body, role):
    created = admin.post(
        "/api/v1/users",
        json={"email": "linus@example.org", "password": PASSWORD, **body},
        headers=csrf_header(admin),
    )
    assert created.status_code == 201
    assert created.json["role"] == role and created.json["is_admin"] is (role == "admin")


@pytest.mark.parametrize(
    ("role", "triages", "administers"),
    [("viewer", False, False), ("member", True, False), ("admin", True, True)],
)
def test_a_new_role_takes_effect_on_the_next_request(
    admin, member, session, role, triages, administers
):
    changed = admin.patch(
        f"/api/v1/users/{member.user_id}", json={"role": role}, headers=csrf_header(admin)
    )
    assert changed.status_code == 200 and changed.json["role"] == role
    assert member.get("/api/v1/me").json["role"] == role
    triage = member.patch("/api/v1/groups/1", json={}, headers=csrf_header(member))
    assert (triage.status_code != 403) is triages
    assert (member.get("/api/v1/users").status_code == 200) is administers
    session.rollback()
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.role")).first()
    if role == "member":
        assert entry is None  # nothing changed, nothing to record
    else:
        assert entry.target_id == str(member.user_id)
        assert entry.detail == {"email": MEMBER, "old": "member", "new": role}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"role": "owner"}, 400),
        ({}, 400),
        ({"role": "viewer", "email": "x@example.org"}, 400),
    ],
)
def test_bad_role_changes_are_refused(admin, member, body, status):
    response = admin.patch(f"/api/v1/users/{member.user_id}", json=body, headers=csrf_header(admin))
    assert response.status_code == status and response.json["error"]["code"] == "invalid"
    assert member.get("/api/v1/me").json["role"] == "member"


def test_the_last_administrator_stays_one(admin, member, client, auth):
    demote = {"json": {"role": "member"}, "headers": csrf_header(admin)}
    refused = admin.patch(f"/api/v1/users/{admin.user_id}", **demote)
    assert refused.status_code == 409 and "last administrator" in refused.json["error"]["message"]
    deleted = client.delete(f"/api/v1/users/{admin.user_id}", headers=auth)
    assert deleted.status_code == 409
    promote = {"json": {"role": "admin"}, "headers": csrf_header(admin)}
    assert admin.patch(f"/api/v1/users/{member.user_id}", **promote).status_code == 200
    # With a second administrator, the first may step down.
    assert admin.patch(f"/api/v1/users/{admin.user_id}", **demote).status_code == 200
    assert admin.get("/api/v1/users").status_code == 403
    missing = member.patch("/api/v1/users/999999", **promote | {"headers": csrf_header(member)})
    assert missing.status_code == 404


def test_two_administrators_demoting_each_other_at_once_leave_one(app, admin):
    # Each signs in and demotes the other at the same moment: one of them must stay.
    grace = app.test_client()
    grace.user_id = make_user(app, MEMBER, is_admin=True)
    assert sign_in(grace, MEMBER).status_code == 303
    pairs = [(admin, grace.user_id), (grace, admin.user_id)]
    headers = [csrf_header(client) for client, _ in pairs]
    start = threading.Barrier(2)
    statuses = [None, None]

    def demote(index: int) -> None:
        client, other = pairs[index]
        start.wait()
        path = f"/api/v1/users/{other}"
        statuses[index] = client.patch(path, json={"role": "member"}, headers=headers[index])
        statuses[index] = statuses[index].status_code

    threads = [threading.Thread(target=demote, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # The one who loses is either refused as the last administrator (409) or, demoted
    # already when their request is checked, no administrator any more (403).
    assert sorted(statuses)[0] == 200 and sorted(statuses)[1] in (403, 409)
    with app.extensions["faultline.sessionmaker"]() as session:
        assert session.scalar(select(func.count()).where(User.role == "admin")) == 1


def test_counting_administrators_holds_them_until_the_change_commits(app, admin):
    # The race the lock closes, step by step: while one demotion is undecided, a second
    # count waits for it, then sees its outcome (not the two administrators it started with).
    grace_id = make_user(app, MEMBER, is_admin=True)
    make_session = app.extensions["faultline.sessionmaker"]
    seen = []

    def count_again() -> None:
        with make_session() as second:
            second.connection(execution_options={WRITE_OPTION: True})
            seen.append(administrators(second))
            second.rollback()

    with make_session() as first:
        first.connection(execution_options={WRITE_OPTION: True})
        assert administrators(first) == 2
        waiting = threading.Thread(target=count_again)
        waiting.start()
        waiting.join(timeout=0.5)
        undecided = (waiting.is_alive(), list(seen))
        first.get(User, grace_id).role = "member"
        first.commit()
    waiting.join(timeout=30)
    assert undecided == (True, [])
    assert seen == [1]
