"""Ingest benchmark: `POST /track/exception` or `/track/hit` against a trivial Flask endpoint."""

import argparse
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT)]

from hits import views  # noqa: E402
from loadgen import run_load  # noqa: E402
from procstat import MemorySampler, cpu_delta, cpu_seconds, process_tree  # noqa: E402
from report_table import print_table, targets  # noqa: E402
from reports import AREAS, KINDS, reports  # noqa: E402

from app.config import load_config  # noqa: E402

BUGS = len(AREAS) * len(KINDS)
PATHS = {"exception": "/track/exception", "hit": "/track/hit"}


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(folder: Path, args: argparse.Namespace) -> Path:
    """A development config on a SQLite file in `folder`, rate limits out of the way."""
    web: dict = {"host": "127.0.0.1"}
    if args.workers is not None:
        web["workers"] = args.workers
    if args.threads is not None:
        web["threads"] = args.threads
    config = {
        "mode": "development",
        "secret_key": "bench-" + os.urandom(24).hex(),
        "web": web,
        "database": {"url": f"sqlite:///{folder / 'faultline.db'}"},
        # The benchmark posts from one address far faster than any real browser would.
        "ratelimit": {"tracking_per_minute": 100_000_000, "tracking_burst": 10_000_000},
    }
    path = folder / "bench.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def wait_until_ready(process: subprocess.Popen, port: int, workers: int, log: Path) -> None:
    """Health answers 200 and every worker is forked, or raise with the server's log."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()[-4000:]}")
        try:
            url = f"http://127.0.0.1:{port}/api/v1/health"
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200 and len(process_tree(process.pid)) >= workers + 1:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not come up:\n{log.read_text()[-4000:]}")


def measure(name: str, argv: list[str], folder: Path, load: list, args, workers: int) -> dict:
    """Start a server, warm it up, load it, and read its CPU and memory; then stop it."""
    port = free_port()
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*argv, "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_ready(process, port, workers, log)
            sampler = MemorySampler(process.pid)
            sampler.start()
            path = PATHS[args.endpoint]
            warm = run_load(port, load[: args.warmup], args.concurrency, args.timeout, path)
            before = cpu_seconds(process.pid)
            main = run_load(port, load[args.warmup :], args.concurrency, args.timeout, path)
            after = cpu_seconds(process.pid)
            memory = sampler.stop()
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    cpu, stable = cpu_delta(before, after)
    figures = main.summary()
    return {
        **figures,
        "warmup": warm.summary(),
        "processes": len(after),
        "process_set_stable": stable,
        "server_cpu_s": round(cpu, 3),
        "cpu_ms_per_request": round(cpu * 1000 / max(1, main.accepted), 3),
        **memory,
        "log_tracebacks": log.read_text(errors="replace").count("Traceback"),
    }


def verify_hits(database: Path, acknowledged: int) -> dict:
    """Hits stored, read straight from the SQLite file (every benchmark hit is storable)."""
    with sqlite3.connect(database) as db:
        stored = db.execute("SELECT count(*) FROM hits").fetchone()[0]
        kinds = dict(db.execute("SELECT kind, count(*) FROM hits GROUP BY kind").fetchall())
    return {
        "acknowledged": acknowledged,
        "stored_events": stored,
        "events_match": stored == acknowledged,
        "kinds": kinds,
    }


def verify(database: Path, acknowledged: int) -> dict:
    """Events stored and groups made, read straight from the SQLite file."""
    with sqlite3.connect(database) as db:
        events = db.execute("SELECT count(*) FROM exception_events").fetchone()[0]
        groups = db.execute(
            "SELECT event_count, title, fingerprint_basis FROM exception_groups"
            " ORDER BY fingerprint_basis"
        ).fetchall()
    return {
        "acknowledged": acknowledged,
        "stored_events": events,
        "events_match": events == acknowledged,
        "groups": len(groups),
        "expected_groups": BUGS,
        "group_sample": [list(row) for row in groups[: 2 * BUGS]] if len(groups) != BUGS else [],
    }


def median_figures(runs: list[dict]) -> dict:
    """One run's figures with every top-level number replaced by its median over the runs."""
    merged = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            merged[key] = statistics.median(run[key] for run in runs)
    return merged


def main() -> int:
    """Run both servers one after the other and report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=4000, help="measured requests per server")
    parser.add_argument("--warmup", type=int, default=200, help="uncounted requests first")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, help="web.workers (default: config default)")
    parser.add_argument("--threads", type=int, help="web.threads (default: config default)")
    parser.add_argument("--timeout", type=float, default=300.0, help="hard limit per phase (s)")
    parser.add_argument(
        "--endpoint", choices=sorted(PATHS), default="exception", help="what to load"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="alternate both servers this many times and report medians (the machine's speed "
        "drifts by tens of percent; alternating rounds keep the ratio honest)",
    )
    args = parser.parse_args()

    make = views if args.endpoint == "hit" else reports
    load = make(args.warmup + args.count)
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="faultline-bench-") as tmp:
        folder = Path(tmp)
        config_path = write_config(folder, args)
        config = load_config(config_path)
        web = config["web"]
        cli = [python, "-m", "app.cli", "--config", str(config_path)]
        subprocess.run([*cli, "migrate"], cwd=ROOT, check=True, capture_output=True)
        trivial_argv = [python, str(BENCH / "trivial_app.py"), "--config", str(config_path)]
        rounds = []
        for _ in range(args.rounds):
            ours = measure("faultline", [*cli, "serve"], folder, load, args, web["workers"])
            theirs = measure("trivial", trivial_argv, folder, load, args, web["workers"])
            rounds.append((ours, theirs))
            if args.rounds > 1:
                ratio = ours["rate"] / theirs["rate"] if theirs["rate"] else 0.0
                print(f"round {len(rounds)}: rate ratio {ratio:.3f}", flush=True)
        faultline = median_figures([ours for ours, _ in rounds])
        trivial = median_figures([theirs for _, theirs in rounds])
        acked = sum(ours["accepted"] + ours["warmup"]["accepted"] for ours, _ in rounds)
        check = verify_hits if args.endpoint == "hit" else verify
        storage = check(folder / "faultline.db", acked)

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "setup": {
            "endpoint": PATHS[args.endpoint],
            "count": args.count,
            "warmup": args.warmup,
            "concurrency": args.concurrency,
            "workers": web["workers"],
            "threads": web["threads"],
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "bugs": BUGS,
            "rounds": args.rounds,
        },
        "trivial": trivial,
        "faultline": faultline,
        "storage": storage,
    }
    result["targets"] = targets(result)
    print_table(result)
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out / f"ingest-{'' if args.endpoint == 'exception' else 'hit-'}{stamp}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwritten to {path.relative_to(ROOT)}")
    return 0 if all(t["pass"] for t in result["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
