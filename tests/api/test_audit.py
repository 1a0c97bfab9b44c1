"""The audit log as an administrator reads it: every administrative and triage action, done
through the API from a browser session or with a token, names who did it, what, to which
target and through which session or token, and never the client's IP; filters and paging."""

import hashlib
import io
from dataclasses import dataclass

import pytest
from sqlalchemy import select, text

from app.models import UserSession
from tests.api.auditing import (
    ADMIN,
    CLIENT_IP,
    PROXY_IP,
    audit_rows,
    from_the_client_ip,
    read_audit,
    signed_in,
    token_of,
)
from tests.conftest import payload, post_exception
from tests.signin import csrf_header, make_user, session_cookie, sign_in
from tests.sourcemaps.shop import BUILDS, build_files


@dataclass
class World:
    """An administrator's client (a browser session or a token) with its headers, what the
    actions work on, and how the log should name who acted and through what."""

    client: object
    headers: dict
    project: int
    groups: list[int]
    source: int
    actor: dict
    via: str


@pytest.fixture
def app(make_app):
    """An app behind a trusted proxy, so the forwarded address is the one limits use."""
    return make_app(web__trust_proxy=True)


@pytest.fixture
def admin_id(app):
    return make_user(app, ADMIN, is_admin=True)


def session_via(app, user_id: int) -> str:
    """How the audit log names the one browser session of a user."""
    with app.extensions["faultline.sessionmaker"]() as db:
        key = db.scalars(select(UserSession.id).where(UserSession.user_id == user_id)).one()
    return f"session:{key[:12]}"


@pytest.fixture(params=["session", "token"])
def world(request, app, admin_id):
    """Two groups of one project from real reports, and the administrator acting through a
    browser session or through an API token; `world.via` is how the log names that."""
    ingest = app.test_client()
    for name in ("chrome_referenceerror", "stackless"):
        assert post_exception(ingest, payload(name)).status_code == 204
    with app.extensions["faultline.sessionmaker"]() as db:
        group_ids = [row[0] for row in db.execute(text("SELECT id FROM exception_groups"))]
        project_id, source_id = db.execute(text("SELECT project_id, id FROM sources")).one()
    if request.param == "session":
        client = signed_in(app, ADMIN)
        headers = csrf_header(client)
        expected = {"kind": "user", "user_id": admin_id, "label": f"user:{ADMIN}"}
        via = session_via(app, admin_id)
    else:
        client = app.test_client()
        from_the_client_ip(client)
        headers, token_id = token_of(app, admin_id, "deploys")
        expected = {"kind": "token", "user_id": admin_id, "label": "token:deploys"}
        via = f"token:{token_id}"
    return World(client, headers, project_id, sorted(group_ids), source_id, expected, via)


def call(world, method: str, path: str, status: int, **kwargs):
    """An API request of the world's administrator, insisting on `status`; the JSON."""
    response = world.client.open(f"/api/v1{path}", method=method, headers=world.headers, **kwargs)
    assert response.status_code == status, response.json
    return response.json


def new_pixel(world) -> str:
    """A new pixel's id."""
    path = f"/projects/{world.project}/pixels"
    return call(world, "POST", path, 201, json={"name": "news"})["id"]


def upload_maps(world) -> int:
    """Upload a real build's script and map; the bundle's id."""
    files = {"file": [(io.BytesIO(content), name) for name, content in build_files(BUILDS[0])]}
    answer = call(
        world,
        "POST",
        f"/projects/{world.project}/sourcemaps",
        201,
        data={**files, "release": "shop@1.0"},
        content_type="multipart/form-data",
    )
    return answer["bundle"]["id"]


def resolve(world):
    call(world, "PATCH", f"/groups/{world.groups[0]}", 200, json={"status": "resolved"})
    return "group", world.groups[0], {"status": "resolved"}


def ignore(world):
    body = {"status": "ignored", "ignore_until": {"events": 10}}
    call(world, "PATCH", "/groups", 200, json={"ids": [world.groups[1]], **body})
    return "group", world.groups[1], {"status": "ignored"}


def reopen(world):
    resolve(world)
    call(world, "PATCH", f"/groups/{world.groups[0]}", 200, json={"status": "unresolved"})
    return "group", world.groups[0], {"status": "unresolved"}


def merge(world):
    survivor = call(world, "POST", "/groups/merge", 200, json={"ids": world.groups})["id"]
    merged = [group for group in world.groups if group != survivor]
    return "group", survivor, {"merged": merged}


def project_create(world):
    created = call(world, "POST", "/projects", 201, json={"name": "Billing"})
    return "project", created["id"], {"name": "Billing"}


def project_rename(world):
    call(world, "PATCH", f"/projects/{world.project}", 200, json={"name": "Storefront"})
    return "project", world.project, {"name": "Storefront"}


