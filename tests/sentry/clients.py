"""Drive the official Sentry SDKs of tests/clients/ at a DSN, and read what they send.

Shared by the compatibility tests and scripts/capture_sentry.py, so the captured corpus and
the live tests run the very same scenarios (tests/clients/scenarios.json)."""

import gzip
import json
import subprocess
import sys
import threading
import zlib
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import brotli
import zstandard

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = ROOT / "tests" / "clients"
SCENARIOS = json.loads((CLIENTS / "scenarios.json").read_text())
BUNDLE = CLIENTS / "browser" / "dist" / "bundle.js"
# Planted in the page's query string on purpose: Faultline must not store it.
PAGE_SECRETS = {"email": "jane.doe@example.com", "token": "hunter2-query-token"}


def corpus_scenarios(sdk: str) -> dict[str, dict]:
    """The scenarios of one SDK that belong in the captured corpus."""
    return {name: row for name, row in SCENARIOS[sdk].items() if row.get("corpus", True)}


def run_sdk(sdk: str, scenario: str, dsn: str, timeout=90, **run) -> subprocess.CompletedProcess:
    """Run one scenario of the Python or Node SDK in its own process (`run`: release,
    server_name, environment); its exit status and output."""
    options = {"release": "shop@1.4.0", "server_name": "web-1", "environment": "production"}
    options.update(run)
    flags = [f"--{key.replace('_', '-')}={value}" for key, value in options.items()]
    if sdk == "python":
        command = [sys.executable, str(CLIENTS / "python_scenarios.py")]
    else:
        command = ["node", str(CLIENTS / "node_scenarios.mjs")]
    # From the repository root, as an application starts from its own: the Python SDK marks
    # frames under the working directory (outside site-packages) as in-app.
    return subprocess.run(
        [*command, scenario, "--dsn", dsn, *flags],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextmanager
def page_server():
    """Serve tests/clients/browser/ (the page and its bundle) on 127.0.0.1; yield its port."""
    assert BUNDLE.exists(), "the browser bundle is missing: run bash scripts/clients.sh"
    handler = partial(QuietFiles, directory=str(CLIENTS / "browser"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


class QuietFiles(SimpleHTTPRequestHandler):
    """Static files without a log line per request."""

    def log_message(self, *args):
        pass


def run_browser(
    browser,
    origin: str,
    scenario: str,
    dsn: str,
    release="shop@1.4.0",
    environment="production",
    timeout_ms=30_000,
) -> str:
    """Load the page at `origin` in a fresh context and run one @sentry/browser scenario;
    what the page reported once the SDK flushed ("sent" or "timeout")."""
    query = {
        "scenario": scenario,
        "dsn": dsn,
        "release": release,
        "environment": environment,
        **PAGE_SECRETS,
    }
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{origin}/index.html?{urlencode(query)}")
        page.wait_for_function("window.scenarioDone !== undefined", timeout=timeout_ms)
        return page.evaluate("window.scenarioDone")
    finally:
        context.close()


def read_body(handler) -> bytes:
    """The request body of an http.server handler, sent with Content-Length or chunked
    (@sentry/node streams its requests)."""
    if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))


def decode_body(body: bytes, encoding: str | None) -> bytes:
    """A request body with its Content-Encoding undone."""
    encoding = (encoding or "identity").strip().lower()
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "zstd":
        return zstandard.ZstdDecompressor().decompressobj().decompress(body)
    return body


def encode_body(body: bytes, encoding: str | None) -> bytes:
    """A body compressed as Content-Encoding says (the inverse of decode_body)."""
    encoding = (encoding or "identity").strip().lower()
    if encoding == "gzip":
        return gzip.compress(body)
    if encoding == "deflate":
        return zlib.compress(body)
    if encoding == "br":
        return brotli.compress(body)
    if encoding == "zstd":
        return zstandard.ZstdCompressor().compress(body)
    return body


def envelope_items(raw: bytes) -> tuple[dict, list[tuple[dict, bytes]]]:
    """An envelope's header and its (item header, payload) pairs; `length` is optional."""
    head, _, rest = raw.partition(b"\n")
    items = []
    while rest.strip():
        line, _, rest = rest.partition(b"\n")
        if not line.strip():
            continue
        item = json.loads(line)
        if "length" in item:
            payload, rest = rest[: item["length"]], rest[item["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((item, payload))
    return json.loads(head), items


def event_of(raw: bytes, store: bool = False) -> dict | None:
    """The event an envelope (or, with `store`, a /store/ body) carries, or None."""
    if store:
        return json.loads(raw)
    _, items = envelope_items(raw)
    return next((json.loads(body) for item, body in items if item.get("type") == "event"), None)
