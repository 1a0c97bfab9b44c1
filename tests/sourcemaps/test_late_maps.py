"""Maps uploaded after their build's errors: the stored events are mapped and their groups move
onto the mapped fingerprint (re-keyed in place, so a new report of the bug still lands there),
two builds' groups of one bug become one once both maps are up, and events past retention
are left as they were."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.models import ExceptionEvent
from tests.sourcemaps.shop import (
    ASSETS,
    ENGINES,
    build_files,
    bundle_name,
    group,
    groups,
    open_shop,
    report,
    send,
    shop_project,
    upload,
    with_debug_id,
)

RELEASE = "shop@1.4.0"
# Two bugs whose three browsers' stacks group together per build even minified, and whose
# minified groups differ between builds (the mangled names differ).
BUGS = {
    "cart-thumbnail-url": ("renderThumbnail", "src/cart.js"),
    "shipping-zones-reference": ("shippingQuote", "src/shipping.js"),
}


@pytest.fixture
def project(client, session):
    """The shop's project, made by its first page view (before any error)."""
    return open_shop(client, session)


def send_all(client, build: str, scenario: str, engines=ENGINES) -> None:
    for engine in engines:
        send(client, report(build, scenario, engine), release=RELEASE)


def by_title(client, auth) -> dict[str, dict]:
    """Each live group's details by its title's type (one group per bug here)."""
    found = {}
    for listed in groups(client, auth):
        detail = group(client, auth, listed["id"])
        assert detail["title"] not in found, "two groups of one bug"
        found[detail["title"]] = detail
    return found


def events_of(client, auth, group_id: int) -> list[dict]:
    answer = client.get(f"/api/v1/groups/{group_id}/events", headers=auth)
    return answer.get_json()["items"]


def test_a_late_map_maps_the_stored_events_and_moves_their_groups(client, auth, project):
    build = "esbuild-esm"
    for scenario in BUGS:
        send_all(client, build, scenario)
    before = by_title(client, auth)
    assert len(before) == 2
    for found in before.values():
        assert found["count"] == 3
        top = found["latest_event"]["frames"][0]
        assert top["mapped"] is False and top["unmapped_reason"] == "no_map"
        # Grouped by the minified names, within the build's bundle.
        assert "src/" not in (found["culprit"] or "")
        assert all("src/" not in (f["module"] or "") for f in found["grouping"]["frames"])

    answer = upload(client, auth, project, build_files(build), release=RELEASE)
    assert answer.status_code == 201
    assert answer.get_json()["remapped"] == {"events": 6, "groups": 2}

    after = by_title(client, auth)
    assert {t: g["id"] for t, g in after.items()} == {t: g["id"] for t, g in before.items()}
    for found in after.values():
        scenario = next(s for s in BUGS if report(build, s)["message"] in found["title"])
        function, module = BUGS[scenario]
        assert found["count"] == 3
        assert found["culprit"] == f"{function} ({module})"
        assert found["grouping"]["frames"][0] == {"module": module, "function": function}
        assert found["fingerprint"] != before[found["title"]]["fingerprint"]
        assert found["history"][0]["kind"] == "symbolicated"
        for event in events_of(client, auth, found["id"]):
            assert event["fingerprint"] == found["fingerprint"]
            top = event["frames"][0]
            assert top["mapped"] is True and top["original"]["function"] == function
            assert top["map"]["matched_by"] == "release_url"
            assert "context" in top


def test_a_report_after_the_late_map_lands_in_the_same_group(client, auth, project):
    build = "rollup-terser-esm"
    send_all(client, build, "cart-thumbnail-url", ENGINES[:2])
    (before,) = groups(client, auth)
    upload(client, auth, project, build_files(build), release=RELEASE)

    send(client, report(build, "cart-thumbnail-url", "webkit"), release=RELEASE)
    (after,) = groups(client, auth)
    assert after["id"] == before["id"] and after["count"] == 3
    newest = events_of(client, auth, after["id"])[0]
    assert newest["browser"] == "Safari"  # the WebKit report
    top = newest["frames"][0]
    assert top["mapped"] is True and top["original"]["function"] == "renderThumbnail"
    assert newest["fingerprint"] == after["fingerprint"]


