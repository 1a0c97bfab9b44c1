"""The protected API for Sentry SDK users: key rotation, dropped counts, the environment filter
and breakdown, and an SDK event's fields beside a tracker report's."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from app.core.fingerprint import FINGERPRINT_VERSION
from app.core.pipeline import ExceptionRecord, new_event_id
from app.models import DroppedItem
from tests.conftest import payload, post_exception
from tests.signin import csrf_header, make_user, sign_in

FRAME = {
    "function": "checkout",
    "filename": "shop/pricing.py",
    "abs_path": "/srv/shop/pricing.py",
    "module": "shop.pricing",
    "lineno": 42,
    "colno": None,
    "in_app": True,
    "context_line": "    raise ValueError(f'bad price {price}')",
    "pre_context": ["def checkout(price):", "    if price < 0:"],
    "post_context": ["", "def refund(order):"],
}
# Causes first, the raised one last: what ingest stores and the group page shows.
CHAIN = [
    {
        "type": "KeyError",
        "value": "'price'",
        "module": None,
        "mechanism": {"type": "chained", "handled": True},
        "frames": [{**FRAME, "lineno": 40, "context_line": "    price = row['price']"}],
    },
    {
        "type": "ValueError",
        "value": "bad price -1",
        "module": None,
        "mechanism": {"type": "flask", "handled": False},
        "frames": [FRAME],
    },
]
SDK_FIELDS = {
    "platform": "python",
    "environment": "production",
    "level": "error",
    "logger": "shop.pricing",
    "transaction": "/checkout",
    "url": "https://shop.example/checkout",
    "sdk_name": "sentry.python.flask",
    "sdk_version": "2.75.0",
    "tags": {"checkout_step": "payment"},
    "contexts": {"runtime": {"name": "CPython", "version": "3.12.7"}},
    "chain": CHAIN,
}


@pytest.fixture
def project(client, auth):
    """A project made through the API."""
    response = client.post("/api/v1/projects", json={"name": "shop-api"}, headers=auth)
    assert response.status_code == 201
    return response.get_json()


def sdk_record(project_id: int, exc_type: str = "ValueError", **changes) -> ExceptionRecord:
    """An SDK event as ingest hands it to the store, grouped by its type alone."""
    fields = {
        "event_id": new_event_id(),
        "received_at": datetime.now(UTC),
        "source_key": f"sdk://{project_id}",
        "source_kind": "app",
        "project_id": project_id,
        "path": "/checkout",
        "exc_type": exc_type,
        "message": "bad price -1",
        "stack": None,
        "frames": [{key: FRAME[key] for key in ("function", "filename", "lineno", "colno")}],
        "handled": False,
        "release": "shop@2.4.1",
        "browser": "",
        "browser_version": "",
        "os": "Linux",
        "device": "",
        "beacon": None,
        "session_id": None,
        "extra": {},
        "fingerprint": hashlib.sha256(exc_type.encode()).hexdigest(),
        "fingerprint_version": FINGERPRINT_VERSION,
        "fingerprint_basis": [f"type:{exc_type}", "frame:shop.pricing:checkout"],
        "fingerprint_override": None,
        "title": f"{exc_type}: bad price -1",
        "culprit": "shop.pricing in checkout",
        **SDK_FIELDS,
    }
    return ExceptionRecord(**(fields | changes))


def store(app, record: ExceptionRecord) -> None:
    """Write a record through the app's writer, as ingest does."""
    assert app.extensions["faultline.writer"].write(record) is True


def key_of(project: dict) -> str:
    """The public key inside a project's DSN."""
    return project["dsn"].split("//", 1)[1].split("@", 1)[0]


def list_groups(client, auth, **params) -> dict:
    """GET /api/v1/groups; asserts a 200."""
    response = client.get("/api/v1/groups", query_string=params, headers=auth)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def group_of(client, auth, exc_type: str) -> dict:
    """The listed group of an exception type."""
    [group] = [g for g in list_groups(client, auth)["items"] if g["type"] == exc_type]
    return group


def test_rotate_key_gives_a_new_key_and_dsn(client, auth, project):
    rotated = client.post(f"/api/v1/projects/{project['id']}/rotate-key", headers=auth)
    assert rotated.status_code == 200
    body = rotated.get_json()
    assert (body["id"], body["name"], body["created_at"]) == (
        project["id"],
        project["name"],
        project["created_at"],
    )
    assert body["dsn"] != project["dsn"] and key_of(body) != key_of(project)
    assert len(key_of(body)) == 32 and set(key_of(body)) <= set("0123456789abcdef")
    assert body["dsn"].replace(key_of(body), key_of(project)) == project["dsn"]
    shown = client.get(f"/api/v1/projects/{project['id']}", headers=auth).get_json()
    assert shown["dsn"] == body["dsn"]  # committed, not only answered
    again = client.post(f"/api/v1/projects/{project['id']}/rotate-key", headers=auth)
    assert key_of(again.get_json()) not in (key_of(body), key_of(project))


