"""The real storefront of tests/fixtures/minified: its four builds (bundle + map) and the stacks
Chromium, Firefox and WebKit captured from them, with how a test uploads one and sends the other
the way the tracker and the dashboard do."""

import io
import json
from pathlib import Path

from sqlalchemy import select

from app.access.tokens import create_token
from app.models import Source
from tests.conftest import payload, post_exception, post_hit

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "minified"
REPORTS: list[dict] = json.loads((CORPUS / "captured.json").read_text("utf-8"))
BUILDS = sorted(p.name for p in (CORPUS / "builds").iterdir() if p.is_dir())
ENGINES = ("chromium", "firefox", "webkit")
PAGE = "https://shop.example.com/cart"
ASSETS = "https://shop.example.com/assets/"


def manifest(build: str) -> dict:
    return json.loads((CORPUS / "builds" / build / "manifest.json").read_text("utf-8"))


def bundle_path(build: str) -> Path:
    return CORPUS / "builds" / build / manifest(build)["bundle"]


def bundle_name(build: str) -> str:
    """The hashed file name of a build's script (`app-G7VZBBAR.js`)."""
    return bundle_path(build).name


def build_files(build: str) -> list[tuple[str, bytes]]:
    """A build's script and its map as an upload sends them: (name, content)."""
    script = bundle_path(build)
    source_map = script.with_name(script.name + ".map")
    return [(script.name, script.read_bytes()), (source_map.name, source_map.read_bytes())]


def with_debug_id(files: list[tuple[str, bytes]], debug_id: str) -> list[tuple[str, bytes]]:
    """The files as `sentry-cli sourcemaps inject` leaves them: a `//# debugId=` comment at the
    end of the script and `debugId` in the map."""
    injected = []
    for name, content in files:
        if name.endswith(".map"):
            doc = json.loads(content)
            doc["debugId"] = debug_id
            content = json.dumps(doc).encode()
        else:
            content = content.rstrip(b"\n") + f"\n//# debugId={debug_id}\n".encode()
        injected.append((name, content))
    return injected


def report(build: str, scenario: str, engine: str = "chromium") -> dict:
    """One captured stack."""
    return next(
        r
        for r in REPORTS
        if r["build"] == build and r["scenario"] == scenario and r["engine"] == engine
    )


def send(client, captured: dict, release: str | None = None, **extra) -> None:
    """POST a captured stack to /track/exception as the tracker on the shop's cart page would,
    with the browser's own User-Agent."""
    body = {"u": PAGE, "ty": captured["type"], "m": captured["message"], "s": captured["stack"]}
    if release is not None:
        body["v"] = release
    body.update(extra)
    response = post_exception(client, body, headers={"User-Agent": captured["user_agent"]})
    assert response.status_code == 204, response.data


def shop_project(session) -> int:
    """The project the shop's first report made."""
    session.expire_all()
    project_id = session.scalars(select(Source)).one().project_id
    session.rollback()  # no read transaction left open for the test's own writes
    return project_id


def open_shop(client, session) -> int:
    """The shop's project, made by its first page view (before any error)."""
    assert post_hit(client, payload("hit_load", u=PAGE)).status_code == 204
    return shop_project(session)


def token_for(app) -> dict:
    """Authorization headers with a fresh API token of an app built in the test."""
    with app.extensions["faultline.sessionmaker"]() as db_session:
        plaintext, _ = create_token(db_session, "tests")
        db_session.commit()
    return {"Authorization": f"Bearer {plaintext}"}


def upload(client, headers, project_id: int, files, release=None, url_prefix="~/assets"):
    """POST files to the upload API as multipart `file` parts."""
    data: dict = {"file": [(io.BytesIO(content), name) for name, content in files]}
    if release is not None:
        data["release"] = release
    if url_prefix is not None:
        data["url_prefix"] = url_prefix
    return client.post(
        f"/api/v1/projects/{project_id}/sourcemaps",
        data=data,
        headers=headers,
        content_type="multipart/form-data",
    )


def groups(client, headers) -> list[dict]:
    """Every live group, newest first."""
    answer = client.get("/api/v1/groups", headers=headers, query_string={"limit": 100})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["items"]


def group(client, headers, group_id: int) -> dict:
    answer = client.get(f"/api/v1/groups/{group_id}", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def only_group(client, headers) -> dict:
    """The details of the one group there is."""
    (found,) = groups(client, headers)
    return group(client, headers, found["id"])
