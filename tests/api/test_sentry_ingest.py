"""The Sentry endpoints as an SDK meets them: auth, CORS, bodies, caps, retries, opt-out,
dropped items, and hostile bytes that must never be a 5xx or a half-stored envelope."""

import base64
import gzip
import json
import uuid
import zlib

import brotli
import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.models import DroppedItem, ExceptionEvent, Project
from tests.sentry.corpus import FILES, captured_event

PYTHON_EVENT = captured_event(next(p for p in FILES if p.parent.name == "python"))
ENCODE = {
    None: bytes,
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": zstandard.ZstdCompressor().compress,
}


@pytest.fixture
def project(client, auth):
    """A project made through the API: its id and public key."""
    made = client.post("/api/v1/projects", json={"name": "sdk"}, headers=auth).get_json()
    made["key"] = made["dsn"].split("//", 1)[1].split("@", 1)[0]
    return made


def envelope(*items: tuple[dict, bytes], header: dict | None = None) -> bytes:
    lines = [json.dumps(header or {}).encode()]
    for item_header, payload in items:
        lines += [json.dumps(item_header).encode(), payload]
    return b"\n".join(lines) + b"\n"


def event_item(**changes) -> tuple[dict, bytes]:
    event = {**PYTHON_EVENT, "event_id": uuid.uuid4().hex, **changes}
    payload = json.dumps(event).encode()
    return {"type": "event", "length": len(payload)}, payload


def auth_header(key: str) -> dict:
    return {"X-Sentry-Auth": f"Sentry sentry_version=7, sentry_client=tests/1, sentry_key={key}"}


def send(client, project, body: bytes, headers=None, kind="envelope", query=""):
    headers = {"Content-Type": "application/x-sentry-envelope", **(headers or {})}
    return client.post(f"/api/{project['id']}/{kind}/{query}", data=body, headers=headers)


def stored(session) -> int:
    return session.scalar(select(func.count()).select_from(ExceptionEvent))


def dropped(session) -> dict:
    rows = session.execute(select(DroppedItem.category, DroppedItem.reason, DroppedItem.count))
    return {(category, reason): count for category, reason, count in rows}


@pytest.mark.parametrize("where", ["header", "query", "dsn"])
def test_the_key_is_read_from_header_query_or_envelope_dsn(client, project, session, where):
    header = {"dsn": f"http://{project['key']}@localhost/{project['id']}"} if where == "dsn" else {}
    body = envelope(event_item(), header=header)
    headers = auth_header(project["key"]) if where == "header" else {}
    query = f"?sentry_key={project['key']}&sentry_version=7" if where == "query" else ""
    response = send(client, project, body, headers, query=query)
    assert response.status_code == 200, response.data
    assert response.get_json() == {"id": json.loads(body.split(b"\n")[2])["event_id"]}
    assert stored(session) == 1


def test_missing_wrong_foreign_or_rotated_keys_are_refused(client, auth, project, session):
    body = envelope(event_item())
    assert send(client, project, body).status_code == 401
    assert send(client, project, body).get_json() == {"detail": "missing authorization information"}
    wrong = send(client, project, body, auth_header("0" * 32))
    assert (wrong.status_code, wrong.get_json()) == (403, {"detail": "invalid api key"})
    other = client.post("/api/v1/projects", json={"name": "other"}, headers=auth).get_json()
    assert send(client, {"id": other["id"]}, body, auth_header(project["key"])).status_code == 403
    assert send(client, {"id": 999999}, body, auth_header(project["key"])).status_code == 403
    rotated = client.post(f"/api/v1/projects/{project['id']}/rotate-key", headers=auth)
    assert rotated.status_code == 200
    new_key = rotated.get_json()["dsn"].split("//", 1)[1].split("@", 1)[0]
    assert new_key != project["key"]
    assert send(client, project, body, auth_header(project["key"])).status_code == 403
    assert send(client, project, body, auth_header(new_key)).status_code == 200
    assert stored(session) == 1


def test_a_deleted_project_refuses_its_key(client, auth, project):
    client.delete(f"/api/v1/projects/{project['id']}", headers=auth)
    response = send(client, project, envelope(event_item()), auth_header(project["key"]))
    assert response.status_code == 403


