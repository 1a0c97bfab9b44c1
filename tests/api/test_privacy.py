"""Privacy as a test: known personal data goes in, and none of it is found in any table or log."""

import http.cookiejar
import json
import logging
import re
import urllib.parse
import urllib.request

from sqlalchemy import text

from app.db import make_engine
from app.models import Base
from app.store.projects import create_project
from tests.conftest import payload, post_exception, post_hit
from tests.served import served
from tests.signin import PASSWORD, csrf_header, make_user, sign_in

KNOWN_IP = "203.0.113.77"
KNOWN_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15 FaultlineProbe/7.7"
)
EMAIL = "privacy.probe@example.org"
TOKEN = "Bearer sk_live_51HprivacyProbeToken0123456789"
QUERY = "session_token=qs-probe-4242"
KNOWN_LANGUAGE = "sv-FI-x-probelang,sv;q=0.9,en;q=0.5"
REFERRER_PATH = "/threads/ref-path-probe"


def personal_report() -> dict:
    """A report carrying every kind of personal data we promise never to keep."""
    body = payload("chrome_typeerror")
    body["u"] = f"https://shop.example.com/account/?{QUERY}&email={EMAIL}#frag-probe"
    body["m"] = f"Failed for {EMAIL}; Authorization: {TOKEN}"
    body["s"] = body["s"].replace("app.3f9a2c1e.js", f"app.3f9a2c1e.js?{QUERY}", 1)
    body["d"] = {"user": EMAIL, "auth": TOKEN, "next": f"/cart?{QUERY}"}
    return body


def personal_hit() -> dict:
    """A page load whose URL and referrer carry a query string, a fragment and a path."""
    body = payload("hit_load")
    body["u"] = f"https://shop.example.com/account/?{QUERY}&utm_source=mail#frag-probe"
    body["r"] = f"https://forum.example.net{REFERRER_PATH}?{QUERY}"
    return body


FORBIDDEN = [
    "probelang",
    "sv-FI",
    "ref-path-probe",
    KNOWN_IP,
    "FaultlineProbe",
    KNOWN_UA,
    EMAIL,
    "sk_live_51HprivacyProbeToken",
    "qs-probe-4242",
    "frag-probe",
]


def dump_database(engine) -> str:
    """Every row of every table as text."""
    parts = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(text(f"SELECT * FROM {table.name}")):
                parts.append(json.dumps([str(value) for value in row]))
    return "\n".join(parts)


def assert_clean(haystack: str) -> None:
    """None of the probes appear."""
    for needle in FORBIDDEN:
        assert needle not in haystack, needle


def test_nothing_personal_is_stored_or_logged_in_process(make_app, caplog):
    caplog.set_level(logging.DEBUG)
    app = make_app(web__trust_proxy=True, ratelimit__tracking_burst=2)
    client = app.test_client()
    headers = {"User-Agent": KNOWN_UA, "X-Forwarded-For": f"198.51.100.1, {KNOWN_IP}"}
    statuses = [  # the last ones break the burst limit
        post_exception(client, personal_report(), headers=headers).status_code for _ in range(4)
    ]
    assert statuses == [204, 204, 429, 429]
    response = client.post(
        "/track/exception",
        data="{broken",
        content_type="text/plain",
        headers=headers,
        environ_base={"REMOTE_ADDR": KNOWN_IP},
    )
    assert response.status_code in (400, 429)
    assert_clean(dump_database(app.extensions["faultline.engine"]))
    assert_clean(caplog.text)


def test_hits_keep_nothing_personal_in_process(make_app, caplog):
    caplog.set_level(logging.DEBUG)
    app = make_app(web__trust_proxy=True)
    client = app.test_client()
    headers = {
        "User-Agent": KNOWN_UA,
        "Accept-Language": KNOWN_LANGUAGE,
        "X-Forwarded-For": f"198.51.100.1, {KNOWN_IP}",
    }
    for body in (personal_hit(), payload("hit_unload", u=personal_hit()["u"])):
        assert post_hit(client, body, headers=headers).status_code == 204
    assert post_hit(client, "{broken", headers=headers).status_code == 400
    stored = dump_database(app.extensions["faultline.engine"])
    assert "forum.example.net" in stored and "mail" in stored  # host and UTM tag are kept
    assert "sv" in stored  # the base language is kept
    assert_clean(stored)
    assert_clean(caplog.text)