def test_a_minified_report_of_a_moved_group_still_lands_in_it(client, auth, project):
    # With its map deleted, the build's next report keeps the minified key it had before the
    # upload: the pointer row the move left routes it to the moved group.
    build = "esbuild-iife"
    send_all(client, build, "cart-thumbnail-url", ENGINES[:1])
    (before,) = groups(client, auth)
    answer = upload(client, auth, project, build_files(build), release=RELEASE)
    bundle_id = answer.get_json()["bundle"]["id"]
    assert groups(client, auth)[0]["fingerprint"] != before["fingerprint"]
    deleted = client.delete(f"/api/v1/projects/{project}/sourcemaps/{bundle_id}", headers=auth)
    assert deleted.status_code == 204

    send(client, report(build, "cart-thumbnail-url", "firefox"), release=RELEASE)
    (after,) = groups(client, auth)
    assert after["id"] == before["id"] and after["count"] == 2
    newest = events_of(client, auth, after["id"])[0]
    assert newest["frames"][0]["mapped"] is False
    assert newest["fingerprint"] == before["fingerprint"]


def test_two_builds_groups_of_one_bug_merge_once_both_maps_are_up(client, auth, project):
    first, second = "esbuild-esm", "rollup-terser-iife"
    send_all(client, first, "cart-thumbnail-url")
    send_all(client, second, "cart-thumbnail-url", ENGINES[:2])
    before = groups(client, auth)
    assert sorted(g["count"] for g in before) == [2, 3]  # minified names differ per build

    one = upload(client, auth, project, build_files(first), release=RELEASE).get_json()
    assert one["remapped"] == {"events": 3, "groups": 1}
    assert len(groups(client, auth)) == 2

    two = upload(client, auth, project, build_files(second), release=RELEASE).get_json()
    assert two["remapped"] == {"events": 2, "groups": 1}
    (merged,) = groups(client, auth)
    assert merged["id"] in {g["id"] for g in before}
    assert merged["count"] == 5
    detail = group(client, auth, merged["id"])
    assert detail["culprit"] == "renderThumbnail (src/cart.js)"
    assert sum(day["count"] for day in detail["trend"]) == 5
    assert len(events_of(client, auth, merged["id"])) == 5
    gone = next(g["id"] for g in before if g["id"] != merged["id"])
    assert client.get(f"/api/v1/groups/{gone}", headers=auth).status_code == 404

    # Either build's next report joins the merged group.
    send(client, report(second, "cart-thumbnail-url", "webkit"), release=RELEASE)
    send(client, report(first, "cart-thumbnail-url", "firefox"), release=RELEASE)
    (final,) = groups(client, auth)
    assert final["id"] == merged["id"] and final["count"] == 7


def test_events_past_retention_are_not_touched(client, auth, project, session):
    build = "esbuild-esm"
    send_all(client, build, "cart-thumbnail-url")
    (before,) = groups(client, auth)
    old = datetime.now(UTC) - timedelta(days=91)  # retention.days is 90
    session.execute(update(ExceptionEvent).values(received_at=old))
    session.commit()

    answer = upload(client, auth, project, build_files(build), release=RELEASE)
    assert answer.get_json()["remapped"] == {"events": 0, "groups": 0}
    (after,) = groups(client, auth)
    assert after["id"] == before["id"] and after["fingerprint"] == before["fingerprint"]
    session.expire_all()
    for frames in session.scalars(select(ExceptionEvent.frames)):
        assert not frames[0].get("mapped") and "original" not in frames[0]