def test_rotate_key_of_an_unknown_or_deleted_project_is_404(client, auth, project):
    unknown = client.post("/api/v1/projects/999999/rotate-key", headers=auth)
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["code"] == "not_found"
    assert client.delete(f"/api/v1/projects/{project['id']}", headers=auth).status_code == 204
    deleted = client.post(f"/api/v1/projects/{project['id']}/rotate-key", headers=auth)
    assert deleted.status_code == 404


def test_rotate_key_needs_a_token_or_a_session_with_its_csrf_token(app, client, project):
    path = f"/api/v1/projects/{project['id']}/rotate-key"
    assert client.post(path).status_code == 401
    make_user(app, "dev@example.org")  # not an administrator: any user manages projects
    assert sign_in(client, "dev@example.org").status_code in (302, 303)
    forged = client.post(path)
    assert forged.status_code == 403 and forged.get_json()["error"]["code"] == "csrf"
    answered = client.post(path, headers=csrf_header(client))
    assert answered.status_code == 200 and answered.get_json()["dsn"] != project["dsn"]


def test_dropped_counts_are_summed_from_since_and_sorted(client, auth, project, session):
    other = client.post("/api/v1/projects", json={"name": "other"}, headers=auth).get_json()
    today = datetime.now(UTC).date()
    for project_id, days_ago, category, reason, count in [
        (project["id"], 0, "session", "unsupported", 5),
        (project["id"], 0, "error", "filtered", 2),
        (project["id"], 3, "error", "filtered", 3),
        (project["id"], 6, "transaction", "unsupported", 1),
        (project["id"], 7, "profile", "unsupported", 4),
        (project["id"], 29, "attachment", "too_large", 7),
        (project["id"], 30, "replay", "unsupported", 99),  # a day before the 30 days
        (other["id"], 0, "error", "filtered", 50),
    ]:
        day = today - timedelta(days=days_ago)
        session.add(
            DroppedItem(
                project_id=project_id, day=day, category=category, reason=reason, count=count
            )
        )
    session.commit()
    path = f"/api/v1/projects/{project['id']}/dropped"

    month = client.get(path, headers=auth).get_json()  # 30 days unless asked
    assert month["since"] == (today - timedelta(days=29)).isoformat()
    assert month["items"] == [
        {"category": "attachment", "reason": "too_large", "count": 7},
        # Equal counts: by category, then reason.
        {"category": "error", "reason": "filtered", "count": 5},
        {"category": "session", "reason": "unsupported", "count": 5},
        {"category": "profile", "reason": "unsupported", "count": 4},
        {"category": "transaction", "reason": "unsupported", "count": 1},
    ]
    week = client.get(path, query_string={"days": 7}, headers=auth).get_json()
    assert week["since"] == (today - timedelta(days=6)).isoformat()
    assert [(i["category"], i["count"]) for i in week["items"]] == [
        ("error", 5),
        ("session", 5),
        ("transaction", 1),
    ]
    day = client.get(path, query_string={"days": 1}, headers=auth).get_json()
    assert day["since"] == today.isoformat() and sum(i["count"] for i in day["items"]) == 7


def test_dropped_of_a_project_without_any_is_an_empty_list(client, auth, project):
    body = client.get(f"/api/v1/projects/{project['id']}/dropped", headers=auth).get_json()
    assert body["items"] == [] and len(body["since"]) == 10


@pytest.mark.parametrize("query", ["days=0", "days=366", "days=-1", "days=x", "days=", "day=7"])
def test_dropped_rejects_bad_query_strings_as_json(client, auth, project, query):
    response = client.get(f"/api/v1/projects/{project['id']}/dropped?{query}", headers=auth)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid"


def test_dropped_of_an_unknown_or_deleted_project_is_404_and_needs_auth(client, auth, project):
    path = f"/api/v1/projects/{project['id']}/dropped"
    assert client.get(path).status_code == 401
    assert client.get(path, query_string={"days": 365}, headers=auth).status_code == 200
    assert client.get("/api/v1/projects/999999/dropped", headers=auth).status_code == 404
    assert client.delete(f"/api/v1/projects/{project['id']}", headers=auth).status_code == 204
    assert client.get(path, headers=auth).status_code == 404


def test_groups_filter_by_environment_and_show_environment_and_platform(app, client, auth, project):
    store(app, sdk_record(project["id"], environment="production"))
    store(app, sdk_record(project["id"], environment="staging"))
    store(app, sdk_record(project["id"], "TypeError", environment="production", platform="node"))
    assert post_exception(client, payload("chrome_typeerror")).status_code == 204

    def types(**params) -> list[str]:
        return sorted(g["type"] for g in list_groups(client, auth, **params)["items"])

    assert types() == ["TypeError", "TypeError", "ValueError"]  # the tracker's and the SDK's
    assert types(environment="staging") == ["ValueError"]
    assert types(environment="production") == ["TypeError", "ValueError"]
    assert types(environment="production", project=project["id"]) == ["TypeError", "ValueError"]
    assert types(environment="qa") == []
    # The inbox tabs count under the same filter.
    assert list_groups(client, auth, environment="staging")["counts"]["unresolved"] == 1
    value_error = group_of(client, auth, "ValueError")
    assert (value_error["environment"], value_error["platform"]) == ("staging", "python")
    [tracker] = [g for g in list_groups(client, auth)["items"] if g["project"] != project["id"]]
    assert (tracker["environment"], tracker["platform"]) == (None, None)


