"""What the dashboard's browser tests do alike: send what a tracker sends, sign in, wait for a
view to render, call the API as the signed-in browser, and save screenshots."""

import json
import time
import urllib.request
from pathlib import Path

from tests.signin import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
EMAIL = "dev@example.org"
# A browser's User-Agent: reports without one count as a bot's and are dropped.
CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def track(base: str, path: str, body: dict, user_agent: str = CHROME) -> None:
    """Send a hit or an exception the way the tracker does."""
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "text/plain", "User-Agent": user_agent},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 204


def fill_sign_in(page, email: str = EMAIL, password: str = PASSWORD) -> None:
    """Fill in and submit the sign-in form the page shows."""
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")


def sign_in(page, base: str, email: str = EMAIL) -> None:
    """Open the sign-in page and sign in with the account's password."""
    page.goto(base + "/login")
    fill_sign_in(page, email)


def settled(page) -> None:
    """Wait until the dashboard's view has rendered: no longer busy, and not empty."""
    page.wait_for_function(
        "() => { const v = document.getElementById('view');"
        " return v && !v.hasAttribute('aria-busy') && v.children.length > 0; }"
    )


def api(page, base: str, path: str, method: str = "GET", body=None, params=None):
    """The management API as the signed-in browser calls it (session cookie, CSRF token)."""
    headers = {}
    if method != "GET":
        headers["X-CSRF-Token"] = page.request.get(base + "/api/v1/csrf").json()["token"]
    response = page.request.fetch(
        base + "/api/v1" + path, method=method, headers=headers, data=body, params=params
    )
    assert response.ok, (path, response.status, response.text())
    return response.json()


def wait_for(what: str, probe, seconds: float = 30):
    """What `probe` returns once it is truthy; the test fails saying `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not (found := probe()):
        assert time.monotonic() < deadline, what
        time.sleep(0.2)
    return found


def shot(page, prefix: str, name: str) -> None:
    """Save the whole page as screenshots/{prefix}-{name}.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{prefix}-{name}.png"), full_page=True)
