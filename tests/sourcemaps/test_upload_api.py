"""The upload API as a user meets it: a real build's map and script go up with a release and URL
prefix, are listed, and explain the next real report of that build (found by release and URL,
by file name, or by debug ID); refused uploads store nothing and say why; deleting a bundle
leaves the events it mapped readable."""

import json

import pytest
from sqlalchemy import func, select

from app.core.sourcemap import NO_MAP, REASONS
from app.models import SourceMapBundle, SourceMapFile
from tests.sourcemaps.shop import (
    ASSETS,
    BUILDS,
    CORPUS,
    ENGINES,
    build_files,
    bundle_name,
    group,
    groups,
    only_group,
    open_shop,
    report,
    send,
    token_for,
    upload,
    with_debug_id,
)

RELEASE = "shop@1.4.0"
DEBUG_ID = "c0ffee00-1234-4abc-8def-0123456789ab"
THUMBNAIL = "cart-thumbnail-url"
CART_JS = (CORPUS / "src" / "cart.js").read_text("utf-8").splitlines()


@pytest.fixture
def project(client, session):
    """The shop's project, made by its first page view (before any error)."""
    return open_shop(client, session)


def stored_files(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(SourceMapFile)) + session.scalar(
        select(func.count()).select_from(SourceMapBundle)
    )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("build", BUILDS)
def test_a_real_report_is_stored_mapped(client, auth, project, build, engine):
    files = build_files(build)
    answer = upload(client, auth, project, files, release=RELEASE, url_prefix="~/assets")
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["remapped"] == {"events": 0, "groups": 0}

    send(client, report(build, THUMBNAIL, engine), release=RELEASE)

    found = only_group(client, auth)
    top = found["latest_event"]["frames"][0]
    assert top["filename"] == ASSETS + bundle_name(build)  # the minified position is kept
    assert top["mapped"] is True
    assert top["original"]["file"] == "../../../src/cart.js"
    assert top["original"]["line"] in (5, 6, 7)  # where each engine puts the column
    assert top["original"]["function"] == "renderThumbnail"
    # The code around the line, from the map's sourcesContent: the shop's own cart.js.
    line = top["original"]["line"]
    assert top["context"]["line"] == CART_JS[line - 1]
    assert top["context"]["pre"] == CART_JS[max(0, line - 6) : line - 1]
    assert top["context"]["post"] == CART_JS[line : line + 5]
    bundle = answer.get_json()["bundle"]
    source_map = next(f for f in bundle["files"] if f["kind"] == "source_map")
    assert top["map"] == {
        "file_id": source_map["id"],
        "bundle_id": bundle["id"],
        "name": bundle_name(build),
        "matched_by": "release_url",
    }
    # Grouped by the original code, whichever bundler and browser.
    assert found["culprit"] == "renderThumbnail (src/cart.js)"
    assert found["grouping"]["frames"][0] == {
        "module": "src/cart.js",
        "function": "renderThumbnail",
    }


def test_the_upload_is_listed_with_its_files(client, auth, project):
    build = "rollup-terser-esm"
    (script_name, script), (map_name, source_map) = build_files(build)
    answer = upload(client, auth, project, [(map_name, source_map), (script_name, script)], RELEASE)
    assert answer.status_code == 201
    listed = client.get(f"/api/v1/projects/{project}/sourcemaps", headers=auth)
    assert listed.status_code == 200
    (bundle,) = listed.get_json()["bundles"]
    assert bundle == answer.get_json()["bundle"]
    assert bundle["release"] == RELEASE and bundle["origin"] == "api"
    assert bundle["size"] == len(script) + len(source_map)
    assert bundle["debug_ids"] == []
    assert bundle["created_at"].endswith("Z") and bundle["last_used_at"] is None
    url = f"~/assets/{script_name}"
    assert [
        (f["kind"], f["name"], f["url"], f["size"], f["debug_id"]) for f in bundle["files"]
    ] == [
        ("source_map", script_name, url, len(source_map), None),
        ("minified_source", script_name, url, len(script), None),
    ]


