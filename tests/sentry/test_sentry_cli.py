"""The real sentry-cli (npm @sentry/cli) injecting debug IDs into an esbuild bundle and
uploading it to a served Faultline with an API token; what Faultline then stores."""

import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import tempfile
import urllib.error
import urllib.request
import uuid
import zipfile
import zlib
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.sourcemap import check_map
from app.core.sourcemap_files import MINIFIED_SOURCE, SOURCE_MAP
from app.models import AuditEntry, SourceMapFile, UploadChunk
from tests.sentry.clients import CLIENTS
from tests.sentry.harness import post
from tests.sourcemaps.shop import BUILDS, build_files

SENTRY_CLI = CLIENTS / "node_modules" / ".bin" / "sentry-cli"
ESBUILD = CLIENTS / "node_modules" / ".bin" / "esbuild"
SOURCES = {
    "cart.js": "export function total(items) {\n"
    "  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);\n}\n",
    "app.js": "import { total } from './cart.js';\n"
    "export function checkout(items) {\n"
    "  if (!items.length) throw new Error('empty cart');\n"
    "  return total(items);\n}\n"
    "checkout([{ price: 3, quantity: 2 }]);\n",
    "admin.js": "import { total } from './cart.js';\n"
    "export function refund(order) {\n"
    "  if (order.refunded) throw new Error('already refunded');\n"
    "  return -total(order.items);\n}\n"
    "refund({ items: [] });\n",
}
ENTRIES = ("app.js", "admin.js")
DEBUG_ID_RE = re.compile(r"^//# debugId=(\S+)\s*$", re.MULTILINE)


@pytest.fixture(scope="module")
def token(faultline) -> str:
    """A Faultline API token made through the API, given to sentry-cli as its auth token."""
    return api_post(faultline, "/api/v1/tokens", {"name": "sentry-cli"})["token"]


def api_post(faultline, path: str, body: dict) -> dict:
    status, _, answer = post(
        faultline.base,
        path,
        json.dumps(body).encode(),
        {**faultline.auth, "Content-Type": "application/json"},
    )
    assert status == 201, answer
    return json.loads(answer)


def build(folder: Path) -> Path:
    """Two minified entry points with hashed names and their maps, as an app ships them."""
    src = folder / "src"
    src.mkdir()
    for name, code in SOURCES.items():
        (src / name).write_text(code)
    dist = folder / "dist"
    command = [str(ESBUILD), *(str(src / name) for name in ENTRIES), "--bundle", "--minify"]
    command += ["--sourcemap", f"--outdir={dist}", "--entry-names=[name]-[hash]"]
    subprocess.run([*command, "--log-level=error"], check=True, timeout=60)
    return dist


def sentry_cli(faultline, token: str, *args: str, url_flag=False) -> subprocess.CompletedProcess:
    """Run sentry-cli at the served Faultline (SENTRY_URL, or --url), away from any
    ~/.sentryclirc or .env of the machine running the tests."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SENTRY")}
    where = ["--url", faultline.base] if url_flag else []
    if not url_flag:
        env["SENTRY_URL"] = faultline.base
    command = [str(SENTRY_CLI), "--log-level=info", *where, "--auth-token", token, *args]
    with tempfile.TemporaryDirectory() as home:
        env.update(HOME=home, SENTRY_LOAD_DOTENV="0")
        return subprocess.run(
            command, cwd=home, env=env, capture_output=True, text=True, timeout=120
        )


def inject(faultline, token: str, dist: Path) -> dict[str, str]:
    """`sourcemaps inject`; the debug ID now at the end of each script, by file name."""
    result = sentry_cli(faultline, token, "sourcemaps", "inject", str(dist))
    assert result.returncode == 0, result.stderr
    ids = {}
    for script in dist.glob("*.js"):
        ids[script.name] = DEBUG_ID_RE.findall(script.read_text())[-1]
    assert sorted(name.split("-")[0] for name in ids) == ["admin", "app"]
    return ids


def upload(faultline, token, project, dist: Path, *flags: str, **run):
    org = ["--org", "acme", "--project", str(project)]
    return sentry_cli(faultline, token, "sourcemaps", "upload", *org, *flags, str(dist), **run)


def bundles(faultline, project_id: int) -> list[dict]:
    """The project's bundles as the API lists them, newest first."""
    return faultline.api(f"/api/v1/projects/{project_id}/sourcemaps")["bundles"]


