"""Reading the audit log: only administrators may, each filter narrows it as documented,
pages run newest first, and a bad filter is a clear 400."""

from datetime import UTC, datetime, timedelta

import pytest

from app.audit import CLI, record
from app.core.roles import Caller
from tests.api.auditing import ADMIN, read_audit, signed_in, token_of
from tests.signin import make_user


@pytest.fixture
def admin_id(app):
    return make_user(app, ADMIN, is_admin=True)


@pytest.mark.parametrize(
    ("role", "how", "token_options", "status"),
    [
        ("admin", "session", None, 200),
        ("admin", "token", {}, 200),
        ("member", "session", None, 403),
        ("viewer", "session", None, 403),
        ("member", "token", {"scopes": ["read", "triage"]}, 403),
        ("admin", "token", {"scopes": ["read", "triage"]}, 403),
        # The log spans every project: a token limited to some may not read it.
        ("admin", "token", {"project_ids": [1]}, 403),
    ],
)
def test_only_administrators_read_the_log(app, admin_id, role, how, token_options, status):
    email = ADMIN if role == "admin" else f"{role}@example.org"
    user_id = admin_id if role == "admin" else make_user(app, email, role=role)
    if how == "session":
        client, headers = signed_in(app, email), {}
    else:
        client = app.test_client()
        headers, _ = token_of(app, user_id, "script", **token_options)
    response = client.get("/api/v1/audit", headers=headers)
    assert response.status_code == status
    if status == 403:
        assert response.json["error"]["code"] == "forbidden"


def test_signed_out_is_401(client):
    assert client.get("/api/v1/audit").status_code == 401


T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ADA = Caller("user", "user:ada@example.org", frozenset(), user_id=1, via="session:0123456789ab")
ADA_TOKEN = Caller("token", "token:deploys", frozenset(), user_id=1, via="token:4")
BOB = Caller("user", "user:bob@example.org", frozenset(), user_id=2, via="session:ba9876543210")
NOBODY = Caller("anonymous", "unknown account", frozenset())
# (minutes after T0, who, action, target type, target id), oldest first.
HISTORY = [
    (0, ADA, "group.resolve", "group", 5),
    (1, ADA, "group.merge", "group", 5),
    (2, ADA_TOKEN, "project.rename", "project", 2),
    (3, NOBODY, "signin.failure", "user", None),
    (4, BOB, "signin.success", "user", 2),
    (5, CLI, "user.create", "user", 3),
    (6, BOB, "group.ignore", "group", 6),
]


@pytest.fixture
def history(app, admin_id):
    """The entries of HISTORY, written as the actions write them; an administrator's token."""
    with app.extensions["faultline.sessionmaker"]() as db:
        for minutes, who, action, target_type, target_id in HISTORY:
            record(db, who, action, target_type, target_id, now=T0 + timedelta(minutes=minutes))
        db.commit()
    headers, _ = token_of(app, admin_id, "auditor")
    return headers


def at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def actions(*minutes: int) -> list[str]:
    return [HISTORY[minute][2] for minute in minutes]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, actions(6, 5, 4, 3, 2, 1, 0)),
        ({"action": "group."}, actions(6, 1, 0)),
        ({"action": "group.merge"}, actions(1)),
        ({"action": "group"}, []),  # exact unless it ends in "."
        ({"action": "signin."}, actions(4, 3)),
        ({"action": "user."}, actions(5)),
        ({"actor": 1}, actions(2, 1, 0)),  # a user's sessions and tokens alike
        ({"actor": 2, "action": "group."}, actions(6)),
        ({"actor_kind": "anonymous"}, actions(3)),
        ({"actor_kind": "token"}, actions(2)),
        ({"actor_kind": "cli"}, actions(5)),
        ({"target_type": "group", "target_id": "5"}, actions(1, 0)),
        ({"target_type": "user"}, actions(5, 4, 3)),
        ({"since": at(4)}, actions(6, 5, 4)),
        ({"until": at(2)}, actions(1, 0)),
        ({"since": at(1), "until": at(3)}, actions(2, 1)),
        ({"since": str(int((T0 + timedelta(minutes=5)).timestamp() * 1000))}, actions(6, 5)),
    ],
)
def test_filters(app, client, history, params, expected):
    items = read_audit(client, history, **params)["items"]
    assert [item["action"] for item in items] == expected


def test_an_entry_in_full(client, history):
    (entry,) = read_audit(client, history, action="project.rename")["items"]
    assert entry == {
        "id": entry["id"],
        "at": at(2),
        "action": "project.rename",
        "actor": {"kind": "token", "user_id": 1, "label": "token:deploys"},
        "via": "token:4",
        "target": {"type": "project", "id": "2"},
        "detail": {},
    }


def test_pages_newest_first(client, history):
    seen, cursor, pages = [], None, 0
    while True:
        page = read_audit(client, history, limit=3, **({"cursor": cursor} if cursor else {}))
        seen += [item["action"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and seen == actions(6, 5, 4, 3, 2, 1, 0)
    # A filter holds across pages too.
    first = read_audit(client, history, action="group.", limit=2)
    rest = read_audit(client, history, action="group.", limit=2, cursor=first["next_cursor"])
    assert [i["action"] for i in first["items"] + rest["items"]] == actions(6, 1, 0)
    assert rest["next_cursor"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"action": "Group.Resolve"}, "action"),
        ({"action": "group..resolve"}, "action"),
        ({"action": ""}, "action"),
        ({"action": "g" * 65}, "action"),
        ({"actor": "ada"}, "actor"),
        ({"actor": "0"}, "actor"),
        ({"actor_kind": "robot"}, "actor_kind"),
        ({"target_id": "x" * 65}, "target_id"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-13-01"}, "until"),
        ({"since": at(3), "until": at(3)}, "until"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"ip": "203.0.113.77"}, "ip"),
    ],
)
def test_invalid_filters_are_400(client, history, params, field):
    response = client.get("/api/v1/audit", query_string=params, headers=history)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid"
    assert field in response.json["error"]["fields"]


def test_a_cursor_not_handed_out_is_400(client, history):
    response = client.get("/api/v1/audit", query_string={"cursor": "bm9wZQ"}, headers=history)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_cursor"