def test_preflight_and_answers_carry_the_cors_the_browser_sdk_needs(client, project):
    preflight = client.options(
        f"/api/{project['id']}/envelope/",
        headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
    assert {"content-type", "x-sentry-auth"} <= {h.strip() for h in allowed.split(",")}
    exposed = preflight.headers["Access-Control-Expose-Headers"]
    assert "Retry-After" in exposed and "X-Sentry-Rate-Limits" in exposed
    refused = send(client, project, envelope(event_item()))
    assert refused.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("encoding", list(ENCODE))
@pytest.mark.parametrize("content_type", ["application/x-sentry-envelope", "text/plain"])
def test_compressed_bodies_of_each_encoding(client, project, session, encoding, content_type):
    body = ENCODE[encoding](envelope(event_item()))
    headers = {**auth_header(project["key"]), "Content-Type": content_type}
    if encoding:
        headers["Content-Encoding"] = encoding
    assert send(client, project, body, headers).status_code == 200
    assert stored(session) == 1


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
def test_a_compression_bomb_is_refused_without_storing(client, project, session, encoding):
    bomb = ENCODE[encoding](envelope(event_item()) + b"\n" * (30 * 1024 * 1024))
    assert len(bomb) < 200_000
    headers = {**auth_header(project["key"]), "Content-Encoding": encoding}
    assert send(client, project, bomb, headers).status_code == 413
    assert stored(session) == 0


def test_an_oversized_event_is_dropped_and_the_other_items_kept(client, project, session):
    big = event_item(extra={"blob": "x" * (1024 * 1024)})
    body = envelope(big, ({"type": "session"}, b'{"sid":"a"}'))
    response = send(client, project, body, auth_header(project["key"]))
    assert response.status_code == 200 and response.get_json() == {}
    assert dropped(session) == {("error", "too_large"): 1, ("session", "unsupported"): 1}
    store = json.dumps({**PYTHON_EVENT, "extra": {"blob": "x" * (1024 * 1024)}}).encode()
    assert send(client, project, store, auth_header(project["key"]), "store").status_code == 413


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"not an envelope", {}, 400),
        (b"\x1f\x8b garbage", {"Content-Encoding": "gzip"}, 400),
        (b"{}", {"Content-Encoding": "compress"}, 400),
        (b"{}\n", {"Content-Type": "image/png"}, 415),
    ],
    ids=["bad-header", "bad-gzip", "unknown-encoding", "wrong-type"],
)
def test_bad_bodies_get_a_clear_4xx(client, project, session, body, headers, status):
    response = send(client, project, body, {**auth_header(project["key"]), **headers})
    assert response.status_code == status
    assert set(response.get_json()) == {"detail"}
    assert b"garbage" not in response.data and stored(session) == 0


def test_a_retried_event_is_stored_once(client, project, session):
    body = envelope(event_item())
    first = send(client, project, body, auth_header(project["key"]))
    again = send(client, project, body, auth_header(project["key"]))
    assert first.get_json() == again.get_json() and again.status_code == 200
    assert stored(session) == 1


def test_store_endpoint_takes_json_and_the_old_base64_zlib_body(client, project, session):
    event = {**PYTHON_EVENT, "event_id": uuid.uuid4().hex}
    plain = send(
        client,
        project,
        json.dumps(event).encode(),
        {**auth_header(project["key"]), "Content-Type": "application/json"},
        "store",
    )
    assert plain.get_json() == {"id": event["event_id"]}
    old = {**PYTHON_EVENT, "event_id": uuid.uuid4().hex}
    packed = base64.b64encode(zlib.compress(json.dumps(old).encode()))
    assert send(client, project, packed, auth_header(project["key"]), "store").status_code == 200
    assert stored(session) == 2


def test_do_not_track_stores_nothing(client, project, session):
    for header in ({"DNT": "1"}, {"Sec-GPC": "1"}):
        response = send(
            client, project, envelope(event_item()), {**auth_header(project["key"]), **header}
        )
        assert (response.status_code, response.get_json()) == (200, {})
    assert stored(session) == 0


def test_items_that_are_not_events_are_counted_per_category(client, project, session):
    body = envelope(
        ({"type": "transaction"}, b'{"type":"transaction"}'),
        ({"type": "client_report"}, b"{}"),
        ({"type": "replay_recording", "length": 3}, b"a\nb"),
        ({"type": "statsd"}, b"x:1|c"),
        ({"type": "event"}, b"{broken"),
        event_item(),
    )
    response = send(client, project, body, auth_header(project["key"]))
    assert response.status_code == 200 and "id" in response.get_json()
    assert dropped(session) == {
        ("transaction", "unsupported"): 1,
        ("client_report", "unsupported"): 1,
        ("replay", "unsupported"): 1,
        ("unknown", "unsupported"): 1,
        ("error", "malformed"): 1,
    }
    assert stored(session) == 1


