"""Projects and sources through the API."""

from tests.conftest import payload, post_exception


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


def test_deleting_a_project_deletes_its_data(client, auth):
    post_exception(client, payload("chrome_typeerror"))
    project = client.get("/api/v1/projects", headers=auth).json["items"][0]
    assert client.delete(f"/api/v1/projects/{project['id']}", headers=auth).status_code == 204
    assert client.get("/api/v1/groups", headers=auth).json["items"] == []
    assert client.get("/api/v1/sources", headers=auth).json["items"] == []


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
