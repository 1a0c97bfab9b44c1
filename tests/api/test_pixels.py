"""Tracking pixels: the API that manages them and `GET /track/gif/<id>.gif` (items 33, 34)."""

import struct

import pytest
from sqlalchemy import func, select

from app.models import Hit, Pixel, Source


def count(session, model) -> int:
    """Rows in a table."""
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def project(client, auth) -> dict:
    """A project made through the API."""
    return client.post("/api/v1/projects", json={"name": "Newsletter"}, headers=auth).json


def make_pixel(client, auth, project_id: int, **fields) -> dict:
    """Create a pixel through the API; its JSON."""
    response = client.post(
        f"/api/v1/projects/{project_id}/pixels", json={"name": "May issue", **fields}, headers=auth
    )
    assert response.status_code == 201, response.json
    return response.json


def test_pixel_crud(client, auth, project):
    created = make_pixel(client, auth, project["id"], metadata={"issue": "2026-05"})
    assert created["event_name"] == "pixel"
    assert created["metadata"] == {"issue": "2026-05"}
    assert created["project"] == project["id"]
    assert created["url"].endswith(f"/track/gif/{created['id']}.gif")
    assert len(created["id"]) >= 16 and created["id"].replace("-", "").replace("_", "").isalnum()
    other = make_pixel(client, auth, project["id"], name="June", event_name="open")
    assert other["id"] != created["id"]

    listed = client.get(f"/api/v1/projects/{project['id']}/pixels", headers=auth).json
    assert [p["id"] for p in listed["items"]] == [created["id"], other["id"]]
    assert client.get(f"/api/v1/pixels/{created['id']}", headers=auth).json == created

    changed = client.patch(
        f"/api/v1/pixels/{created['id']}", json={"event_name": "email_open"}, headers=auth
    ).json
    assert (changed["name"], changed["event_name"]) == ("May issue", "email_open")
    assert client.delete(f"/api/v1/pixels/{created['id']}", headers=auth).status_code == 204
    assert client.get(f"/api/v1/pixels/{created['id']}", headers=auth).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "x", "colour": "red"},  # unknown fields are rejected on the protected API
        {"name": "x", "metadata": {"nested": {"a": 1}}},
        {"name": "x", "metadata": {f"k{i}": "v" for i in range(33)}},
        {"name": "x", "event_name": ""},
    ],
)
def test_pixel_input_is_validated(client, auth, project, body):
    response = client.post(f"/api/v1/projects/{project['id']}/pixels", json=body, headers=auth)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid"


def test_pixel_patch_is_validated(client, auth, project):
    pixel = make_pixel(client, auth, project["id"])
    response = client.patch(f"/api/v1/pixels/{pixel['id']}", json={"id": "x"}, headers=auth)
    assert response.status_code == 400
    assert "id" in response.json["error"]["fields"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/projects/999999/pixels"),
        ("post", "/api/v1/projects/999999/pixels"),
        ("get", "/api/v1/pixels/nope"),
        ("get", "/api/v1/pixels/%00"),
        ("patch", "/api/v1/pixels/nope"),
        ("delete", "/api/v1/pixels/nope"),
    ],
)
def test_unknown_ids_are_404(client, auth, method, path):
    response = getattr(client, method)(path, json={"name": "x"}, headers=auth)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_pixel_api_needs_a_token(client, project):
    assert client.get(f"/api/v1/projects/{project['id']}/pixels").status_code == 401


def is_transparent_1x1_gif(data: bytes) -> bool:
    """A GIF89a of 1x1 whose graphic control extension marks its one colour transparent."""
    width, height = struct.unpack("<HH", data[6:10])
    control = data.find(b"\x21\xf9\x04")
    return data[:6] == b"GIF89a" and (width, height) == (1, 1) and data[control + 3] & 1 == 1


def test_pixel_load_stores_one_hit(client, auth, session, project):  # 34
    pixel = make_pixel(client, auth, project["id"], event_name="open", metadata={"issue": "5"})
    response = client.get(
        f"/track/gif/{pixel['id']}.gif",
        headers={"User-Agent": "Mozilla/5.0 (via ggpht.com GoogleImageProxy)"},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/gif"
    assert response.headers["Cache-Control"] == "no-store, no-cache, must-revalidate, private"
    assert is_transparent_1x1_gif(response.data)
    hit = session.scalars(select(Hit)).one()
    assert (hit.kind, hit.event_name, hit.meta) == ("pixel", "open", {"issue": "5"})
    assert hit.project_id == project["id"]
    # Nothing about the reader: no agent, referrer, country, language or path.
    assert (hit.browser, hit.referrer_host, hit.country, hit.language, hit.path) == (None,) * 5
    source = session.get(Source, hit.source_id)
    assert (source.key, source.kind, source.project_id) == (
        f"pixel://{pixel['id']}",
        "pixel",
        project["id"],
    )
    assert client.get(f"/track/gif/{pixel['id']}.gif").status_code == 200
    session.rollback()  # end the read snapshot taken above
    assert count(session, Hit) == 2 and count(session, Source) == 1


@pytest.mark.parametrize("pixel_id", ["unknown", "x" * 200, "%00", "a.b"])
def test_unknown_pixel_is_404_and_stores_nothing(client, session, pixel_id):  # 33
    response = client.get(f"/track/gif/{pixel_id}.gif")
    assert response.status_code == 404
    assert count(session, Hit) == 0 and count(session, Source) == 0


def test_deleted_pixel_is_404(client, auth, session, project):
    pixel = make_pixel(client, auth, project["id"])
    client.delete(f"/api/v1/pixels/{pixel['id']}", headers=auth)
    assert client.get(f"/track/gif/{pixel['id']}.gif").status_code == 404


@pytest.mark.parametrize("header", ["DNT", "Sec-GPC"])
def test_opted_out_reader_gets_the_gif_but_nothing_is_stored(
    client, auth, session, project, header
):
    pixel = make_pixel(client, auth, project["id"])
    response = client.get(f"/track/gif/{pixel['id']}.gif", headers={header: "1"})
    assert response.status_code == 200 and is_transparent_1x1_gif(response.data)
    assert count(session, Hit) == 0


def test_deleting_a_project_deletes_its_pixels_but_keeps_their_hits(client, auth, session, project):
    pixel = make_pixel(client, auth, project["id"])
    client.get(f"/track/gif/{pixel['id']}.gif")
    assert client.delete(f"/api/v1/projects/{project['id']}", headers=auth).status_code == 204
    assert count(session, Pixel) == 0 and count(session, Hit) == 1
    assert client.get(f"/track/gif/{pixel['id']}.gif").status_code == 404
    assert client.get(f"/api/v1/projects/{project['id']}/pixels", headers=auth).status_code == 404