def test_only_the_events_within_retention_move(client, auth, project, session):
    build = "esbuild-esm"
    send_all(client, build, "cart-thumbnail-url")
    (before,) = groups(client, auth)
    oldest = session.scalars(select(ExceptionEvent.id).order_by(ExceptionEvent.id)).first()
    old = datetime.now(UTC) - timedelta(days=91)
    session.execute(
        update(ExceptionEvent).where(ExceptionEvent.id == oldest).values(received_at=old)
    )
    session.commit()

    answer = upload(client, auth, project, build_files(build), release=RELEASE)
    assert answer.get_json()["remapped"] == {"events": 2, "groups": 1}
    after = {g["id"]: g for g in groups(client, auth)}
    assert len(after) == 2
    assert after[before["id"]]["count"] == 1  # the old event stays where it was
    (moved,) = (g for g in after.values() if g["id"] != before["id"])
    assert moved["count"] == 2
    assert moved["culprit"] == "renderThumbnail (src/cart.js)"


def test_a_new_sites_first_reports_are_mapped_after_its_first_upload(client, auth, session):
    # No page view first: the site's first report registers it (and its project).
    build = "esbuild-esm"
    send(client, report(build, "cart-thumbnail-url", "chromium"), release=RELEASE)
    project = shop_project(session)
    answer = upload(client, auth, project, build_files(build), release=RELEASE)
    assert answer.get_json()["remapped"] == {"events": 1, "groups": 1}

    send(client, report(build, "cart-thumbnail-url", "firefox"), release=RELEASE)
    (found,) = groups(client, auth)
    assert found["count"] == 2
    newest = events_of(client, auth, found["id"])[0]
    assert newest["frames"][0]["mapped"] is True
    assert newest["frames"][0]["original"]["function"] == "renderThumbnail"


JQUERY = "    at HTMLButtonElement.dispatch (https://cdn.jsdelivr.net/npm/jquery@3.7.1/dist/jquery.min.js:2:40035)"


def test_an_unrelated_upload_maps_nothing_again(client, auth, project):
    # The shop's frames, and below them jQuery's from a CDN, which no upload explains.
    build = "esbuild-esm"
    captured = report(build, "cart-thumbnail-url", "chromium")
    send(client, {**captured, "stack": captured["stack"] + "\n" + JQUERY}, release=RELEASE)
    first = upload(client, auth, project, build_files(build), release=RELEASE).get_json()
    assert first["remapped"] == {"events": 1, "groups": 1}
    (found,) = groups(client, auth)
    frames = events_of(client, auth, found["id"])[0]["frames"]
    assert frames[0]["mapped"] is True
    assert frames[-1]["mapped"] is False and frames[-1]["unmapped_reason"] == "no_map"

    # Another build's map explains none of the event's frames that had no map.
    other = upload(client, auth, project, build_files("rollup-terser-iife"), release=RELEASE)
    assert other.get_json()["remapped"] == {"events": 0, "groups": 0}
    # Nor does the same map again.
    again = upload(client, auth, project, build_files(build), release=RELEASE)
    assert again.get_json()["remapped"] == {"events": 0, "groups": 0}


def test_a_late_map_finds_earlier_events_by_their_debug_id(client, auth, project):
    build = "rollup-terser-esm"
    debug_id = "0d3b1f6e-9a4c-4e2b-8f71-5c6d7e8f9a0b"
    script = ASSETS + bundle_name(build)
    captured = report(build, "cart-thumbnail-url", "chromium")
    send(client, captured, release=RELEASE, di={f"Error\n    at {script}:1:20": debug_id})
    # Uploaded under another name, release and prefix: only the debug ID kept with each
    # stored frame can find it.
    files = [
        (name.replace(bundle_name(build), "chunk.js"), content)
        for name, content in with_debug_id(build_files(build), debug_id)
    ]
    answer = upload(client, auth, project, files, release="other", url_prefix="~/static")
    assert answer.get_json()["remapped"] == {"events": 1, "groups": 1}
    (found,) = groups(client, auth)
    top = events_of(client, auth, found["id"])[0]["frames"][0]
    assert top["mapped"] is True and top["map"]["matched_by"] == "debug_id"
    assert top["original"]["function"] == "renderThumbnail"