def send(base: str, path: str, body: bytes, **headers: str) -> int:
    """POST a body from the probe client (known address and User-Agent); the status."""
    headers = {"User-Agent": KNOWN_UA, "X-Forwarded-For": KNOWN_IP, **headers}
    request = urllib.request.Request(base + path, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_nothing_personal_is_stored_or_logged_by_the_server(config, make_app, tmp_path):
    config["web"]["trust_proxy"] = True
    text = {"Content-Type": "text/plain"}
    with served(config, tmp_path) as (base, log_path, _process):
        report = json.dumps(personal_report()).encode()
        assert send(base, "/track/exception", report, **text) == 204
        hit = json.dumps(personal_hit()).encode()
        language = {"Accept-Language": KNOWN_LANGUAGE}
        assert send(base, "/track/hit", hit, **text, **language) == 204
        assert send(base, "/track/exception", b"{oops", **text) == 400
    engine = make_engine(config["database"]["url"])
    try:
        stored = dump_database(engine)
    finally:
        engine.dispose()
    assert "shop.example.com" in stored  # the report itself was stored
    assert "forum.example.net" in stored  # and the hit
    assert_clean(stored)
    assert_clean(log_path.read_text())


SENTRY_PROBES = {
    "username": "probe-username-jq",
    "cookie": "probe-cookie-7781",
    "body": "probe-body-card-holder",
    "server": "probe-host-db-17",
    "crumb": "probe-breadcrumb-data",
    "local": "probe-local-secret-55",
}


def personal_sentry_envelope(public_key: str) -> bytes:
    """A sentry-sdk style envelope carrying each kind of personal data an SDK can attach."""
    event = {
        "event_id": "5f0c9d3a2b1e4c7d8e9f0a1b2c3d4e5f",
        "platform": "python",
        "level": "error",
        "server_name": SENTRY_PROBES["server"],
        "user": {
            "ip_address": KNOWN_IP,
            "email": EMAIL,
            "username": SENTRY_PROBES["username"],
            "id": "{{auto}}",
        },
        "request": {
            "url": f"https://shop.example.com/account/?{QUERY}#frag-probe",
            "query_string": QUERY,
            "cookies": {"session": SENTRY_PROBES["cookie"]},
            "headers": {"User-Agent": KNOWN_UA, "Authorization": TOKEN, "X-Real-Ip": KNOWN_IP},
            "data": {"holder": SENTRY_PROBES["body"]},
            "env": {"REMOTE_ADDR": KNOWN_IP},
        },
        "breadcrumbs": {"values": [{"message": "login", "data": {"who": SENTRY_PROBES["crumb"]}}]},
        "tags": {"customer": EMAIL, "auth_token": TOKEN},
        "extra": {"note": f"call {EMAIL} with {TOKEN}", "nested": {"next": f"/cart?{QUERY}"}},
        "contexts": {
            "os": {"name": "Linux", "version": EMAIL},
            "device": {"model": "iPhone14,2", "name": SENTRY_PROBES["server"]},
            "culture": {"locale": "sv-FI"},
        },
        "exception": {
            "values": [
                {
                    "type": "PaymentDeclined",
                    "value": f"declined for {EMAIL}, {TOKEN}",
                    "stacktrace": {
                        "frames": [
                            {
                                "filename": "shop/billing.py",
                                "module": "shop.billing",
                                "function": "charge",
                                "lineno": 12,
                                "context_line": f'    api_key = "{SENTRY_PROBES["local"]}"',
                                "pre_context": [f"    # mail {EMAIL}"],
                                "post_context": [f'    fetch("/x?{QUERY}")'],
                                "vars": {"secret": SENTRY_PROBES["local"], "who": EMAIL},
                                "in_app": True,
                            }
                        ]
                    },
                }
            ]
        },
    }
    payload_bytes = json.dumps(event).encode()
    header = {"event_id": event["event_id"], "dsn": f"http://{public_key}@localhost/1"}
    item = {"type": "event", "length": len(payload_bytes)}
    return b"\n".join([json.dumps(header).encode(), json.dumps(item).encode(), payload_bytes])


def test_sentry_events_keep_nothing_personal_in_process(make_app, caplog):
    caplog.set_level(logging.DEBUG)
    app = make_app(web__trust_proxy=True)
    with app.extensions["faultline.sessionmaker"]() as session:
        project = create_project(session, "sdk")
        session.commit()
        project_id, key = project.id, project.public_key
    client = app.test_client()
    headers = {
        "User-Agent": KNOWN_UA,
        "X-Forwarded-For": KNOWN_IP,
        "X-Sentry-Auth": f"Sentry sentry_key={key}, sentry_version=7",
        "Content-Type": "application/x-sentry-envelope",
    }
    body = personal_sentry_envelope(key)
    response = client.post(f"/api/{project_id}/envelope/", data=body, headers=headers)
    assert response.status_code == 200, response.data
    broken = client.post(
        f"/api/{project_id}/envelope/", data=b"{oops " + EMAIL.encode(), headers=headers
    )
    assert broken.status_code == 400
    stored = dump_database(app.extensions["faultline.engine"])
    assert "PaymentDeclined" in stored and "shop.billing" in stored  # the event was stored
    assert "iPhone14,2" in stored  # and what describes the software
    assert_clean(stored)
    assert_clean(caplog.text)
    for probe in SENTRY_PROBES.values():
        assert probe not in stored and probe not in caplog.text, probe


SIGNIN_EMAIL = "audit.probe@example.org"


def audited_actions(engine) -> list[str]:
    """The actions of the audit log, oldest first."""
    with engine.connect() as conn:
        return [
            row[0] for row in conn.execute(text("SELECT action FROM audit_entries ORDER BY id"))
        ]


def test_sign_ins_and_triage_keep_no_address_in_process(make_app, caplog):
    caplog.set_level(logging.DEBUG)
    app = make_app(web__trust_proxy=True)
    make_user(app, SIGNIN_EMAIL, is_admin=True)
    client = app.test_client()
    client.environ_base.update(
        REMOTE_ADDR=KNOWN_IP, HTTP_X_FORWARDED_FOR=f"198.51.100.1, {KNOWN_IP}"
    )
    assert post_exception(client, payload("stackless")).status_code == 204
    assert sign_in(client, SIGNIN_EMAIL, "not the password").status_code == 401
    assert sign_in(client, SIGNIN_EMAIL).status_code == 303
    group_id = client.get("/api/v1/groups").json["items"][0]["id"]
    resolved = client.patch(
        f"/api/v1/groups/{group_id}", json={"status": "resolved"}, headers=csrf_header(client)
    )
    assert resolved.status_code == 200
    engine = app.extensions["faultline.engine"]
    assert audited_actions(engine) == ["signin.failure", "signin.success", "group.resolve"]
    stored = dump_database(engine)
    assert KNOWN_IP not in stored and "198.51.100.1" not in stored
    assert KNOWN_IP not in caplog.text


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


class _Browser:
    """A cookie-keeping HTTP client at KNOWN_IP (as the proxy reports it) that follows no
    redirect."""

    def __init__(self, base: str) -> None:
        self.base = base
        jar = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(jar, _NoRedirect)

    def send(self, method: str, path: str, data: bytes | None = None, **headers) -> tuple:
        headers = {"User-Agent": KNOWN_UA, "X-Forwarded-For": KNOWN_IP, **headers}
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def sign_in(self, email: str, password: str) -> int:
        _, page = self.send("GET", "/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
        form_type = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.send("POST", "/login", form.encode(), **form_type)[0]


def test_sign_ins_and_triage_keep_no_address_on_the_server(config, app, tmp_path):
    config["web"]["trust_proxy"] = True
    make_user(app, SIGNIN_EMAIL, is_admin=True)
    with served(config, tmp_path) as (base, log_path, _process):
        browser = _Browser(base)
        report = json.dumps(payload("stackless")).encode()
        assert send(base, "/track/exception", report, **{"Content-Type": "text/plain"}) == 204
        assert browser.sign_in(SIGNIN_EMAIL, "not the password") == 401
        assert browser.sign_in(SIGNIN_EMAIL, PASSWORD) == 303
        group_id = json.loads(browser.send("GET", "/api/v1/groups")[1])["items"][0]["id"]
        csrf = json.loads(browser.send("GET", "/api/v1/csrf")[1])["token"]
        body = json.dumps({"status": "resolved"}).encode()
        json_type = {"Content-Type": "application/json", "X-CSRF-Token": csrf}
        status, _ = browser.send("PATCH", f"/api/v1/groups/{group_id}", body, **json_type)
        assert status == 200
    engine = make_engine(config["database"]["url"])
    try:
        assert audited_actions(engine) == ["signin.failure", "signin.success", "group.resolve"]
        stored = dump_database(engine)
    finally:
        engine.dispose()
    assert KNOWN_IP not in stored
    assert KNOWN_IP not in log_path.read_text()
