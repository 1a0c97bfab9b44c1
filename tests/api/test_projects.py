"""Projects and sources through the API."""

import pytest
from sqlalchemy import func, select

from app.models import ExceptionEvent, Hit
from tests.conftest import payload, post_exception, post_hit


def count(session, model) -> int:
    """Rows in a table."""
    return session.scalar(select(func.count()).select_from(model))


def test_project_crud(client, auth):
    created = client.post("/api/v1/projects", json={"name": "Mobile app"}, headers=auth)
    assert created.status_code == 201
    project = created.json
    assert project["dsn"].endswith(f"@127.0.0.1:8080/{project['id']}")
    key = project["dsn"].split("//")[1].split("@")[0]
    assert len(key) == 32
    renamed = client.patch(f"/api/v1/projects/{project['id']}", json={"name": "iOS"}, headers=auth)
    assert renamed.json["name"] == "iOS"
    assert client.get(f"/api/v1/projects/{project['id']}", headers=auth).json["name"] == "iOS"
    assert client.delete(f"/api/v1/projects/{project['id']}", headers=auth).status_code == 204
    assert client.get(f"/api/v1/projects/{project['id']}", headers=auth).status_code == 404


def test_deleting_a_project_unassigns_its_sources_and_keeps_history(client, auth, session):
    # 54: sources unassigned, events remain (behind the tombstone), new traffic dropped.
    post_exception(client, payload("chrome_typeerror"))
    post_hit(client, payload("hit_load"))
    project = client.get("/api/v1/projects", headers=auth).json["items"][0]
    assert client.delete(f"/api/v1/projects/{project['id']}", headers=auth).status_code == 204
    assert client.get("/api/v1/projects", headers=auth).json["items"] == []
    assert client.get("/api/v1/groups", headers=auth).json["items"] == []
    [source] = client.get("/api/v1/sources", headers=auth).json["items"]
    assert source["project"] is None
    assert count(session, ExceptionEvent) == 1 and count(session, Hit) == 1
    everything = client.get("/api/v1/stats", headers=auth).json
    assert everything["summary"]["pageviews"] == 1  # history still counts across projects
    assert post_hit(client, payload("hit_load")).status_code == 204
    assert post_exception(client, payload("chrome_typeerror")).status_code == 204
    assert count(session, ExceptionEvent) == 1 and count(session, Hit) == 1
    assert client.delete(f"/api/v1/projects/{project['id']}", headers=auth).status_code == 404


def test_deleting_a_project_can_move_its_sources(client, auth, session):
    post_hit(client, payload("hit_load"))
    old = client.get("/api/v1/projects", headers=auth).json["items"][0]
    new = client.post("/api/v1/projects", json={"name": "Shop"}, headers=auth).json
    gone = client.delete(f"/api/v1/projects/{old['id']}?move_sources_to={new['id']}", headers=auth)
    assert gone.status_code == 204
    [source] = client.get(f"/api/v1/sources?project={new['id']}", headers=auth).json["items"]
    assert source["key"] == "https://shop.example.com"
    assert post_hit(client, payload("hit_load")).status_code == 204
    projects = {hit.project_id for hit in session.scalars(select(Hit))}
    assert projects == {old["id"], new["id"]}  # each hit keeps the project it arrived in


@pytest.mark.parametrize(
    ("query", "status"),
    [("?move_sources_to=999999", 404), ("?move_sources_to=SELF", 409), ("?move_sources_to=x", 400)],
)
def test_project_delete_errors(client, auth, query, status):
    project = client.post("/api/v1/projects", json={"name": "A"}, headers=auth).json
    query = query.replace("SELF", str(project["id"]))
    response = client.delete(f"/api/v1/projects/{project['id']}{query}", headers=auth)
    assert response.status_code == status and "error" in response.json
    assert client.get(f"/api/v1/projects/{project['id']}", headers=auth).status_code == 200