@pytest.mark.parametrize(
    ("uploaded", "reported", "matched_by"),
    [
        pytest.param(RELEASE, RELEASE, "release_url", id="same-release"),
        pytest.param(None, None, "release_url", id="neither-has-a-release"),
        pytest.param(RELEASE, "shop@1.3.9", "file_name", id="other-release"),
        pytest.param(RELEASE, None, "file_name", id="report-without-release"),
        pytest.param(None, RELEASE, "file_name", id="upload-without-release"),
    ],
)
def test_how_the_map_was_found(client, auth, project, uploaded, reported, matched_by):
    build = "esbuild-iife"
    assert upload(client, auth, project, build_files(build), release=uploaded).status_code == 201
    send(client, report(build, THUMBNAIL, "firefox"), release=reported)
    top = only_group(client, auth)["latest_event"]["frames"][0]
    assert top["mapped"] is True and top["original"]["function"] == "renderThumbnail"
    assert top["map"]["matched_by"] == matched_by


def test_a_url_prefix_that_does_not_match_falls_back_to_the_file_name(client, auth, project):
    build = "esbuild-esm"
    upload(client, auth, project, build_files(build), release=RELEASE, url_prefix="~/static")
    send(client, report(build, THUMBNAIL), release=RELEASE)
    top = only_group(client, auth)["latest_event"]["frames"][0]
    assert top["map"]["matched_by"] == "file_name"


