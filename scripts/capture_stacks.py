"""Capture real `error.stack` texts from headless Chromium, Firefox ESR and WebKitGTK."""

import argparse
import datetime
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from app.core.stacktrace import parse_stack  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack_scenarios import ASSETS, PAGE  # noqa: E402

STACKS = ROOT / "tests" / "fixtures" / "stacks"
INDEX = STACKS / "captured.json"
ORIGIN = "https://shop.example.com"  # the per-run loopback origin is rewritten to this
TIMEOUT = 60.0
# Where V8 notices a stack overflow depends on JIT tiering, so the top column varies run to run.
VOLATILE = {"stack_overflow"}

PREFS = {  # Firefox: no first-run pages, telemetry or update checks during a capture
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.aboutwelcome.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "toolkit.telemetry.enabled": False,
    "app.update.enabled": False,
    "app.normandy.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "extensions.update.enabled": False,
}


class Handler(BaseHTTPRequestHandler):
    """Serves the test page and collects the posted reports."""

    def do_GET(self):
        asset = ASSETS.get(self.path.split("?", 1)[0])
        if asset is None:
            self.send_error(404)
            return
        body = asset[1].encode()
        self.send_response(200)
        self.send_header("Content-Type", f"{asset[0]}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        data = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.path == "/report":
            self.server.reports.append(data)
        elif self.path == "/done":
            self.server.done.set()
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass  # keep the run's output to the summary


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(cmd: list[str], **kw) -> subprocess.Popen:
    """Start in its own process group so the browser's helpers die with it."""
    return subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, **kw
    )


def stop(proc: subprocess.Popen) -> None:
    """Terminate the process group we created, escalating to SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(5)
            return
        except subprocess.TimeoutExpired:
            continue


def version(cmd: list[str]) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
    return " ".join(out.split()[:3]).removesuffix(" built")


def webdriver(port: int, method: str, path: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
        return json.loads(resp.read() or b"{}")


def drive_webkit(url: str, tmp: str, done: threading.Event) -> str:
    """WebKitGTK has no headless switch: its WebDriver runs MiniBrowser inside Xvfb."""
    port = free_port()
    binary = sorted(glob.glob("/usr/lib/*/webkit2gtk-4.*/MiniBrowser"))[-1]
    proc = spawn(["xvfb-run", "-a", "WebKitWebDriver", f"--port={port}"], cwd=tmp)
    caps = {"webkitgtk:browserOptions": {"binary": binary, "args": ["--automation"]}}
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                webdriver(port, "GET", "/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        session = webdriver(port, "POST", "/session", {"capabilities": {"alwaysMatch": caps}})
        sid, got = session["value"]["sessionId"], session["value"]["capabilities"]
        webdriver(port, "POST", f"/session/{sid}/url", {"url": url})
        done.wait(TIMEOUT)
        webdriver(port, "DELETE", f"/session/{sid}")
        return f"WebKitGTK {got.get('browserVersion', '?')}"
    finally:
        stop(proc)


def drive(engine: str, url: str, tmp: str, done: threading.Event) -> str:
    """Open `url` in the engine, wait for the page's `done` and return the browser version."""
    if engine == "webkit":
        return drive_webkit(url, tmp, done)
    if engine == "chromium":
        # No GPU, crash reporter, sync or component updates: nothing but the page talks.
        flags = "--disable-gpu --disable-background-networking --disable-component-update"
        cmd = ["/usr/bin/chromium", "--headless", "--no-sandbox", *flags.split()]
        cmd += ["--disable-breakpad", "--disable-sync", "--no-first-run"]
        cmd += [f"--user-data-dir={tmp}", url]
        label = version(["/usr/bin/chromium", "--version"])
    else:
        prefs = "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in PREFS.items())
        Path(tmp, "user.js").write_text(prefs)
        cmd = ["firefox-esr", "--headless", "--no-remote", "--profile", tmp, url]
        label = version(["firefox-esr", "--version"]).removeprefix("Mozilla ")
    proc = spawn(cmd, env={**os.environ, "HOME": tmp, "MOZ_CRASHREPORTER_DISABLE": "1"})
    try:
        done.wait(TIMEOUT)
    finally:
        stop(proc)
    return label


def capture(engine: str) -> tuple[str, list[dict]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.reports, server.done = [], threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    tmp = tempfile.mkdtemp(prefix=f"capture-{engine}-")
    try:
        label = drive(engine, origin + PAGE, tmp, server.done)
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(tmp, ignore_errors=True)
    if not server.done.is_set():
        raise TimeoutError(f"no `done` from the page within {TIMEOUT:.0f}s")
    reports = json.loads(json.dumps(server.reports).replace(origin, ORIGIN))
    return label, reports


def frames_json(text: str) -> str:
    """The fixture layout used beside every stack: one frame dict per line."""
    rows = [json.dumps(f.to_dict()) for f in parse_stack(text)]
    return "[\n" + ",\n".join(f"  {row}" for row in rows) + ("\n" if rows else "") + "]\n"


def shape(text: str) -> list[tuple]:
    """A stack's frames without positions, to tell a real change from a volatile column."""
    return [(f.function, f.filename) for f in parse_stack(text)]


def save(engine: str, label: str, reports: list[dict], index: dict) -> None:
    today = datetime.date.today().isoformat()
    for report in sorted(reports, key=lambda r: r["scenario"]):
        name = f"{engine}_{report['scenario']}"
        if report.get("error") or not report.get("stack"):
            print(f"  {name}: skipped ({report.get('error') or 'no stack'})")
            continue
        txt, expected = STACKS / f"{name}.txt", STACKS / f"{name}.json"
        old_text = txt.read_text(encoding="utf-8") if txt.exists() else None
        unchanged = old_text == report["stack"] or (
            report["scenario"] in VOLATILE
            and old_text is not None
            and shape(old_text) == shape(report["stack"])
        )
        if unchanged and expected.exists():
            # A reviewed expectation is kept: a parser change must show up as a test failure
            # (delete the .json to have it rewritten from the parser, then review it).
            status = "unchanged"
        else:
            txt.write_text(report["stack"], encoding="utf-8")
            expected.write_text(frames_json(report["stack"]))
            status = "NEW/CHANGED: review the .json by hand"
        old = index.get(name, {})
        index[name] = {
            "engine": engine,
            "browser": label,
            "user_agent": report.get("userAgent"),
            "captured": old["captured"] if unchanged and "captured" in old else today,
            "scenario": report["scenario"],
            "type": report.get("name"),
            "message": report.get("message"),
        }
        print(f"  {name}: {len(parse_stack(report['stack']))} frames, {status}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="chromium,firefox,webkit")
    engines = [e.strip() for e in parser.parse_args().engines.split(",") if e.strip()]
    index = json.loads(INDEX.read_text(encoding="utf-8")) if INDEX.exists() else {}
    failed = False
    for engine in engines:
        if engine not in ("chromium", "firefox", "webkit"):
            parser.error(f"unknown engine {engine}")
        started = time.monotonic()
        try:
            label, reports = capture(engine)
        except Exception as exc:  # one broken browser must not cost the other engines' captures
            print(f"{engine}: FAILED: {exc!r}", file=sys.stderr)
            failed = True
            continue
        print(f"{engine}: {label}, {len(reports)} reports in {time.monotonic() - started:.1f}s")
        failed |= not reports
        save(engine, label, reports, index)
    text = json.dumps(dict(sorted(index.items())), indent=2, ensure_ascii=False) + "\n"
    INDEX.write_text(text, encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
