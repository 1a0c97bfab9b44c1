"""Every request captured from the official SDKs, replayed to the real envelope endpoint as it
was sent (body bytes, headers, compression, chunking): 200, and each event stored once even
when the SDK sends it again."""

import json
from collections import Counter

import pytest

from tests.sentry.clients import decode_body, envelope_items
from tests.sentry.corpus import FILES, LABELS, captured_event, name_of, replay, sidecar

# Item types the SDKs send by themselves: accepted, not stored, counted as dropped.
UNSTORED = {"session", "sessions", "client_report"}


def test_the_corpus_is_large_and_labelled():
    """The capture kept enough real requests, and a label for every event among them."""
    assert len(FILES) >= 80
    events = {name_of(path) for path in FILES if captured_event(path) is not None}
    assert events == set(LABELS)
    assert {name.split("/")[0] for name in LABELS} == {"python", "node", "browser"}


@pytest.fixture(scope="module")
def project(faultline):
    """The project every file of this module is replayed to."""
    return faultline.create_project("replay")


@pytest.mark.parametrize("path", FILES, ids=name_of)
def test_replayed_request_is_accepted_and_its_event_stored_once(faultline, project, path):
    first = replay(faultline.base, project, path)
    again = replay(faultline.base, project, path)  # an SDK retry: same bytes, same event id
    for status, headers, body in (first, again):
        assert status == 200, (status, body[:300])
        assert headers.get("Access-Control-Allow-Origin") == "*"
    event = captured_event(path)
    if name_of(path) not in LABELS:
        assert json.loads(first[2]) == {} and json.loads(again[2]) == {}
        return
    assert json.loads(first[2]) == {"id": event["event_id"]}
    assert json.loads(again[2]) == {"id": event["event_id"]}
    assert len(faultline.stored([event["event_id"]]).get(event["event_id"], [])) == 1


def test_items_the_sdks_send_by_themselves_are_counted_as_dropped(faultline):
    """Sessions and client reports are accepted and dropped, and the project shows how many."""
    project = faultline.create_project("dropped")
    expected: Counter = Counter()
    for path in FILES:
        raw = decode_body(path.read_bytes(), sidecar(path)["content_encoding"])
        expected.update(item["type"] for item, _ in envelope_items(raw)[1])
        status, _, body = replay(faultline.base, project, path)
        assert status == 200, (name_of(path), status, body[:300])
    counted = faultline.api(f"/api/v1/projects/{project['id']}/dropped")["items"]
    unsupported = {
        row["category"]: row["count"] for row in counted if row["reason"] == "unsupported"
    }
    assert unsupported == {kind: n for kind, n in expected.items() if kind in UNSTORED}
    assert [row["count"] for row in counted] == sorted(
        (row["count"] for row in counted), reverse=True
    )