def renamed(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The files under names no report uses: only a debug ID can find them."""
    return [(name.replace(name.split(".", 1)[0], "bundle"), content) for name, content in files]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_debug_id_from_the_page_finds_the_map(client, auth, project, engine):
    build = "rollup-terser-iife"
    files = renamed(with_debug_id(build_files(build), DEBUG_ID))
    answer = upload(client, auth, project, files, release="other", url_prefix="~/elsewhere")
    assert answer.status_code == 201, answer.get_json()
    bundle = answer.get_json()["bundle"]
    assert bundle["debug_ids"] == [DEBUG_ID]
    assert [f["name"] for f in bundle["files"]] == ["bundle.js", "bundle.js"]
    assert {f["debug_id"] for f in bundle["files"]} == {DEBUG_ID}

    # What sentry-cli's injected snippet leaves in window._sentryDebugIds: an Error stack of
    # the script's top level, as this browser writes it, mapped to the script's debug ID.
    script = ASSETS + bundle_name(build)
    stack = {
        "chromium": f"Error\n    at {script}:2:34",
        "firefox": f"@{script}:2:34\n",
        "webkit": f"global code@{script}:2:35",
    }[engine]
    send(client, report(build, THUMBNAIL, engine), release=RELEASE, di={stack: DEBUG_ID.upper()})
    top = only_group(client, auth)["latest_event"]["frames"][0]
    assert top["mapped"] is True
    assert top["original"]["function"] == "renderThumbnail"
    assert top["map"]["matched_by"] == "debug_id"
    assert top["debug_id"] == DEBUG_ID


def test_without_the_debug_id_the_renamed_map_is_not_found(client, auth, project):
    build = "rollup-terser-iife"
    files = renamed(with_debug_id(build_files(build), DEBUG_ID))
    upload(client, auth, project, files, release="other", url_prefix="~/elsewhere")
    send(client, report(build, THUMBNAIL), release=RELEASE)
    top = only_group(client, auth)["latest_event"]["frames"][0]
    assert top["mapped"] is False and top["unmapped_reason"] == NO_MAP


def test_a_frame_in_a_script_without_a_map_says_why(client, auth, project):
    upload(client, auth, project, build_files("esbuild-esm"), release=RELEASE)
    send(client, report("rollup-terser-esm", THUMBNAIL), release=RELEASE)
    frames = only_group(client, auth)["latest_event"]["frames"]
    assert all(f["mapped"] is False for f in frames)
    frames = [f for f in frames if f["filename"].startswith(ASSETS)]
    assert len(frames) >= 5
    assert {f["unmapped_reason"] for f in frames} == {NO_MAP}
    assert frames[0]["unmapped_detail"] == REASONS[NO_MAP]
    assert "original" not in frames[0] and "context" not in frames[0]


def test_no_files_is_400(client, auth, project, session):
    answer = client.post(
        f"/api/v1/projects/{project}/sourcemaps",
        data={"release": RELEASE},
        headers=auth,
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
    assert "file" in answer.get_json()["error"]["message"]
    assert stored_files(session) == 0


def test_scripts_without_any_map_are_400(client, auth, project, session):
    (script_name, script), _ = build_files("esbuild-esm")
    answer = upload(client, auth, project, [(script_name, script)], RELEASE)
    assert answer.status_code == 400
    assert "no source map" in answer.get_json()["error"]["message"]
    assert stored_files(session) == 0


def test_a_broken_map_among_good_files_stores_nothing(client, auth, project, session):
    broken = json.dumps({"version": 3, "sources": "cart.js", "mappings": "AAAA"}).encode()
    files = build_files("esbuild-esm") + build_files("rollup-terser-esm")
    files.insert(2, ("app-OLD.js.map", broken))
    answer = upload(client, auth, project, files, RELEASE)
    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["code"] == "invalid_sourcemap"
    assert error["message"] == "app-OLD.js.map: `sources` must be a list of strings"
    listed = client.get(f"/api/v1/projects/{project}/sourcemaps", headers=auth).get_json()
    assert listed == {"bundles": []}
    assert stored_files(session) == 0
    # And nothing maps the next report either.
    send(client, report("esbuild-esm", THUMBNAIL), release=RELEASE)
    assert only_group(client, auth)["latest_event"]["frames"][0]["mapped"] is False


@pytest.fixture
def small_app(make_app):
    """An app that takes files of up to 8 KB."""
    return make_app(sourcemaps__max_file_bytes=8192)


def test_an_oversized_file_is_413_and_stores_nothing(small_app):
    client, headers = small_app.test_client(), token_for(small_app)
    with small_app.extensions["faultline.sessionmaker"]() as session:
        project_id = open_shop(client, session)
        files = build_files("esbuild-esm")  # the script is 6 KB, its map 25 KB
        answer = upload(client, headers, project_id, files, RELEASE)
        assert answer.status_code == 413
        error = answer.get_json()["error"]
        assert error["code"] == "too_large"
        assert error["message"].startswith(f"{files[1][0]}: {len(files[1][1])} bytes, more than")
        assert "8192" in error["message"]
        assert stored_files(session) == 0
        assert upload(client, headers, project_id, files[:1], RELEASE).status_code == 400


def test_an_unknown_project_is_404(client, auth, project):
    answer = upload(client, auth, project + 1000, build_files("esbuild-esm"), RELEASE)
    assert answer.status_code == 404
    assert (
        client.get(f"/api/v1/projects/{project + 1000}/sourcemaps", headers=auth).status_code == 404
    )
    assert (
        client.delete(f"/api/v1/projects/{project + 1000}/sourcemaps/1", headers=auth).status_code
        == 404
    )


def test_without_a_token_it_is_401(client, project, session):
    assert upload(client, {}, project, build_files("esbuild-esm"), RELEASE).status_code == 401
    assert client.get(f"/api/v1/projects/{project}/sourcemaps").status_code == 401
    wrong = {"Authorization": "Bearer not-a-token"}
    assert upload(client, wrong, project, build_files("esbuild-esm"), RELEASE).status_code == 401
    assert stored_files(session) == 0


def test_delete_then_events_stay_readable(client, auth, project, session):
    build = "rollup-terser-esm"
    answer = upload(client, auth, project, build_files(build), RELEASE)
    bundle_id = answer.get_json()["bundle"]["id"]
    send(client, report(build, THUMBNAIL, "webkit"), release=RELEASE)
    (listed,) = groups(client, auth)
    before = group(client, auth, listed["id"])

    assert (
        client.delete(
            f"/api/v1/projects/{project}/sourcemaps/{bundle_id}", headers=auth
        ).status_code
        == 204
    )
    again = client.delete(f"/api/v1/projects/{project}/sourcemaps/{bundle_id}", headers=auth)
    assert again.status_code == 404
    listed_maps = client.get(f"/api/v1/projects/{project}/sourcemaps", headers=auth).get_json()
    assert listed_maps == {"bundles": []}
    assert stored_files(session) == 0

    after = group(client, auth, listed["id"])
    assert after["latest_event"]["frames"] == before["latest_event"]["frames"]
    top = after["latest_event"]["frames"][0]
    assert top["mapped"] is True and top["original"]["function"] == "renderThumbnail"
    assert top["map"]["bundle_id"] == bundle_id  # which upload it was, though it is gone
    events = client.get(f"/api/v1/groups/{listed['id']}/events", headers=auth).get_json()
    assert events["items"][0]["frames"][0]["mapped"] is True

    # The next report of that build finds no map any more.
    send(client, report(build, THUMBNAIL, "chromium"), release=RELEASE)
    newest = next(g for g in groups(client, auth) if g["id"] != listed["id"])
    top = group(client, auth, newest["id"])["latest_event"]["frames"][0]
    assert top["mapped"] is False and top["unmapped_reason"] == NO_MAP
