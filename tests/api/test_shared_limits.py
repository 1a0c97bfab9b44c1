"""Two real `faultline serve` processes on one Redis share every limit: requests alternating
between them reach the 429 at the count one process alone would, with Retry-After. Tracking
(hits, exceptions and the pixel share one bucket per address), sign-in failures per address
and per account, and API calls that fail authentication."""

import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime
from http.cookies import SimpleCookie

import pytest

from app.store.hits import create_pixel
from app.store.projects import create_project
from tests.conftest import CHROME_UA, payload
from tests.served import served
from tests.signin import make_user

TRACKING_PER_MINUTE = 6
UNAUTHENTICATED_PER_MINUTE = 4
FAILURES_PER_ADDRESS = 5
FAILURES_PER_ACCOUNT = 3
ACCOUNT = "ada@example.org"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def send(url: str, data: bytes | None = None, **headers: str) -> tuple[int, dict, str]:
    """One request from a client at `headers["X-Forwarded-For"]`: status, headers, body."""
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")


@pytest.fixture
def servers(app, config, tmp_path, redis_url):
    """Two serving processes with one config and one Redis, and a pixel to load.

    A fresh secret keeps this test's limit keys apart from other runs on the same Redis."""
    make_user(app, ACCOUNT, is_admin=True)
    with app.extensions["faultline.sessionmaker"]() as db:
        project = create_project(db, "shop")
        pixel = create_pixel(db, project.id, "newsletter", "pixel", {}, datetime.now(UTC))
        db.commit()
        pixel_path = f"/track/gif/{pixel.id}.gif"
    config["secret_key"] = "shared-" + uuid.uuid4().hex * 2
    config["web"]["trust_proxy"] = True
    config["ratelimit"].update(
        storage_url=redis_url,
        tracking_per_minute=TRACKING_PER_MINUTE,
        tracking_burst=1000,
        unauthenticated_per_minute=UNAUTHENTICATED_PER_MINUTE,
        login_failures_per_minute=FAILURES_PER_ADDRESS,
        login_failures_per_account_per_hour=FAILURES_PER_ACCOUNT,
    )
    with ExitStack() as stack:
        bases = []
        for name in ("first", "second"):
            folder = tmp_path / name
            folder.mkdir()
            bases.append(stack.enter_context(served(config, folder))[0])
        yield bases, pixel_path


def alternate(bases: list[str], count: int) -> list[str]:
    """The servers in turn: first, second, first, ..."""
    return [bases[i % 2] for i in range(count)]


def assert_refused_from(statuses: list[int], allowed: int, ok: int) -> None:
    """The first `allowed` requests pass, every later one is refused."""
    assert statuses == [ok] * allowed + [429] * (len(statuses) - allowed)


def retry_after(headers: dict, window: int) -> int:
    seconds = int(headers["Retry-After"])
    assert 1 <= seconds <= window
    return seconds


def test_tracking_is_one_bucket_across_processes(servers):
    bases, pixel_path = servers
    address = {"X-Forwarded-For": "198.51.100.7", "User-Agent": CHROME_UA}
    text = {"Content-Type": "text/plain", **address}
    hit = json.dumps(payload("hit_load")).encode()
    report = json.dumps(payload("stackless")).encode()
    # (path, body, headers, status when allowed): the pixel answers its GIF, the others 204.
    kinds = [
        (pixel_path, None, address, 200),
        ("/track/hit", hit, text, 204),
        ("/track/exception", report, text, 204),
    ]
    sent = list(zip(alternate(bases, TRACKING_PER_MINUTE + 3), kinds * 3, strict=True))
    answers = [send(base + path, data, **headers) for base, (path, data, headers, _) in sent]
    allowed = [ok for _, (*_, ok) in sent[:TRACKING_PER_MINUTE]]
    assert [status for status, _, _ in answers] == [*allowed, 429, 429, 429]
    for _, headers, _ in answers[TRACKING_PER_MINUTE:]:
        retry_after(headers, 60)
    # Another address still has its own allowance, on either server.
    other = {**text, "X-Forwarded-For": "198.51.100.8"}
    assert [send(base + "/track/hit", hit, **other)[0] for base in bases] == [204, 204]


def test_failed_authentication_is_counted_once_across_processes(servers):
    bases, _ = servers
    bad = {"Authorization": "Bearer flt_not-a-token", "X-Forwarded-For": "198.51.100.9"}
    answers = [
        send(base + "/api/v1/groups", **bad)
        for base in alternate(bases, UNAUTHENTICATED_PER_MINUTE + 2)
    ]
    assert_refused_from([status for status, _, _ in answers], UNAUTHENTICATED_PER_MINUTE, 401)
    for _, headers, body in answers[UNAUTHENTICATED_PER_MINUTE:]:
        assert json.loads(body)["error"]["code"] == "too_many_requests"
        retry_after(headers, 60)


def fail_sign_in(base: str, email: str, address: str) -> tuple[int, dict]:
    """Open the sign-in page and post a wrong password, from `address`."""
    status, headers, page = send(base + "/login", **{"X-Forwarded-For": address})
    assert status == 200
    cookie = SimpleCookie(headers["Set-Cookie"])
    form = {
        "email": email,
        "password": "not the password at all",
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
    }
    status, headers, _ = send(
        base + "/login",
        urllib.parse.urlencode(form).encode(),
        **{
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"faultline_login={cookie['faultline_login'].value}",
            "X-Forwarded-For": address,
        },
    )
    return status, headers


def test_sign_in_failures_from_one_address_add_up_across_processes(servers):
    bases, _ = servers
    # A different account each time: only the per-address limit is in play.
    answers = [
        fail_sign_in(base, f"guess{i}@example.org", "198.51.100.10")
        for i, base in enumerate(alternate(bases, FAILURES_PER_ADDRESS + 2))
    ]
    assert_refused_from([status for status, _ in answers], FAILURES_PER_ADDRESS, 401)
    for _, headers in answers[FAILURES_PER_ADDRESS:]:
        retry_after(headers, 60)


def test_sign_in_failures_for_one_account_add_up_across_processes(servers):
    bases, _ = servers
    # A new address each time, as a spread-out guesser has: only the account limit is in play.
    answers = [
        fail_sign_in(base, ACCOUNT, f"198.51.100.{20 + i}")
        for i, base in enumerate(alternate(bases, FAILURES_PER_ACCOUNT + 2))
    ]
    assert_refused_from([status for status, _ in answers], FAILURES_PER_ACCOUNT, 401)
    for _, headers in answers[FAILURES_PER_ACCOUNT:]:
        retry_after(headers, 3600)
    # Another account is not locked out by it.
    assert fail_sign_in(bases[1], "grace@example.org", "198.51.100.40")[0] == 401
