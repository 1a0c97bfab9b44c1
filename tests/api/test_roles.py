"""Roles on every route: each documented route, asked by each kind of caller, is refused (403)
exactly when the caller lacks the scope the table below says it needs; and a token limited to
some projects finds every other project's data missing (404)."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.access.tokens import create_token
from app.core.roles import ADMIN, READ, ROLE_SCOPES, TRIAGE, required_scope
from app.models import User
from tests.api.test_sentry_api import sdk_record, store
from tests.signin import csrf_header, make_user, sign_in
from tests.sourcemaps.shop import BUILDS, build_files, upload

PUBLIC = None
# (method, path) -> the scope a caller needs. Every route of the api blueprint is here, and
# every documented one: a new route must say who may use it.
EXPECTED = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/ready"): PUBLIC,
    ("GET", "/me"): READ,
    ("GET", "/csrf"): READ,
    ("GET", "/projects"): READ,
    ("POST", "/projects"): ADMIN,
    ("GET", "/projects/{project_id}"): READ,
    ("PATCH", "/projects/{project_id}"): ADMIN,
    ("DELETE", "/projects/{project_id}"): ADMIN,
    ("POST", "/projects/{project_id}/rotate-key"): ADMIN,
    ("GET", "/projects/{project_id}/dropped"): READ,
    ("GET", "/projects/{project_id}/pixels"): READ,
    ("POST", "/projects/{project_id}/pixels"): ADMIN,
    ("GET", "/projects/{project_id}/sourcemaps"): READ,
    ("POST", "/projects/{project_id}/sourcemaps"): TRIAGE,
    ("DELETE", "/projects/{project_id}/sourcemaps/{bundle_id}"): TRIAGE,
    ("GET", "/sources"): READ,
    ("PATCH", "/sources/{source_id}"): ADMIN,
    ("GET", "/pixels/{pixel_id}"): READ,
    ("PATCH", "/pixels/{pixel_id}"): ADMIN,
    ("DELETE", "/pixels/{pixel_id}"): ADMIN,
    ("GET", "/groups"): READ,
    ("PATCH", "/groups"): TRIAGE,
    ("GET", "/groups/{group_id}"): READ,
    ("PATCH", "/groups/{group_id}"): TRIAGE,
    ("GET", "/groups/{group_id}/events"): READ,
    ("GET", "/groups/{group_id}/pages"): READ,
    ("POST", "/groups/merge"): TRIAGE,
    ("GET", "/stats"): READ,
    ("GET", "/stats/errors-per-pageview"): READ,
    ("GET", "/users"): ADMIN,
    ("POST", "/users"): ADMIN,
    ("PATCH", "/users/{user_id}"): ADMIN,
    ("DELETE", "/users/{user_id}"): ADMIN,
    ("GET", "/users/{user_id}/identities"): ADMIN,
    ("POST", "/users/{user_id}/identities"): ADMIN,
    ("DELETE", "/users/{user_id}/identities/{identity_id}"): ADMIN,
    ("GET", "/tokens"): READ,
    ("POST", "/tokens"): READ,
    ("DELETE", "/tokens/{token_id}"): READ,
    ("GET", "/audit"): ADMIN,
    ("GET", "/groups/{group_id}/alerts"): READ,
    ("GET", "/projects/{project_id}/alert-rules"): READ,
    ("POST", "/projects/{project_id}/alert-rules"): TRIAGE,
    ("GET", "/alert-rules/{rule_id}"): READ,
    ("PATCH", "/alert-rules/{rule_id}"): TRIAGE,
    ("DELETE", "/alert-rules/{rule_id}"): TRIAGE,
    ("GET", "/projects/{project_id}/alert-channels"): READ,
    ("POST", "/projects/{project_id}/alert-channels"): ADMIN,
    ("GET", "/alert-channels/{channel_id}"): READ,
    ("PATCH", "/alert-channels/{channel_id}"): ADMIN,
    ("DELETE", "/alert-channels/{channel_id}"): ADMIN,
    ("POST", "/alert-channels/{channel_id}/test"): ADMIN,
    ("GET", "/projects/{project_id}/alert-deliveries"): READ,
}
# Everyone may manage their own tokens, but a token only when it holds `admin` (or it could
# make its own successor before a revocation).
TOKENS_NEED = {key: ADMIN for key in EXPECTED if key[1].startswith("/tokens")}
WRITES = {"POST", "PATCH", "PUT", "DELETE"}
MISSING = 999999
CALLERS = {
    "admin session": ROLE_SCOPES["admin"],
    "member session": ROLE_SCOPES["member"],
    "viewer session": ROLE_SCOPES["viewer"],
    "read token": frozenset({READ}),
    "read+triage token": frozenset({READ, TRIAGE}),
    "read+triage+admin token": frozenset({READ, TRIAGE, ADMIN}),
}


def openapi_style(rule: str) -> str:
    """A Flask rule as the OpenAPI document spells it: `<int:group_id>` is `{group_id}`."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule).removeprefix("/api/v1")


