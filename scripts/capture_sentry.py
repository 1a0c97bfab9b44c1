"""Capture what the official Sentry SDKs really send into tests/fixtures/sentry/.

Re-run it after changing a scenario or an SDK version (tests/clients/):

    bash scripts/clients.sh                      # npm ci + the browser bundle
    .venv/bin/python scripts/capture_sentry.py   # every SDK; --sdk python|node|browser for one

Every scenario of tests/clients/scenarios.json runs in each of four (release, server name)
pairs against a raw receiver on 127.0.0.1 that answers 200 {"id": ...} (with CORS) and keeps
each request's exact body in envelopes/<sdk>/<scenario>-<n>.bin with a sidecar .json (path,
query, headers). The browser scenarios run in headless Chromium, served from two hosts
(127.0.0.1 and localhost) instead of server names. labels.json maps each file holding an event
to the bug label of the scenario that sent it: the label comes from the scenario, never from
the payload. Event ids, timestamps and the receiver's port differ from run to run; the count
of envelopes per scenario and the labels do not, and the script fails when an event is missing.
"""

import argparse
import json
import re
import shutil
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.sentry.clients import (  # noqa: E402
    corpus_scenarios,
    decode_body,
    envelope_items,
    page_server,
    read_body,
    run_browser,
    run_sdk,
)

OUT = ROOT / "tests" / "fixtures" / "sentry"
PUBLIC_KEY = "0123456789abcdef0123456789abcdef"  # any 32 hex digits: the receiver checks none
PROJECT = "1"
RELEASES = ("shop@1.4.0", "shop@1.5.0")
HOSTS = ("web-1", "web-2")
PAGE_HOSTS = ("127.0.0.1", "localhost")
# The DSN's path names the run (`/<run>/<project>`), so the SDK posts to
# /<run>/api/<project>/envelope/ and every request is filed under the run that sent it, even
# one that arrives after the next run started.
REQUEST_PATH = re.compile(r"^/(?P<run>[^/]+)/api/(?P<project>\d+)/(?P<kind>envelope|store)/?$")
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, X-Sentry-Auth, Content-Encoding, "
    "sentry-trace, baggage",
    "Access-Control-Expose-Headers": "Retry-After, X-Sentry-Rate-Limits",
}
SETTLE_S = 1.0  # what the SDKs may still send after a run ended (sessions, client reports)


class Corpus:
    """The runs started so far and the files their requests were saved to."""

    def __init__(self, out: Path):
        self.out = out
        self.lock = threading.Lock()
        self.runs: dict[str, dict] = {}
        self.counts: dict[tuple[str, str], int] = {}
        self.labels: dict[str, str] = {}
        self.events: dict[str, int] = {}

    def start_run(self, sdk: str, scenario: str, label: str, **facts) -> str:
        """Name a new run; its DSN path segment."""
        with self.lock:
            run = f"{sdk}.{scenario}.{len(self.runs)}"
            self.runs[run] = {"sdk": sdk, "scenario": scenario, "label": label, **facts}
            self.events[run] = 0
            return run

    def save(self, run: str, kind: str, target, headers, body: bytes) -> str | None:
        """Keep one request; the id of the event it carries, if any."""
        facts = self.runs[run]
        event_id = None
        try:
            raw = decode_body(body, headers.get("Content-Encoding"))
            event = json.loads(raw) if kind == "store" else _envelope_event(raw)
        except ValueError:
            event = None  # kept all the same: a corpus may hold what Faultline must refuse
        with self.lock:
            key = (facts["sdk"], facts["scenario"])
            self.counts[key] = self.counts.get(key, 0) + 1
            name = f"{facts['scenario']}-{self.counts[key]}"
            folder = self.out / "envelopes" / facts["sdk"]
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{name}.bin").write_bytes(body)
            sidecar = {
                "path": f"/api/{PROJECT}/{kind}/",
                "query": target.query,
                "content_type": headers.get("Content-Type"),
                "content_encoding": headers.get("Content-Encoding"),
                "transfer_encoding": headers.get("Transfer-Encoding"),
                "user_agent": headers.get("User-Agent"),
                "x_sentry_auth": headers.get("X-Sentry-Auth"),
                "origin": headers.get("Origin"),
                "run": {k: v for k, v in facts.items() if k != "label"},
            }
            (folder / f"{name}.json").write_text(json.dumps(sidecar, indent=2) + "\n")
            if event is not None:
                event_id = event.get("event_id")
                self.labels[f"{facts['sdk']}/{name}.bin"] = facts["label"]
                self.events[run] += 1
        return event_id


