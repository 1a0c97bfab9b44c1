"""Dashboard speed on the analytics benchmark data (issue 6, point 10): each page interactive
within 1 s on 1,000,000 page views over 90 days, on SQLite.

    .venv/bin/python bench/stats.py --url sqlite:////tmp/bench1m.db --reuse   # data, once
    .venv/bin/python bench/dashboard.py --url sqlite:////tmp/bench1m.db

Serves Faultline on that database with `faultline serve`, signs in through /login in headless
Chromium (Debian's, no download), then opens each page in a fresh document and records, from
the page's own clock (`performance.now()`, milliseconds since navigation start), when the view
has rendered its data: the dashboard marks its view `aria-busy` while it loads. Median of
--repeat loads per page.
"""

import argparse
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright
from sqlalchemy import select

from app import create_app
from app.access.accounts import create_user
from app.config import load_config
from app.models import ExceptionGroup, Project, User
from tests.chromium import launch_chromium
from tests.served import served

EMAIL, PASSWORD = "bench@example.org", "correct horse battery staple"
READY = """() => {
  const view = document.getElementById("view");
  return view && !view.hasAttribute("aria-busy") && view.children.length > 0;
}"""
TARGET_MS = 1000


def prepare(url: str) -> tuple[dict, int, int]:
    """The config to serve, the busiest project and one exception group; adds the account."""
    config = load_config(None, environ={})
    config["database"]["url"] = url
    config["ratelimit"]["unauthenticated_per_minute"] = 100000
    app = create_app(config)
    with app.extensions["faultline.sessionmaker"]() as session:
        project = session.scalar(select(Project.id).where(Project.name == "shop.example.com"))
        if project is None:
            sys.exit("no benchmark data here: run bench/stats.py --url ... --reuse first")
        group = session.scalar(
            select(ExceptionGroup.id).where(ExceptionGroup.project_id == project).limit(1)
        )
        if session.scalar(select(User.id).where(User.email == EMAIL)) is None:
            create_user(session, EMAIL, PASSWORD, True, datetime.now(UTC))
            session.commit()
    app.extensions["faultline.engine"].dispose()
    return config, project, group


def main() -> int:
    """Serve, sign in, time every page; exit 1 when a page misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="sqlite:////tmp/bench1m.db")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    config, project, group = prepare(args.url)
    pages = {
        "overview (7 days)": "#/",
        "analytics, 7 days": f"#/projects/{project}",
        "analytics, 30 days": f"#/projects/{project}?range=30d",
        "analytics, 90 days": f"#/projects/{project}?range=90d",
        "analytics, 30 days, filtered": f"#/projects/{project}?range=30d"
        "&filter=path%20%3D%3D%20%22%2Fproduct%2F3%22",
        "exception inbox": "#/issues",
        "group page": f"#/issues/{group}",
        "manage": "#/manage",
    }
    results = []
    with (
        tempfile.TemporaryDirectory() as folder,
        served(config, Path(folder)) as (base, _, _),
        sync_playwright() as driver,
    ):
        browser = launch_chromium(driver)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/login")
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        for name, route in pages.items():
            times = []
            for _ in range(args.repeat + 1):
                page.goto("about:blank")
                page.goto(f"{base}/{route}")
                page.wait_for_function(READY, timeout=30_000)
                times.append(page.evaluate("performance.now()"))
            results.append((name, statistics.median(times[1:])))  # the first warms caches
        browser.close()
    missed = 0
    print(f"\n{'page':34} {'interactive ms':>15} {'target':>8}")
    for name, took in results:
        missed += took >= TARGET_MS
        verdict = "ok" if took < TARGET_MS else "MISSED"
        print(f"{name:34} {took:15.0f} {'<' + str(TARGET_MS):>8} {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
