"""The tracker's `di` as it sends it: script URL -> debug ID, for the scripts of the error's own
stack (frontend/tracker/src/errors.js reads them from window._sentryDebugIds). A real report of
one of the shop's builds finds its renamed map by that ID alone, in every engine."""

import threading

import pytest

from tests.sourcemaps.shop import (
    ASSETS,
    ENGINES,
    build_files,
    bundle_name,
    only_group,
    open_shop,
    report,
    send,
    upload,
    with_debug_id,
)

BUILD = "rollup-terser-iife"
DEBUG_ID = "c0ffee00-1234-4abc-8def-0123456789ab"
RELEASE = "shop@1.4.0"
THUMBNAIL = "cart-thumbnail-url"


@pytest.fixture(autouse=True)
def checkpoints_finish():
    """As in tests/sourcemaps: the SQLite checkpoint a test's last commit started must finish
    within the test, or it outlives the test database."""
    yield
    for thread in threading.enumerate():
        if thread.name == "faultline-checkpoint":
            thread.join(timeout=10)


@pytest.fixture
def project(client, session):
    return open_shop(client, session)


def renamed(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The files under names no report uses: only a debug ID can find them."""
    return [(name.replace(name.split(".", 1)[0], "bundle"), content) for name, content in files]


def upload_renamed(client, auth, project) -> None:
    files = renamed(with_debug_id(build_files(BUILD), DEBUG_ID))
    answer = upload(client, auth, project, files, release="other", url_prefix="~/elsewhere")
    assert answer.status_code == 201, answer.get_json()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_debug_id_keyed_by_script_url_finds_the_map(client, auth, project, engine):
    upload_renamed(client, auth, project)
    script = ASSETS + bundle_name(BUILD)
    send(client, report(BUILD, THUMBNAIL, engine), release=RELEASE, di={script: DEBUG_ID})
    top = only_group(client, auth)["latest_event"]["frames"][0]
    assert top["mapped"] is True
    assert top["original"]["function"] == "renderThumbnail"
    assert top["map"]["matched_by"] == "debug_id"
    assert top["debug_id"] == DEBUG_ID


def test_an_empty_or_missing_di_is_accepted(client, auth, project):
    upload_renamed(client, auth, project)
    send(client, report(BUILD, THUMBNAIL), release=RELEASE, di={})
    send(client, report(BUILD, THUMBNAIL), release=RELEASE)
    top = only_group(client, auth)["latest_event"]["frames"][0]
    assert top["mapped"] is False