def test_noise_is_filtered_and_counted(client, project, session):
    noise = event_item(
        platform="javascript", exception={"values": [{"type": "Error", "value": "Script error."}]}
    )
    response = send(client, project, envelope(noise), auth_header(project["key"]))
    assert response.status_code == 200
    assert dropped(session) == {("error", "filtered"): 1} and stored(session) == 0


def test_events_go_to_the_dsns_project_whatever_page_they_came_from(client, project, session):
    item = event_item(request={"url": "https://some-other-site.example/checkout?x=1"})
    assert send(client, project, envelope(item), auth_header(project["key"])).status_code == 200
    [(project_id, path)] = session.execute(select(ExceptionEvent.project_id, ExceptionEvent.path))
    assert (project_id, path) == (project["id"], "/checkout")
    assert session.scalar(select(func.count()).select_from(Project)) == 1


raw_bodies = st.one_of(
    st.binary(max_size=600),
    st.lists(
        st.one_of(
            st.sampled_from(
                [b"{}", b'{"type":"event"}', b'{"type":"event","length":5}', b"", b"\n"]
            ),
            st.binary(max_size=40),
            st.builds(
                lambda e: json.dumps(e).encode(),
                st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3),
            ),
        ),
        max_size=8,
    ).map(b"\n".join),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw_bodies,
    st.sampled_from([None, "gzip", "br", "zstd", "deflate"]),
    st.booleans(),
    st.booleans(),
)
def test_hostile_bodies_never_get_a_5xx_or_a_partial_write(
    client, project, session, body, encoding, compress, store
):
    headers = auth_header(project["key"])
    if encoding:
        headers["Content-Encoding"] = encoding
        body = ENCODE[encoding](body) if compress else body
    before = stored(session)
    response = send(client, project, body, headers, "store" if store else "envelope")
    assert response.status_code in (200, 400, 413), response.data
    session.rollback()
    if response.status_code != 200:
        assert stored(session) == before  # refused as a whole: nothing of it is kept


def test_dropped_counts_per_category_and_reason_through_the_api(client, auth, project):
    key = auth_header(project["key"])
    sessions = envelope(({"type": "session"}, b"{}"), ({"type": "session"}, b"{}"))
    assert send(client, project, sessions, key).status_code == 200
    assert send(client, project, envelope(({"type": "profile"}, b"{}")), key).status_code == 200
    answer = client.get(f"/api/v1/projects/{project['id']}/dropped?days=7", headers=auth)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["items"] == [
        {"category": "session", "reason": "unsupported", "count": 2},
        {"category": "profile", "reason": "unsupported", "count": 1},
    ]
    assert len(body["since"]) == 10
    bad = client.get(f"/api/v1/projects/{project['id']}/dropped?days=0", headers=auth)
    assert bad.status_code == 400 and "error" in bad.get_json()
    assert client.get("/api/v1/projects/999/dropped", headers=auth).status_code == 404
    assert client.get(f"/api/v1/projects/{project['id']}/dropped").status_code == 401


def test_sdk_fields_environment_filter_and_breakdown_in_the_group_api(client, auth, project):
    key = auth_header(project["key"])
    for environment in ("production", "staging", "staging"):
        item = event_item(environment=environment, tags={"checkout_step": "payment"})
        assert send(client, project, envelope(item), key).status_code == 200
    [group] = client.get("/api/v1/groups", headers=auth).get_json()["items"]
    assert (group["platform"], group["environment"], group["count"]) == ("python", "staging", 3)
    staging = client.get("/api/v1/groups?environment=staging", headers=auth).get_json()
    assert [g["id"] for g in staging["items"]] == [group["id"]]
    assert client.get("/api/v1/groups?environment=qa", headers=auth).get_json()["items"] == []
    detail = client.get(f"/api/v1/groups/{group['id']}", headers=auth).get_json()
    assert detail["breakdowns"]["environment"] == [
        {"value": "staging", "count": 2},
        {"value": "production", "count": 1},
    ]
    event = detail["latest_event"]
    assert event["sdk"] == {"name": PYTHON_EVENT["sdk"]["name"], "version": "2.75.0"}
    assert (event["platform"], event["level"], event["environment"]) == (
        "python",
        "error",
        "staging",
    )
    assert event["tags"] == {"checkout_step": "payment"}
    assert event["contexts"]["runtime"]["name"] == "CPython"
    raised = event["chain"][-1]
    assert raised["type"] == PYTHON_EVENT["exception"]["values"][-1]["type"]
    assert raised["frames"][0]["in_app"] is True and "context_line" in raised["frames"][0]
    assert all("vars" not in frame for frame in raised["frames"])