def _envelope_event(raw: bytes) -> dict | None:
    _, items = envelope_items(raw)
    return next((json.loads(body) for item, body in items if item.get("type") == "event"), None)


class Receiver(BaseHTTPRequestHandler):
    """Accepts any envelope or store request, as a Sentry server would answer it."""

    protocol_version = "HTTP/1.1"

    def do_OPTIONS(self):
        self._answer(204, None)

    def do_POST(self):
        body = read_body(self)
        target = urlsplit(self.path)
        match = REQUEST_PATH.match(target.path)
        if not match or match["run"] not in self.server.corpus.runs:
            self._answer(404, {"detail": "unknown path"})
            return
        event_id = self.server.corpus.save(match["run"], match["kind"], target, self.headers, body)
        self._answer(200, {"id": event_id} if event_id else {})

    def _answer(self, status: int, payload):
        data = json.dumps(payload).encode() if payload is not None else b""
        self.send_response(status)
        for name, value in CORS.items():
            self.send_header(name, value)
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def capture_servers(corpus: Corpus, base: str, sdk: str) -> None:
    """Run every corpus scenario of the Python or Node SDK in each release and host."""
    for scenario, row in corpus_scenarios(sdk).items():
        for release in RELEASES:
            for host in HOSTS:
                run = corpus.start_run(sdk, scenario, row["label"], release=release, host=host)
                dsn = f"http://{PUBLIC_KEY}@{base}/{run}/{PROJECT}"
                result = run_sdk(sdk, scenario, dsn, release=release, server_name=host)
                # The uncaught-exception scenarios end with the exit status of a crash.
                if result.returncode not in (0, 1):
                    sys.exit(f"{run} exited {result.returncode}:\n{result.stderr}")
                wait_for_events(corpus, run, row["events"])


def capture_browser(corpus: Corpus, base: str) -> None:
    """Run every browser scenario in Chromium, from two page hosts and in two releases."""
    from playwright.sync_api import sync_playwright

    from tests.chromium import launch_chromium

    with page_server() as port, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for scenario, row in corpus_scenarios("browser").items():
                for release in RELEASES:
                    for host in PAGE_HOSTS:
                        run = corpus.start_run(
                            "browser", scenario, row["label"], release=release, host=host
                        )
                        dsn = f"http://{PUBLIC_KEY}@{base}/{run}/{PROJECT}"
                        done = run_browser(
                            browser, f"http://{host}:{port}", scenario, dsn, release=release
                        )
                        if done != "sent":
                            sys.exit(f"{run}: the page says {done}")
                        wait_for_events(corpus, run, row["events"])
        finally:
            browser.close()


def wait_for_events(corpus: Corpus, run: str, expected: int) -> None:
    """Wait until a run's events have arrived, then a little for what follows them."""
    deadline = time.monotonic() + 15
    while corpus.events[run] < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    if corpus.events[run] != expected:
        sys.exit(f"{run}: {corpus.events[run]} events arrived, {expected} expected")
    time.sleep(SETTLE_S)


def main() -> None:
    """Capture the chosen SDKs' envelopes and rewrite labels.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdk", choices=["python", "node", "browser"], action="append")
    sdks = parser.parse_args().sdk or ["python", "node", "browser"]
    corpus = Corpus(OUT)
    labels_path = OUT / "labels.json"
    if labels_path.exists():  # keep the labels of the SDKs not captured this time
        kept = json.loads(labels_path.read_text())
        corpus.labels = {k: v for k, v in kept.items() if k.split("/")[0] not in sdks}
    for sdk in sdks:
        shutil.rmtree(OUT / "envelopes" / sdk, ignore_errors=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.corpus = corpus
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"127.0.0.1:{server.server_address[1]}"
    try:
        for sdk in sdks:
            if sdk == "browser":
                capture_browser(corpus, base)
            else:
                capture_servers(corpus, base, sdk)
    finally:
        server.shutdown()
    labels_path.parent.mkdir(parents=True, exist_ok=True)
    labels_path.write_text(json.dumps(dict(sorted(corpus.labels.items())), indent=1) + "\n")
    for sdk in sdks:
        files = sorted((OUT / "envelopes" / sdk).glob("*.bin"))
        size = sum(path.stat().st_size for path in files)
        print(f"{sdk}: {len(files)} envelopes, {size} bytes")


if __name__ == "__main__":
    main()