def test_an_overlong_environment_filter_is_a_400(client, auth):
    response = client.get("/api/v1/groups", query_string={"environment": "e" * 65}, headers=auth)
    assert response.status_code == 400 and "environment" in response.get_json()["error"]["fields"]


def test_the_group_page_breaks_down_by_environment_leaving_out_none(app, client, auth, project):
    store(app, sdk_record(project["id"], environment=None))
    for environment in ("staging", "production", "production"):
        store(app, sdk_record(project["id"], environment=environment))
    assert post_exception(client, payload("chrome_typeerror")).status_code == 204
    group = group_of(client, auth, "ValueError")
    detail = client.get(f"/api/v1/groups/{group['id']}", headers=auth).get_json()
    assert detail["breakdowns"]["environment"] == [
        {"value": "production", "count": 2},
        {"value": "staging", "count": 1},
    ]
    assert detail["breakdowns"]["release"] == [{"value": "shop@2.4.1", "count": 4}]
    tracker = group_of(client, auth, "TypeError")
    tracker_detail = client.get(f"/api/v1/groups/{tracker['id']}", headers=auth).get_json()
    assert tracker_detail["breakdowns"]["environment"] == []
    assert [row["value"] for row in tracker_detail["breakdowns"]["browser"]] == ["Chrome"]


def test_an_sdk_event_shows_its_fields_and_chain(app, client, auth, project):
    store(app, sdk_record(project["id"]))
    group = group_of(client, auth, "ValueError")
    detail = client.get(f"/api/v1/groups/{group['id']}", headers=auth).get_json()
    [listed] = client.get(f"/api/v1/groups/{group['id']}/events", headers=auth).json["items"]
    for event in (detail["latest_event"], listed):
        assert {key: event[key] for key in ("platform", "environment", "level", "logger")} == {
            "platform": "python",
            "environment": "production",
            "level": "error",
            "logger": "shop.pricing",
        }
        assert (event["transaction"], event["url"]) == (
            "/checkout",
            "https://shop.example/checkout",
        )
        assert event["sdk"] == {"name": "sentry.python.flask", "version": "2.75.0"}
        assert event["tags"] == {"checkout_step": "payment"}
        assert event["contexts"] == {"runtime": {"name": "CPython", "version": "3.12.7"}}
        assert event["chain"] == CHAIN
        assert [entry["type"] for entry in event["chain"]] == ["KeyError", "ValueError"]
        assert "transaction_name" not in event and "sdk_name" not in event


@pytest.mark.parametrize(
    ("name", "version", "sdk"),
    [
        ("sentry.javascript.node", None, {"name": "sentry.javascript.node", "version": None}),
        (None, "11.12.0", {"name": None, "version": "11.12.0"}),
        (None, None, None),
    ],
)
def test_the_sdk_is_null_only_without_name_and_version(
    app, client, auth, project, name, version, sdk
):
    store(app, sdk_record(project["id"], sdk_name=name, sdk_version=version))
    group = group_of(client, auth, "ValueError")
    [event] = client.get(f"/api/v1/groups/{group['id']}/events", headers=auth).json["items"]
    assert event["sdk"] == sdk


def test_a_tracker_report_has_null_sdk_fields(client, auth):
    assert post_exception(client, payload("chrome_typeerror")).status_code == 204
    [group] = list_groups(client, auth)["items"]
    detail = client.get(f"/api/v1/groups/{group['id']}", headers=auth).get_json()
    event = detail["latest_event"]
    sdk_keys = ("platform", "environment", "level", "logger", "transaction", "url")
    assert {key: event[key] for key in sdk_keys} == dict.fromkeys(sdk_keys)
    assert (event["sdk"], event["tags"], event["contexts"], event["chain"]) == (None,) * 4
    assert event["browser"] == "Chrome" and event["frames"][0]["in_app"] is True


def test_the_openapi_document_describes_the_sdk_parts(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    rotate = paths["/api/v1/projects/{project_id}/rotate-key"]["post"]["responses"]
    assert rotate["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Project")
    assert "404" in rotate
    dropped = paths["/api/v1/projects/{project_id}/dropped"]["get"]
    [days] = [p for p in dropped["parameters"] if p["name"] == "days"]
    assert days["schema"] | {"minimum": 1, "maximum": 365, "default": 30} == days["schema"]
    listed = paths["/api/v1/groups"]["get"]["parameters"]
    assert "environment" in {p["name"] for p in listed}
    schemas = document["components"]["schemas"]
    assert {"environment", "platform"} <= set(schemas["Group"]["properties"])
    event = schemas["Event"]["properties"]
    assert {"transaction", "sdk", "tags", "contexts", "chain", "level", "url"} <= set(event)
    frame = event["chain"]["items"]["properties"]["frames"]["items"]["properties"]
    assert {"context_line", "pre_context", "post_context", "abs_path"} <= set(frame)