def chunks_left(faultline) -> int:
    with Session(faultline.engine) as session:
        return session.scalar(select(func.count()).select_from(UploadChunk))


def expected_files(ids: dict[str, str], prefix: str) -> set[tuple]:
    """(kind, name, url, debug_id) of each script and of the map filed under it."""
    return {
        (kind, name, f"{prefix}/{name}", debug_id)
        for name, debug_id in ids.items()
        for kind in (SOURCE_MAP, MINIFIED_SOURCE)
    }


def file_rows(bundle: dict) -> set[tuple]:
    return {(f["kind"], f["name"], f["url"], f["debug_id"]) for f in bundle["files"]}


def test_upload_with_a_release_and_url_prefix(faultline, token, tmp_path):
    project = api_post(faultline, "/api/v1/projects", {"name": "cli-shop"})
    chunks_before = chunks_left(faultline)
    dist = build(tmp_path)
    ids = inject(faultline, token, dist)
    flags = ["--release", "shop@2.1.0", "--url-prefix", "~/assets"]
    result = upload(faultline, token, project["id"], dist, *flags)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "File processing complete" in result.stdout
    [bundle] = bundles(faultline, project["id"])
    assert (bundle["release"], bundle["origin"]) == ("shop@2.1.0", "sentry-cli")
    assert bundle["debug_ids"] == sorted(ids.values())
    assert file_rows(bundle) == expected_files(ids, "~/assets")
    with Session(faultline.engine) as session:
        rows = session.scalars(select(SourceMapFile).where(SourceMapFile.bundle_id == bundle["id"]))
        for row in rows:
            content = zlib.decompress(row.content)
            if row.kind == SOURCE_MAP:
                assert check_map(content).debug_id == ids[row.name]
            else:
                assert content.decode().rstrip().endswith(f"//# debugId={ids[row.name]}")
    assert chunks_left(faultline) == chunks_before  # the chunks went with the assembly


def test_upload_by_debug_id_alone_and_again(faultline, token, tmp_path):
    project = api_post(faultline, "/api/v1/projects", {"name": "cli-admin"})
    chunks_before = chunks_left(faultline)
    dist = build(tmp_path)
    ids = inject(faultline, token, dist)
    # By the project's name, at --url rather than SENTRY_URL, with no release.
    result = upload(faultline, token, "cli-admin", dist, url_flag=True)
    assert result.returncode == 0, result.stdout + result.stderr
    [bundle] = bundles(faultline, project["id"])
    assert bundle["release"] is None
    assert file_rows(bundle) == expected_files(ids, "~")

    again = upload(faultline, token, "cli-admin", dist, url_flag=True)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Nothing to upload, all files are on the server" in again.stdout
    assert [b["id"] for b in bundles(faultline, project["id"])] == [bundle["id"]]
    assert chunks_left(faultline) == chunks_before  # the chunks went with the assembly


def test_a_bad_token_is_refused(faultline, token, tmp_path):
    project = api_post(faultline, "/api/v1/projects", {"name": "cli-refused"})
    dist = build(tmp_path)
    inject(faultline, token, dist)
    result = upload(faultline, "flt_not-a-token", project["id"], dist)
    assert result.returncode != 0
    assert "401" in result.stdout + result.stderr
    assert bundles(faultline, project["id"]) == []
    for headers in ({"Authorization": "Bearer flt_not-a-token"}, {}):
        path = "/api/0/organizations/acme/chunk-upload/"
        request = urllib.request.Request(faultline.base + path, headers=headers)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 401
        assert set(json.loads(refused.value.read())) == {"detail"}