def test_move_and_rename_a_source(client, auth, session):
    post_hit(client, payload("hit_load"))
    [source] = client.get("/api/v1/sources", headers=auth).json["items"]
    other = client.post("/api/v1/projects", json={"name": "Marketing"}, headers=auth).json
    moved = client.patch(
        f"/api/v1/sources/{source['id']}",
        json={"project": other["id"], "name": "Shop front"},
        headers=auth,
    )
    assert moved.status_code == 200
    assert (moved.json["project"], moved.json["name"]) == (other["id"], "Shop front")
    post_hit(client, payload("hit_load"))
    assert session.scalars(select(Hit.project_id).order_by(Hit.id)).all()[-1] == other["id"]
    unassigned = client.patch(
        f"/api/v1/sources/{source['id']}", json={"project": None}, headers=auth
    )
    assert unassigned.json["project"] is None


@pytest.mark.parametrize(
    ("source_id", "body", "status"),
    [
        ("missing", {"project": None}, 404),
        ("real", {"project": 999999}, 404),
        ("real", {"project": "x"}, 400),
        ("real", {"colour": "red"}, 400),
        ("pixel", {"project": None}, 409),
    ],
)
def test_source_patch_errors(client, auth, source_id, body, status):
    post_hit(client, payload("hit_load"))
    project = client.get("/api/v1/projects", headers=auth).json["items"][0]
    pixel = client.post(
        f"/api/v1/projects/{project['id']}/pixels", json={"name": "mail"}, headers=auth
    ).json
    client.get(f"/track/gif/{pixel['id']}.gif")
    sources = {
        s["kind"]: s["id"] for s in client.get("/api/v1/sources", headers=auth).json["items"]
    }
    target = {"missing": 999999, "real": sources["web"], "pixel": sources["pixel"]}[source_id]
    response = client.patch(f"/api/v1/sources/{target}", json=body, headers=auth)
    assert response.status_code == status and "error" in response.json


def test_project_names_are_unique_ignoring_case(client, auth):  # 53
    assert (
        client.post("/api/v1/projects", json={"name": "My Site"}, headers=auth).status_code == 201
    )
    clash = client.post("/api/v1/projects", json={"name": "  my site "}, headers=auth)
    assert clash.status_code == 409 and clash.json["error"]["code"] == "conflict"
    other = client.post("/api/v1/projects", json={"name": "Other"}, headers=auth).json
    rename = client.patch(f"/api/v1/projects/{other['id']}", json={"name": "MY SITE"}, headers=auth)
    assert rename.status_code == 409
    blank = client.post("/api/v1/projects", json={"name": "   "}, headers=auth)
    assert blank.status_code == 400


def test_auto_registered_source_and_project(client, auth):
    post_exception(client, payload("chrome_typeerror"))
    post_exception(client, payload("chrome_referenceerror"))
    projects = client.get("/api/v1/projects", headers=auth).json["items"]
    assert [p["name"] for p in projects] == ["shop.example.com"]
    sources = client.get(f"/api/v1/sources?project={projects[0]['id']}", headers=auth).json
    assert [(s["key"], s["kind"]) for s in sources["items"]] == [
        ("https://shop.example.com", "web")
    ]


def test_project_pagination(client, auth):
    for n in range(5):
        client.post("/api/v1/projects", json={"name": f"p{n}"}, headers=auth)
    page = client.get("/api/v1/projects?limit=2", headers=auth).json
    names = [p["name"] for p in page["items"]]
    while page["next_cursor"]:
        page = client.get(
            f"/api/v1/projects?limit=2&cursor={page['next_cursor']}", headers=auth
        ).json
        names += [p["name"] for p in page["items"]]
    assert names == [f"p{n}" for n in range(5)]


def test_project_input_is_validated(client, auth):
    for body in ({}, {"name": ""}, {"name": "x", "colour": "red"}, {"name": 5}):
        response = client.post("/api/v1/projects", json=body, headers=auth)
        assert response.status_code == 400
        assert response.json["error"]["code"] == "invalid"


def test_oversized_api_body_is_413_json(client, auth):
    response = client.post(
        "/api/v1/projects",
        data="x" * (1024 * 1024 + 1),
        headers=auth,
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "request_entity_too_large"


def test_wrong_method_is_405_json(client, auth):
    response = client.put("/api/v1/projects", json={"name": "x"}, headers=auth)
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"