def project_rotate_key(world):
    call(world, "POST", f"/projects/{world.project}/rotate-key", 200)
    return "project", world.project, {}


def project_delete(world):
    call(world, "DELETE", f"/projects/{world.project}", 204)
    return "project", world.project, {}


def source_update(world):
    call(world, "PATCH", f"/sources/{world.source}", 200, json={"name": "Main shop"})
    return "source", world.source, {"name": "Main shop"}


def pixel_create(world):
    return "pixel", new_pixel(world), {"name": "news", "project": world.project}


def pixel_update(world):
    pixel = new_pixel(world)
    call(world, "PATCH", f"/pixels/{pixel}", 200, json={"event_name": "signup"})
    return "pixel", pixel, {"changed": ["event_name"]}


def pixel_delete(world):
    pixel = new_pixel(world)
    call(world, "DELETE", f"/pixels/{pixel}", 204)
    return "pixel", pixel, {"name": "news"}


def sourcemaps_upload(world):
    return "sourcemap_bundle", upload_maps(world), {"release": "shop@1.0", "files": 2}


def sourcemaps_delete(world):
    bundle = upload_maps(world)
    call(world, "DELETE", f"/projects/{world.project}/sourcemaps/{bundle}", 204)
    return "sourcemap_bundle", bundle, {"project": world.project}


def user_create(world):
    body = {"email": "grace@example.org", "password": "a long enough password", "role": "viewer"}
    created = call(world, "POST", "/users", 201, json=body)
    return "user", created["id"], {"email": "grace@example.org", "role": "viewer"}


def user_delete(world):
    body = {"email": "grace@example.org", "password": "a long enough password"}
    created = call(world, "POST", "/users", 201, json=body)
    call(world, "DELETE", f"/users/{created['id']}", 204)
    return "user", created["id"], {"email": "grace@example.org"}


ACTIONS = {
    "group.resolve": resolve,
    "group.ignore": ignore,
    "group.reopen": reopen,
    "group.merge": merge,
    "project.create": project_create,
    "project.rename": project_rename,
    "project.rotate_key": project_rotate_key,
    "project.delete": project_delete,
    "source.update": source_update,
    "pixel.create": pixel_create,
    "pixel.update": pixel_update,
    "pixel.delete": pixel_delete,
    "sourcemaps.upload": sourcemaps_upload,
    "sourcemaps.delete": sourcemaps_delete,
    "user.create": user_create,
    "user.delete": user_delete,
}


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_is_logged_with_who_what_and_how(app, world, action):
    target_type, target_id, detail = ACTIONS[action](world)
    newest = read_audit(world.client, world.headers, limit=1)["items"][0]
    assert newest["action"] == action
    assert newest["actor"] == world.actor
    assert newest["via"] == world.via
    assert newest["target"] == {"type": target_type, "id": str(target_id)}
    assert newest["detail"].items() >= detail.items()
    assert newest["at"].endswith("Z")
    rows = audit_rows(app)
    assert rows and not [row for row in rows if CLIENT_IP in row or PROXY_IP in row]


@pytest.mark.parametrize(
    ("email", "password", "status", "action", "actor"),
    [
        (ADMIN, "correct horse battery staple", 303, "signin.success", "known"),
        (ADMIN, "not the password", 401, "signin.failure", "known"),
        ("nobody@example.org", "whatever it is", 401, "signin.failure", "anonymous"),
    ],
)
def test_sign_ins_are_logged_without_the_address(
    app, admin_id, email, password, status, action, actor
):
    client = app.test_client()
    from_the_client_ip(client)
    assert sign_in(client, email, password).status_code == status
    headers, _ = token_of(app, admin_id, "reader")
    newest = read_audit(client, headers, limit=1)["items"][0]
    assert newest["action"] == action
    assert newest["detail"] == {"method": "password"}
    if actor == "known":
        assert newest["actor"] == {"kind": "user", "user_id": admin_id, "label": f"user:{ADMIN}"}
        assert newest["target"] == {"type": "user", "id": str(admin_id)}
    else:
        # What a stranger typed stays out of the log.
        assert newest["actor"] == {"kind": "anonymous", "user_id": None, "label": "unknown account"}
        assert newest["target"] == {"type": "user", "id": None}
    if action == "signin.success":
        # The sign-in names the session that the user's later actions name.
        session = client.get("/api/v1/me")
        assert session.status_code == 200
        later_via = f"session:{hashlib.sha256(session_cookie(client).encode()).hexdigest()[:12]}"
        assert newest["via"] == later_via
    else:
        assert newest["via"] is None
    assert not [row for row in audit_rows(app) if CLIENT_IP in row or "nobody@" in row]