def test_a_broken_map_fails_the_upload_and_stores_nothing(faultline, token, tmp_path):
    project = api_post(faultline, "/api/v1/projects", {"name": "cli-broken"})
    chunks_before = chunks_left(faultline)
    dist = build(tmp_path)
    inject(faultline, token, dist)
    broken = next(dist.glob("admin-*.js.map"))
    broken.write_text(json.dumps({**json.loads(broken.read_text()), "version": 2}))
    # Without --no-rewrite sentry-cli would parse the map itself and write a version 3 one.
    result = upload(faultline, token, project["id"], dist, "--no-rewrite")
    assert result.returncode != 0
    refusal = f"Faultline refused the bundle: ~/{broken.name}: version must be 3"
    assert refusal in result.stdout + result.stderr
    assert bundles(faultline, project["id"]) == []
    assert chunks_left(faultline) == chunks_before  # the chunks went with the assembly


def send_chunks(faultline, token: str, parts: list[tuple[str, bytes, str]]):
    """POST chunks the way sentry-cli does: one multipart part per chunk, named by its
    SHA-1, in the field `file` (or `file_gzip`, gzipped)."""
    boundary = uuid.uuid4().hex
    body = b""
    for checksum, content, field in parts:
        data = gzip.compress(content) if field == "file_gzip" else content
        body += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{checksum}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        body += data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    }
    return post(faultline.base, "/api/0/organizations/acme/chunk-upload/", body, headers)


def send_chunk(faultline, token: str, checksum: str, content: bytes, field="file_gzip"):
    return send_chunks(faultline, token, [(checksum, content, field)])


def assemble(faultline, token: str, body: dict):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    path = "/api/0/organizations/acme/artifactbundle/assemble/"
    status, _, answer = post(faultline.base, path, json.dumps(body).encode(), headers)
    return status, json.loads(answer)


def test_chunks_and_bundles_that_are_refused(faultline, token):
    project = api_post(faultline, "/api/v1/projects", {"name": "cli-protocol"})
    status, _, answer = send_chunk(faultline, token, "0" * 40, b"not what the name says")
    assert (status, list(json.loads(answer))) == (400, ["detail"])
    # Bigger than the rest of the API takes (1 MiB), as a chunk of a real app's bundle is.
    large = os.urandom(3 * 1024 * 1024)
    assert send_chunk(faultline, token, hashlib.sha1(large).hexdigest(), large)[0] == 200

    # A zip bomb: 5 x 45 MiB of zeros in under a MiB, more than sourcemaps.max_upload_bytes
    # (200 MiB) unzipped, each file under max_file_bytes; refused before it is all unzipped.
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        names = [f"files/_/_/app{number}.js" for number in range(5)]
        files = {name: {"type": "minified_source", "url": f"~/{name}"} for name in names}
        archive.writestr("manifest.json", json.dumps({"files": files}))
        for name in names:
            with archive.open(name, "w") as entry:
                for _ in range(45):
                    entry.write(bytes(1024 * 1024))
    bomb = packed.getvalue()
    checksum = hashlib.sha1(bomb).hexdigest()
    request = {"checksum": checksum, "chunks": [checksum], "projects": [str(project["id"])]}
    assert assemble(faultline, token, request) == (
        200,
        {"state": "not_found", "missingChunks": [checksum], "detail": None},
    )
    assert send_chunk(faultline, token, checksum, bomb, field="file")[0] == 200
    status, answer = assemble(faultline, token, request)
    assert (status, answer["state"]) == (200, "error")
    assert "the files unzip to more than 209715200 bytes" in answer["detail"]
    assert bundles(faultline, project["id"]) == []

    status, answer = assemble(faultline, token, {**request, "projects": ["no-such-project"]})
    assert status == 400 and "no-such-project" in answer["detail"]
    status, answer = assemble(faultline, token, {**request, "chunks": ["not a sha1"]})
    assert status == 400 and set(answer) == {"detail"}


