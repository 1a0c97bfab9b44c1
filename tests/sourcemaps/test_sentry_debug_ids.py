"""A Sentry browser SDK event of a minified bundle finds its map by the debug ID in
`debug_meta.images`, as `@sentry/browser` sends it for scripts that sentry-cli injected: the
envelope is a real capture of the SDK (tests/fixtures/sentry/envelopes/browser) with its
exception swapped for a real stack of one of the shop's builds."""

import json
import uuid

import pytest

from app.core.stacktrace import parse_stack
from tests.sentry.clients import envelope_items
from tests.sentry.corpus import CORPUS
from tests.sourcemaps.shop import (
    ASSETS,
    PAGE,
    build_files,
    bundle_name,
    only_group,
    report,
    upload,
    with_debug_id,
)

CAPTURE = CORPUS / "envelopes" / "browser" / "uncaught-2.bin"
DEBUG_ID = "5b2f9e8c-41d6-4a7e-9c1b-7f3e2d4a6b80"


@pytest.fixture
def project(client, auth):
    """A project made through the API: its id and the public key of its DSN."""
    made = client.post("/api/v1/projects", json={"name": "shop"}, headers=auth).get_json()
    return made["id"], made["dsn"].split("//", 1)[1].split("@", 1)[0]


def sentry_frames(stack: str) -> list[dict]:
    """A captured stack as the browser SDK lists it: outermost first, `?` for no name."""
    frames = [
        {
            "filename": f.filename,
            "function": f.function or "?",
            "in_app": True,
            "lineno": f.lineno,
            "colno": f.colno,
        }
        for f in parse_stack(stack)
        if f.filename and f.lineno
    ]
    return frames[::-1]


def envelope(captured: dict, images: list[dict] | None) -> bytes:
    """The captured SDK envelope, its event carrying `captured`'s exception (and images)."""
    header, items = envelope_items(CAPTURE.read_bytes())
    event = next(json.loads(body) for item, body in items if item.get("type") == "event")
    event["event_id"] = uuid.uuid4().hex
    event["request"]["url"] = PAGE
    event["exception"]["values"] = [
        {
            "type": captured["type"],
            "value": captured["message"],
            "stacktrace": {"frames": sentry_frames(captured["stack"])},
            "mechanism": {"type": "onerror", "handled": False},
        }
    ]
    if images is not None:
        event["debug_meta"] = {"images": images}
    header["event_id"] = event["event_id"]
    payload = json.dumps(event).encode()
    lines = [json.dumps(header).encode(), json.dumps({"type": "event"}).encode(), payload]
    return b"\n".join(lines) + b"\n"


def post(client, project, body: bytes, user_agent: str) -> None:
    project_id, key = project
    answer = client.post(
        f"/api/{project_id}/envelope/?sentry_version=7&sentry_key={key}"
        "&sentry_client=sentry.javascript.browser%2F11.12.0",
        data=body,
        content_type="text/plain;charset=UTF-8",
        headers={"User-Agent": user_agent, "Origin": "https://shop.example.com"},
    )
    assert answer.status_code == 200, answer.data


def upload_injected(client, auth, project, build: str):
    """The build as `sentry-cli sourcemaps inject` left it, uploaded under other names, with
    another release and prefix: only its debug ID can find it."""
    files = [
        (name.replace(bundle_name(build), "main.js"), content)
        for name, content in with_debug_id(build_files(build), DEBUG_ID)
    ]
    answer = upload(client, auth, project[0], files, release="other", url_prefix="~/static")
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["bundle"]["debug_ids"] == [DEBUG_ID]


@pytest.mark.parametrize(
    ("build", "engine"),
    [
        ("esbuild-esm", "chromium"),
        ("esbuild-iife", "firefox"),
        ("rollup-terser-esm", "webkit"),
        ("rollup-terser-iife", "chromium"),
    ],
)
def test_an_sdk_event_is_mapped_by_its_debug_id(client, auth, project, build, engine):
    upload_injected(client, auth, project, build)
    captured = report(build, "shipping-zones-reference", engine)
    image = {"type": "sourcemap", "code_file": ASSETS + bundle_name(build), "debug_id": DEBUG_ID}
    post(client, project, envelope(captured, [image]), captured["user_agent"])

    found = only_group(client, auth)
    assert found["platform"] == "javascript"
    top = found["latest_event"]["frames"][0]
    assert top["filename"] == ASSETS + bundle_name(build)
    assert top["mapped"] is True
    assert top["map"]["matched_by"] == "debug_id"
    assert top["map"]["name"] == "main.js"
    assert top["original"]["file"] == "../../../src/shipping.js"
    assert top["original"]["function"] == "shippingQuote"
    assert top["context"]["line"] == "  const zone = shippingZones[address.country];"
    assert found["culprit"] == "shippingQuote (src/shipping.js)"


def test_an_image_with_a_query_in_its_url_still_names_the_script(client, auth, project):
    build = "esbuild-esm"
    upload_injected(client, auth, project, build)
    captured = report(build, "shipping-zones-reference")
    url = ASSETS + bundle_name(build)
    images = [
        {"type": "sourcemap", "code_file": url + "?v=2", "debug_id": DEBUG_ID.upper()},
        {"type": "macho", "code_file": url, "debug_id": str(uuid.uuid4())},  # not a map's
    ]
    post(client, project, envelope(captured, images), captured["user_agent"])
    top = only_group(client, auth)["latest_event"]["frames"][0]
    assert top["map"]["matched_by"] == "debug_id"


@pytest.mark.parametrize(
    "images",
    [
        pytest.param(None, id="no-debug-meta"),
        pytest.param(
            [{"type": "sourcemap", "code_file": ASSETS + "other.js", "debug_id": DEBUG_ID}],
            id="image-of-another-script",
        ),
        pytest.param(
            [{"type": "sourcemap", "code_file": ASSETS + "x", "debug_id": str(uuid.uuid4())}],
            id="unknown-debug-id",
        ),
    ],
)
def test_without_its_debug_id_the_renamed_map_is_not_found(client, auth, project, images):
    build = "esbuild-esm"
    upload_injected(client, auth, project, build)
    captured = report(build, "shipping-zones-reference")
    post(client, project, envelope(captured, images), captured["user_agent"])
    top = only_group(client, auth)["latest_event"]["frames"][0]
    assert top["mapped"] is False and top["unmapped_reason"] == "no_map"