def documented(client) -> set[tuple[str, str]]:
    """Every (method, path) of the OpenAPI document, paths without /api/v1."""
    paths = client.get("/api/v1/openapi.json").json["paths"]
    return {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in paths.items()
        for method in operations
    }


def blueprint_routes(app) -> dict[tuple[str, str], object]:
    """Every (method, path) of the api blueprint, with its view."""
    return {
        (method, openapi_style(rule.rule)): app.view_functions[rule.endpoint]
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_documented_route_is_in_the_table(client):
    assert sorted(documented(client) - EXPECTED.keys()) == []


def test_every_table_entry_is_documented(client):
    assert sorted(EXPECTED.keys() - documented(client)) == []


def test_every_route_of_the_blueprint_is_in_the_table_with_its_scope(app):
    routes = blueprint_routes(app)
    assert sorted(routes.keys() - EXPECTED.keys()) == []
    for key, view in routes.items():
        scope = required_scope(view)
        assert scope == EXPECTED[key], key
        assert scope is not None or key in {("GET", "/health"), ("GET", "/ready")}


def token_header(app, owner_id: int, scopes: list[str], project_ids=None) -> dict:
    """Authorization for a new token of `owner_id` (an administrator) with these scopes."""
    with app.extensions["faultline.sessionmaker"]() as db:
        plaintext, _ = create_token(db, "roles", db.get(User, owner_id), scopes, project_ids)
        db.commit()
    return {"Authorization": f"Bearer {plaintext}"}


@pytest.fixture
def world(app):
    """An administrator, a member and a viewer, signed in; a project with a group and a pixel."""
    admin_id = make_user(app, "ada@example.org", role="admin")
    clients = {}
    for email, role in (("ada", "admin"), ("grace", "member"), ("linus", "viewer")):
        client = app.test_client()
        if role != "admin":
            make_user(app, f"{email}@example.org", role=role)
        assert sign_in(client, f"{email}@example.org").status_code == 303
        clients[f"{role} session"] = client
    full = token_header(app, admin_id, ["read", "triage", "admin"])
    setup = app.test_client()
    project = setup.post("/api/v1/projects", json={"name": "Shop"}, headers=full).json
    store(app, sdk_record(project["id"]))
    pixel = setup.post(
        f"/api/v1/projects/{project['id']}/pixels", json={"name": "nl"}, headers=full
    )
    [group] = setup.get("/api/v1/groups", headers=full).json["items"]
    ids = {"project_id": project["id"], "group_id": group["id"], "pixel_id": pixel.json["id"]}
    ids["user_id"] = admin_id
    return {"app": app, "admin_id": admin_id, "clients": clients, "ids": ids, "tokens": {}}


def call(world: dict, caller: str, method: str, path: str):
    """Send one request as `caller`: real ids where it only reads, missing ones where it
    writes (so an allowed write changes nothing), and an empty body that then fails."""
    ids = world["ids"] if method not in WRITES else {}
    url = "/api/v1" + re.sub(r"{([^}]+)}", lambda m: str(ids.get(m.group(1), MISSING)), path)
    if caller.endswith("session"):
        client = world["clients"][caller]
        headers = csrf_header(client) if method in WRITES else {}
    else:
        client = world["app"].test_client()
        if caller not in world["tokens"]:
            scopes = [scope for scope in (READ, TRIAGE, ADMIN) if scope in CALLERS[caller]]
            world["tokens"][caller] = token_header(world["app"], world["admin_id"], scopes)
        headers = world["tokens"][caller]
    body = {"json": {}} if method in {"POST", "PATCH", "PUT"} else {}
    return client.open(url, method=method, headers=headers, **body)


@pytest.mark.parametrize("caller", CALLERS)
def test_each_caller_is_refused_exactly_the_routes_beyond_its_scopes(world, caller):
    wrong = []
    for (method, path), needed in EXPECTED.items():
        if caller.endswith("token"):
            needed = TOKENS_NEED.get((method, path), needed)
        response = call(world, caller, method, path)
        refused = response.status_code == 403
        if refused != (needed is not None and needed not in CALLERS[caller]):
            wrong.append((method, path, needed, response.status_code, response.get_data(True)))
        elif refused:
            assert response.json["error"]["code"] == "forbidden"
    assert wrong == []


@pytest.fixture
def two_projects(app, client):
    """Projects "mine" and "theirs", each with a group, a pixel and a source map bundle, and
    a token of an administrator limited to "mine"."""
    admin_id = make_user(app, "ada@example.org", role="admin")
    full = token_header(app, admin_id, ["read", "triage", "admin"])
    made = {}
    for name in ("mine", "theirs"):
        project = client.post("/api/v1/projects", json={"name": name}, headers=full).json
        store(app, sdk_record(project["id"], exc_type=f"{name.title()}Error"))
        pixel = client.post(
            f"/api/v1/projects/{project['id']}/pixels", json={"name": name}, headers=full
        ).json
        bundle = upload(client, full, project["id"], build_files(BUILDS[0])).json["bundle"]
        made[name] = {"project": project["id"], "pixel": pixel["id"], "bundle": bundle["id"]}
    for group in client.get("/api/v1/groups", headers=full).json["items"]:
        made["mine" if group["type"] == "MineError" else "theirs"]["group"] = group["id"]
    limited = token_header(app, admin_id, ["read", "triage", "admin"], [made["mine"]["project"]])
    return made, limited


PROJECT_SCOPED = [
    ("GET", "/projects/{project}"),
    ("GET", "/projects/{project}/dropped"),
    ("GET", "/projects/{project}/pixels"),
    ("GET", "/projects/{project}/sourcemaps"),
    ("DELETE", "/projects/{project}/sourcemaps/{bundle}"),
    ("POST", "/projects/{project}/rotate-key"),
    ("GET", "/pixels/{pixel}"),
    ("GET", "/groups/{group}"),
    ("GET", "/groups/{group}/events"),
    ("GET", "/groups/{group}/pages"),
    ("PATCH", "/groups/{group}"),
    ("GET", "/groups?project={project}"),
    ("GET", "/sources?project={project}"),
    ("GET", "/stats?project={project}"),
    ("GET", "/stats/errors-per-pageview?by=page&project={project}"),
]


@pytest.mark.parametrize(("method", "path"), PROJECT_SCOPED)
def test_a_project_limited_token_finds_other_projects_missing(client, two_projects, method, path):
    made, limited = two_projects
    body = {"json": {"status": "resolved"}} if method == "PATCH" else {}
    for name, allowed in (("theirs", False), ("mine", True)):
        url = "/api/v1" + path.format(**made[name])
        response = client.open(url, method=method, headers=limited, **body)
        if allowed:
            assert response.status_code in (200, 204), (url, response.json)
        else:
            assert response.status_code == 404, (url, response.json)
            assert response.json["error"]["code"] == "not_found"


def test_a_project_limited_token_lists_only_its_projects(client, two_projects):
    made, limited = two_projects
    mine = made["mine"]
    listed = {
        "projects": [
            p["id"] for p in client.get("/api/v1/projects", headers=limited).json["items"]
        ],
        "groups": [g["id"] for g in client.get("/api/v1/groups", headers=limited).json["items"]],
        "sources": {
            s["project"] for s in client.get("/api/v1/sources", headers=limited).json["items"]
        },
    }
    assert listed == {
        "projects": [mine["project"]],
        "groups": [mine["group"]],
        "sources": {mine["project"]},
    }
    since = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    stats = client.get("/api/v1/stats", query_string={"from": since}, headers=limited)
    assert stats.status_code == 200 and stats.json["summary"]["exceptions"] == 1
    merge = {"ids": [mine["group"], made["theirs"]["group"]]}
    merged = client.post("/api/v1/groups/merge", json=merge, headers=limited)
    assert (
        merged.status_code == 404
        and str(made["theirs"]["group"]) in merged.json["error"]["message"]
    )
    bulk = {"ids": [made["theirs"]["group"]], "status": "resolved"}
    assert client.patch("/api/v1/groups", json=bulk, headers=limited).status_code == 404
