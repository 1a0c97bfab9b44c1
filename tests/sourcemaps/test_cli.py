"""`faultline sourcemaps upload|list|delete` as a user runs it, on a real build's folder."""

import json

import pytest
import yaml
from sqlalchemy import select

from app.models import AuditEntry
from tests.api.test_cli import faultline
from tests.sourcemaps.shop import bundle_path, groups, open_shop, report, send

BUILD = "esbuild-esm"


@pytest.fixture
def config_path(config, tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_upload_list_and_delete_a_build_folder(client, auth, session, config_path):
    project = open_shop(client, session)
    send(client, report(BUILD, "cart-thumbnail-url"), release="1.4.0")
    folder = bundle_path(BUILD).parent

    uploaded = faultline(
        "sourcemaps", "upload", "--project", str(project), "--release", "1.4.0",
        "--url-prefix", "~/assets", str(folder), config_path=config_path,
    )  # fmt: skip
    assert uploaded.returncode == 0, uploaded.stderr
    assert "1 stored events mapped again, 1 groups moved" in uploaded.stdout
    (found,) = groups(client, auth)
    assert found["culprit"] == "renderThumbnail (src/cart.js)"

    listed = faultline("sourcemaps", "list", "--project", str(project), config_path=config_path)
    (bundle,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert bundle["origin"] == "cli" and bundle["release"] == "1.4.0"
    assert {f["url"] for f in bundle["files"]} == {f"~/assets/{bundle_path(BUILD).name}"}
    assert {f["kind"] for f in bundle["files"]} == {"source_map", "minified_source"}

    deleted = faultline(
        "sourcemaps", "delete", "--project", str(project), "--bundle", str(bundle["id"]),
        config_path=config_path,
    )  # fmt: skip
    assert deleted.returncode == 0, deleted.stderr
    again = faultline("sourcemaps", "list", "--project", str(project), config_path=config_path)
    assert again.stdout.strip() == ""
    session.expire_all()
    audited = session.execute(
        select(AuditEntry.action, AuditEntry.actor_kind, AuditEntry.target_id)
        .where(AuditEntry.action.like("sourcemaps.%"))
        .order_by(AuditEntry.id)
    ).all()
    assert [tuple(row) for row in audited] == [
        ("sourcemaps.upload", "cli", str(bundle["id"])),
        ("sourcemaps.delete", "cli", str(bundle["id"])),
    ]


def test_a_broken_map_is_refused_by_name_and_nothing_is_kept(
    client, session, config_path, tmp_path
):
    project = open_shop(client, session)
    broken = tmp_path / "app.js.map"
    broken.write_text('{"version": 2, "sources": [], "mappings": ""}')
    refused = faultline(
        "sourcemaps", "upload", "--project", str(project), str(broken), config_path=config_path
    )
    assert refused.returncode == 1
    assert "app.js.map: version must be 3, not 2" in refused.stderr
    listed = faultline("sourcemaps", "list", "--project", str(project), config_path=config_path)
    assert listed.stdout.strip() == ""


def test_an_unknown_project_or_path_is_an_error(config_path, tmp_path):
    assert faultline("migrate", config_path=config_path).returncode == 0
    unknown = faultline(
        "sourcemaps", "upload", "--project", "nope", str(tmp_path), config_path=config_path
    )
    assert unknown.returncode == 1 and "no project with the id or name 'nope'" in unknown.stderr
    missing = faultline(
        "sourcemaps", "upload", "--project", "nope", str(tmp_path / "dist"),
        config_path=config_path,
    )  # fmt: skip
    assert missing.returncode == 1 and "no such file or folder" in missing.stderr