def test_a_bundle_in_several_chunks(faultline, token, tmp_path):
    """A bundle as symbolic writes it (SYSB header, then the ZIP), cut in two chunks sent
    in one request, one gzipped and one not; the release comes from its manifest."""
    project = api_post(faultline, "/api/v1/projects", {"name": "cli-chunks"})
    dist = build(tmp_path)
    script = next(dist.glob("app-*.js"))
    files = {
        "files/_/_/app.js": {"type": "minified_source", "url": f"~/js/{script.name}"},
        "files/_/_/app.js.map": {"type": "source_map", "url": f"~/js/{script.name}.map"},
    }
    files["files/_/_/app.js"]["headers"] = {"Sourcemap": f"{script.name}.map"}
    packed = io.BytesIO()
    packed.write(b"SYSB\x02\x00\x00\x00")
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps({"files": files, "release": "web@7"}))
        archive.writestr("files/_/_/app.js", script.read_bytes())
        archive.writestr("files/_/_/app.js.map", Path(f"{script}.map").read_bytes())
    bundle = packed.getvalue()
    halves = [bundle[: len(bundle) // 2], bundle[len(bundle) // 2 :]]
    chunks = [hashlib.sha1(half).hexdigest() for half in halves]
    parts = [(chunks[0], halves[0], "file_gzip"), (chunks[1], halves[1], "file")]
    assert send_chunks(faultline, token, parts)[0] == 200
    request = {
        "checksum": hashlib.sha1(bundle).hexdigest(),
        "chunks": chunks,
        "projects": ["cli-chunks"],
    }
    assert assemble(faultline, token, request) == (
        200,
        {"state": "ok", "missingChunks": [], "detail": None},
    )
    [stored] = bundles(faultline, project["id"])
    assert stored["release"] == "web@7"
    url = f"~/js/{script.name}"
    assert file_rows(stored) == {
        (SOURCE_MAP, script.name, url, None),
        (MINIFIED_SOURCE, script.name, url, None),
    }


def test_the_auth_token_must_triage_and_see_the_project(faultline):
    mine = api_post(faultline, "/api/v1/projects", {"name": "cli-mine"})
    theirs = api_post(faultline, "/api/v1/projects", {"name": "cli-theirs"})
    reader = api_post(faultline, "/api/v1/tokens", {"name": "reader", "scopes": ["read"]})
    request = urllib.request.Request(
        faultline.base + "/api/0/organizations/acme/chunk-upload/",
        headers={"Authorization": f"Bearer {reader['token']}"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 403 and "triage" in json.loads(refused.value.read())["detail"]

    body = {"name": "ci", "scopes": ["read", "triage"], "project_ids": [mine["id"]]}
    limited = api_post(faultline, "/api/v1/tokens", body)
    bundle = shop_bundle()
    checksum = hashlib.sha1(bundle).hexdigest()
    assert send_chunk(faultline, limited["token"], checksum, bundle, field="file")[0] == 200
    request = {"checksum": checksum, "chunks": [checksum], "projects": [str(theirs["id"])]}
    status, answer = assemble(faultline, limited["token"], request)
    assert status == 400 and "not found" in answer["detail"]  # as if it did not exist
    status, answer = assemble(faultline, limited["token"], {**request, "projects": ["cli-mine"]})
    assert (status, answer["state"]) == (200, "ok")
    [stored] = bundles(faultline, mine["id"])
    assert bundles(faultline, theirs["id"]) == []
    with Session(faultline.engine) as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "sourcemaps.upload", AuditEntry.target_id == str(stored["id"])
            )
        ).one()
    assert (entry.actor_kind, entry.via) == ("token", f"token:{limited['id']}")
    assert entry.detail["project"] == mine["id"] and entry.detail["files"] == 2


def shop_bundle() -> bytes:
    """An artifact bundle of one real minified script and its map, as symbolic writes it."""
    script, source_map = sorted(build_files(BUILDS[0]), key=lambda f: f[0].endswith(".map"))
    files = {
        "files/_/_/app.js": {
            "type": "minified_source",
            "url": f"~/{script[0]}",
            "headers": {"Sourcemap": source_map[0]},
        },
        "files/_/_/app.js.map": {"type": "source_map", "url": f"~/{source_map[0]}"},
    }
    packed = io.BytesIO()
    packed.write(b"SYSB\x02\x00\x00\x00")
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps({"files": files}))
        archive.writestr("files/_/_/app.js", script[1])
        archive.writestr("files/_/_/app.js.map", source_map[1])
    return packed.getvalue()
