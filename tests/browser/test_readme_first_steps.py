"""README.md's "First steps", walked the way a newcomer walks them: each shell block pasted as
written into bash at the repository root, the dashboard opened in Debian's Chromium and signed
in to with the account the README had us create. It fails when a step needs something the
README does not say. Screenshots (1400 px wide) land in tests/browser/screenshots/readme-*.png.

Only the config and database are not the reader's: FAULTLINE_CONFIG points at a copy of
config.yaml and FAULTLINE_DATABASE_URL at a SQLite file in a temporary folder.
"""

import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.dashboard import fill_sign_in, shot, track
from tests.served import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
README_PORT = 8080
# A site's release and metadata as long unbroken strings, to see that cells keep them inside.
LONG = "build-" + "0123456789abcdef" * 6


def first_steps() -> str:
    """The text of the README's "First steps" section."""
    text = (ROOT / "README.md").read_text()
    return text.split("\n## First steps\n", 1)[1].split("\n## ", 1)[0]


def shell_blocks(section: str) -> list[str]:
    """Each ```sh block of the section, without the list item's indentation."""
    blocks = re.findall(r"^( *)```sh\n(.*?)^\1```$", section, re.S | re.M)
    return [re.sub(rf"^{indent}", "", body, flags=re.M) for indent, body in blocks]


def port_is_free(port: int) -> bool:
    """Whether nothing listens on this port of 127.0.0.1."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def paste(block: str, env: dict) -> subprocess.CompletedProcess:
    """Run a block as a reader's shell would, stopping at the first failing command."""
    return subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + block],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def reader_env(tmp_path):
    """The reader's environment, with the config and database moved to a temporary folder."""
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    env = {key: value for key, value in os.environ.items() if not key.startswith("FAULTLINE_")}
    env["FAULTLINE_CONFIG"] = str(tmp_path / "config.yaml")
    env["FAULTLINE_DATABASE_URL"] = f"sqlite:///{tmp_path}/faultline.db"
    return env


@pytest.fixture
def viewport():
    """1400 px wide, the width of the README's screenshots."""
    return {"width": 1400, "height": 900}


@pytest.fixture
def page(page):
    """The tab, also recording script errors, failed requests and console errors."""
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and page.problems.append(f"{response.status} {response.url}")
        ),
    )
    page.on(
        "console",
        lambda message: message.type == "error" and page.problems.append(message.text),
    )
    return page


def fitting_shot(page, name: str) -> None:
    """Save the whole page, after checking that nothing on it is wider than the window."""
    assert overflowing(page, "td, dd, .metric-value, .figure") == [], name
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), name
    shot(page, "readme", name)


def text_lines(locator) -> int:
    """How many lines an element's text takes."""
    return locator.evaluate(
        "node => { const r = document.createRange(); r.selectNodeContents(node); "
        "return new Set([...r.getClientRects()].map(rect => rect.top)).size; }"
    )


def overflowing(page, selector: str) -> list[str]:
    """Texts of the elements matching `selector` whose content sticks out of them."""
    return page.eval_on_selector_all(
        selector,
        "nodes => nodes.filter(n => n.scrollWidth > n.clientWidth + 1).map(n => n.textContent)",
    )


@pytest.fixture
def port_8080_turn():
    """Held while the test looks at port 8080 and serves on it: the test command runs the
    SQLite and PostgreSQL suites side by side, and only one of them can have the port."""
    with open(Path(tempfile.gettempdir()) / "faultline-test-port-8080.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def test_the_first_steps_work_when_pasted(reader_env, tmp_path, page, port_8080_turn):
    section = first_steps()
    start, create_user, send_and_read = shell_blocks(section)
    assert start.strip() == "make run"
    account = re.search(
        r"printf '%s\\n' '([^']+)' \| \.venv/bin/faultline user create --email (\S+)", create_user
    )
    assert account, "the README's account step no longer reads as printf ... | user create"
    password, email = account.groups()
    assert f"sign in as `{email}`" in section
    site = re.search(r"Open <(http://127\.0\.0\.1:8080/)>", section).group(1)

    log_path = tmp_path / "make-run.log"
    as_written = port_is_free(README_PORT)
    command = start
    if not as_written:
        # Something else holds 8080 on this machine: `make run`'s own steps (migrate, serve),
        # on a free port, and every later block and address moved to that port.
        port = free_port()
        command = f".venv/bin/faultline migrate && exec .venv/bin/faultline serve --port {port}"
        create_user, send_and_read, site = (
            text.replace(":8080", f":{port}") for text in (create_user, send_and_read, site)
        )
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            ["bash", "-c", command],
            cwd=ROOT,
            env=reader_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = site.rstrip("/")
        # `make run` may first install the virtualenv's packages (bootstrap.sh): a long wait.
        wait_until_up(base, server, log_path, seconds=300)
        walk(page, base, site, email, password, create_user, send_and_read, reader_env)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)  # make, bash and gunicorn: the whole group
            server.wait(timeout=30)
    served_log = log_path.read_text()
    assert "No user yet. Create the first administrator" in served_log
    if as_written:
        assert "Open http://127.0.0.1:8080/ and sign in" in served_log


