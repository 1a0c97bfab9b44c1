"""Capture the minified storefront's labelled bugs in headless Chromium, Firefox ESR and WebKitGTK.

Builds tests/fixtures/minified/src four ways (tests/fixtures/minified/build.mjs), serves each
build from loopback, lets the page run every scenario and writes what the browsers reported to
tests/fixtures/minified/captured.json, the per-run origin rewritten to https://shop.example.com.
"""

import argparse
import datetime
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import capture_stacks as cs

MINIFIED = cs.ROOT / "tests" / "fixtures" / "minified"
BUILDS = MINIFIED / "builds"
INDEX = MINIFIED / "captured.json"
ENGINES = ("chromium", "firefox", "webkit")
# Every shop page is the one app; `seed` varies the ids and amounts in the messages per capture.
PAGE = "/cart?autorun=1&seed={seed}"
TYPES = {".html": "text/html", ".js": "text/javascript", ".map": "application/json"}


class BuildHandler(cs.Handler):
    """Serves one build as its CDN would (assets by path, any other path the page); collects
    the reports like capture_stacks' handler."""

    def do_GET(self):
        root = self.server.root
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/assets/"):
            file = (root / path.lstrip("/")).resolve()
            if not file.is_relative_to(root) or not file.is_file():
                self.send_error(404)
                return
        else:
            file = root / "index.html"
        body = file.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", f"{TYPES.get(file.suffix, 'text/plain')}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def build() -> None:
    subprocess.run(["node", str(MINIFIED / "build.mjs")], check=True, cwd=cs.ROOT)


def manifests() -> list[dict]:
    return [json.loads(p.read_text("utf-8")) for p in sorted(BUILDS.glob("*/manifest.json"))]


def capture(build_name: str, engine: str, seed: int) -> tuple[str, list[dict]]:
    """Run the page of one build in one engine: (browser label, reports as posted)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BuildHandler)
    server.root = (BUILDS / build_name).resolve()
    server.reports, server.done = [], threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    tmp = tempfile.mkdtemp(prefix=f"capture-minified-{engine}-")
    try:
        label = cs.drive(engine, origin + PAGE.format(seed=seed), tmp, server.done)
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(tmp, ignore_errors=True)
    if not server.done.is_set():
        raise TimeoutError(f"no `done` from the page within {cs.TIMEOUT:.0f}s")
    return label, json.loads(json.dumps(server.reports).replace(origin, cs.ORIGIN))


def record(manifest: dict, engine: str, label: str, report: dict, today: str) -> dict:
    row = {
        "build": manifest["build"],
        "bundler": manifest["bundler"],
        "engine": engine,
        "browser": label,
        "user_agent": report.get("userAgent"),
        "scenario": report["scenario"],
        "via": report.get("via"),
        "type": report.get("type"),
        "message": report.get("message"),
        "stack": report.get("stack"),
        "captured": today,
    }
    if report.get("error"):
        row["error"] = report["error"]  # the engine ran the scenario but nothing was thrown
    return row


def key(row: dict) -> tuple:
    return row["build"], row["engine"], row["scenario"]


def same(old: dict, new: dict) -> bool:
    return all(old.get(f) == new.get(f) for f in new if f != "captured")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--builds", default="", help="comma-separated; default all")
    parser.add_argument("--no-build", action="store_true", help="use builds/ as it is")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if unknown := set(engines) - set(ENGINES):
        parser.error(f"unknown engine {', '.join(sorted(unknown))}")
    if not args.no_build:
        build()
    wanted = {b.strip() for b in args.builds.split(",") if b.strip()}
    builds = [m for m in manifests() if not wanted or m["build"] in wanted]
    old = json.loads(INDEX.read_text("utf-8")) if INDEX.exists() else []
    rows = {key(row): row for row in old}
    today = datetime.date.today().isoformat()
    failed = False
    for b, manifest in enumerate(builds):
        for engine in engines:
            seed = 1 + b * len(ENGINES) + ENGINES.index(engine)
            started = time.monotonic()
            name = f"{manifest['build']}/{engine}"
            try:
                label, reports = capture(manifest["build"], engine, seed)
            except Exception as exc:  # one broken browser must not cost the other captures
                print(f"{name}: FAILED: {exc!r}", file=sys.stderr)
                failed = True
                continue
            # A rerun replaces the pair's rows; a scenario it did not report is dropped.
            for k in [k for k in rows if k[:2] == (manifest["build"], engine)]:
                del rows[k]
            thrown = 0
            for report in reports:
                row = record(manifest, engine, label, report, today)
                previous = next((r for r in old if key(r) == key(row)), None)
                if previous and same(previous, row):
                    row["captured"] = previous["captured"]
                rows[key(row)] = row
                thrown += row["type"] is not None
                if row["type"] is None:
                    print(f"  {name} {row['scenario']}: {row.get('error')}")
            took = time.monotonic() - started
            print(f"{name}: {label}, {thrown}/{len(reports)} errors, seed {seed}, {took:.1f}s")
            failed |= not reports
    order = {m["build"]: i for i, m in enumerate(manifests())}
    scenarios = scenario_order()
    out = sorted(
        rows.values(),
        key=lambda r: (
            order.get(r["build"], 99),
            ENGINES.index(r["engine"]),
            scenarios.index(r["scenario"]) if r["scenario"] in scenarios else 99,
        ),
    )
    INDEX.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(out)} reports in {INDEX.relative_to(cs.ROOT)}")
    return 1 if failed else 0


def scenario_order() -> list[str]:
    """The labels in the order main.js lists them."""
    text = (MINIFIED / "src" / "main.js").read_text("utf-8")
    return re.findall(r'\[\s*"([\w-]+)",\s*"(?:sync|async|global)"', text)


if __name__ == "__main__":
    sys.exit(main())