def walk(page, base, site, email, password, create_user, send_and_read, env) -> None:
    """Steps 3 and 4 of the README with the server up, and what the dashboard shows after each."""
    made = paste(create_user, env)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == f"created administrator {email}"

    # Step 3: open the address and sign in.
    page.goto(site)
    expect(page).to_have_url(base + "/login")
    fill_sign_in(page, email, password)

    # Nothing has reported yet: the overview says what to paste, with a Copy button.
    empty = page.locator(".card.empty")
    expect(empty.get_by_role("heading")).to_have_text("No projects yet")
    expect(empty.locator(".copyable code")).to_have_text(
        f'<script async src="{base}/tracker.js"></script>'
    )
    expect(empty.get_by_role("button", name="Copy")).to_be_visible()
    expect(empty.get_by_role("link", name="Manage", exact=True)).to_have_attribute(
        "href", "#/manage"
    )
    fitting_shot(page, "overview-empty")

    page.locator("#nav").get_by_role("link", name="Exceptions").click()
    inbox = page.locator(".setup-exceptions")
    expect(inbox.get_by_role("heading", name="No exceptions yet")).to_be_visible()
    snippets = inbox.locator(".copyable code")
    expect(snippets.nth(0)).to_have_text(f'<script async src="{base}/tracker.js"></script>')
    expect(snippets.nth(1)).to_contain_text("window.analytics?.captureException(error")
    expect(inbox).to_contain_text("initialised with a project's DSN")
    expect(inbox).to_contain_text("faultline project create --name NAME")
    search = page.get_by_role("button", name="Search")
    fitting_shot(page, "inbox-empty")

    # Step 4: the test exception and the API read-back, pasted as one block.
    sent = paste(send_and_read, env)
    assert sent.returncode == 0, sent.stderr
    groups = json.loads(sent.stdout)
    assert [group["title"] for group in groups["items"]] == ["TypeError: x is undefined"]

    page.reload()
    row = page.locator(".groups tbody tr")
    expect(row).to_have_count(1)
    expect(row.get_by_role("link", name="TypeError: x is undefined")).to_be_visible()
    expect(row).to_contain_text("example.com")
    assert text_lines(search) == 1, "the Search button's label wraps"
    first_row = page.get_by_label("Search", exact=True).bounding_box()
    assert search.bounding_box()["y"] < first_row["y"] + first_row["height"], (
        "the Search button wraps to a second row"
    )
    fitting_shot(page, "inbox")

    # The overview: example.com has its exception, and no page views yet, so the tag again.
    page.locator("#nav").get_by_role("link", name="Overview").click()
    card = page.locator(".project-card", has_text="example.com")
    expect(card.locator(".figure", has_text="Exceptions")).to_have_text("1Exceptions new")
    expect(card.locator(".setup")).to_contain_text("No page views in this range")
    expect(card.locator(".setup").get_by_role("button", name="Copy")).to_be_visible()
    expect(card.locator(".setup").get_by_role("link", name="Manage", exact=True)).to_be_visible()
    assert "0%" not in card.locator(".figures").inner_text()
    fitting_shot(page, "overview")

    card.get_by_role("link", name="example.com").click()
    expect(page.locator(".analytics .setup")).to_contain_text("No page views in this range")
    assert "0%" not in page.locator(".metrics").inner_text()
    fitting_shot(page, "analytics")

    # Then a site with a long unbroken release and metadata value reports: cells keep them.
    report = {
        "u": "https://example.com/checkout",
        "ty": "RangeError",
        "m": "bad offset",
        "s": "RangeError: bad offset\n    at g (https://example.com/app.js:3:4)",
        "v": LONG,
        "d": {"cart": LONG},
    }
    track(base, "/track/exception", report, groups_user_agent(send_and_read))
    page.locator("#nav").get_by_role("link", name="Exceptions").click()
    expect(page.locator(".groups tbody tr")).to_have_count(2)
    fitting_shot(page, "inbox-long-values")
    page.get_by_role("link", name="RangeError: bad offset").click()
    expect(page.get_by_role("heading", name="RangeError: bad offset")).to_be_visible()
    expect(page.locator("#view dd", has_text=LONG).first).to_be_visible()
    fitting_shot(page, "group-long-values")

    # No 404 in the console on any page (the favicon included), no script error.
    assert page.problems == []
    with urllib.request.urlopen(base + "/favicon.ico", timeout=5) as icon:
        assert icon.headers["Content-Type"].startswith("image/svg+xml")


def groups_user_agent(block: str) -> str:
    """The browser User-Agent the README's curl sends (bots are dropped)."""
    return re.search(r"-H 'User-Agent: ([^']+)'", block).group(1)
