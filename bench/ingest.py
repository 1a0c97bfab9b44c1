"""Ingest benchmark: `POST /track/exception`, `/track/hit` or Sentry envelopes against a trivial
Flask endpoint (and, for envelopes, against Bugsink fed the same requests)."""

import argparse
import json
import os
import socket
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

import alert_rules  # noqa: E402
import bugsink  # noqa: E402
from envelopes import envelopes  # noqa: E402
from hits import views  # noqa: E402
from ingest_store import (  # noqa: E402
    BUGS,
    create_project,
    event_counter,
    upload_build_maps,
    verify,
    verify_hits,
    wait_stored,
)
from loadgen import run_load  # noqa: E402
from minified_events import mapped_reports  # noqa: E402
from procstat import MemorySampler, cpu_delta, cpu_seconds, process_tree  # noqa: E402
from report_table import print_table, targets  # noqa: E402
from reports import USER_AGENTS, reports  # noqa: E402

from app.config import load_config  # noqa: E402

PATHS = {
    "exception": "/track/exception",
    "hit": "/track/hit",
    "envelope": "/api/<project_id>/envelope/",
}
SEED = 20240601


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


def measure(
    name: str,
    argv: list[str],
    folder: Path,
    load: list,
    args,
    workers: int,
    path: str,
    port: int | None = None,
    stored=None,
) -> dict:
    """Start a server, warm it up, load it, and read its CPU and memory; then stop it.

    With `stored` (a callable returning the stored-event count) the measured span runs until
    every acknowledged event is stored, so a server that stores after answering is charged the
    CPU and the time it takes (Faultline's envelope endpoint); without, it ends with the load."""
    port = port or free_port()
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
            base = stored() if stored else 0
            warm = run_load(port, load[: args.warmup], args.concurrency, args.timeout, path)
            if stored:
                wait_stored(stored, base + warm.accepted, args.timeout)
            before = cpu_seconds(process.pid)
            started = time.perf_counter()
            main = run_load(port, load[args.warmup :], args.concurrency, args.timeout, path)
            if stored:
                target = base + warm.accepted + main.accepted
                finished, drained = wait_stored(stored, target, args.timeout)
                in_phase = stored() - base - warm.accepted
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
    if stored:
        wall = finished - started
        figures |= {
            "drained": drained,
            "stored_in_phase": in_phase,
            "stored_wall_s": round(wall, 3),
            "stored_rate": round(in_phase / wall, 1) if wall > 0 else 0.0,
            "cpu_ms_per_stored_event": round(cpu * 1000 / max(1, in_phase), 3),
        }
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
        "--bugsink",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="with --endpoint envelope, also measure Bugsink fed the same envelopes (default: "
        f"on when {bugsink.VENV.relative_to(ROOT)} exists; create it with {bugsink.SETUP_HINT})",
    )
    parser.add_argument(
        "--bugsink-count", type=int, default=500, help="measured envelopes for Bugsink (slow)"
    )
    parser.add_argument("--bugsink-warmup", type=int, default=20)
    parser.add_argument(
        "--bugsink-workers",
        type=int,
        default=min(os.cpu_count() or 1, 4),
        help="gunicorn sync workers for Bugsink (default: min(CPUs, 4), as its shipped "
        "gunicorn.docker.conf.py)",
    )
    parser.add_argument(
        "--mapped",
        action="store_true",
        help="with --endpoint exception: 12-frame minified stacks of a build whose map and "
        "script are uploaded first, so every event is mapped before it is grouped",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="alternate both servers this many times and report medians (the machine's speed "
        "drifts by tens of percent; alternating rounds keep the ratio honest)",
    )
    parser.add_argument(
        "--alert-rules",
        type=int,
        default=0,
        metavar="N",
        help="with --endpoint exception: measure a server whose project has N alert rules "
        "beside one with none (fresh databases, same reports) and print the CPU-per-event "
        "ratio (target <= 1.10)",
    )
    args = parser.parse_args()
    if args.alert_rules:
        return alert_rules_run(args)
    envelope = args.endpoint == "envelope"
    with_bugsink = envelope and args.bugsink is not False
    if with_bugsink and not bugsink.available():
        print(
            f"Bugsink is not installed ({bugsink.VENV.relative_to(ROOT)} is missing): create it "
            f"with `{bugsink.SETUP_HINT}`; measuring Faultline only.",
            flush=True,
        )
        with_bugsink = False

    if args.mapped:
        load = mapped_reports(args.warmup + args.count, USER_AGENTS[0][1])
    elif not envelope:
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
        path, stored, port, project = PATHS[args.endpoint], None, None, None
        if args.mapped:
            upload_build_maps(cli, config["database"]["url"])
        if envelope:
            port = free_port()
            project = create_project(cli, port)
            path = f"/api/{project['id']}/envelope/"
            stored = event_counter(folder / "faultline.db")
        rounds = []
        for number in range(args.rounds):
            if envelope:  # a fresh seed each round: repeated event_ids would be dropped
                load = envelopes(args.warmup + args.count, project["dsn"], SEED + number)
            ours = measure(
                "faultline",
                [*cli, "serve"],
                folder,
                load,
                args,
                web["workers"],
                path,
                port,
                stored,
            )
            theirs = measure("trivial", trivial_argv, folder, load, args, web["workers"], path)
            rounds.append((ours, theirs))
            if args.rounds > 1:
                rate = ours.get("stored_rate", ours["rate"])
                ratio = rate / theirs["rate"] if theirs["rate"] else 0.0
                print(f"round {len(rounds)}: rate ratio {ratio:.3f}", flush=True)
        faultline = median_figures([ours for ours, _ in rounds])
        trivial = median_figures([theirs for _, theirs in rounds])
        acked = sum(ours["accepted"] + ours["warmup"]["accepted"] for ours, _ in rounds)
        check = verify_hits if args.endpoint == "hit" else verify
        storage = check(folder / "faultline.db", acked)
        sink = None
        if with_bugsink:
            print(
                f"bugsink: {args.bugsink_warmup} + {args.bugsink_count} envelopes ...", flush=True
            )
            sink = bugsink.measure_bugsink(
                folder / "bugsink",
                free_port(),
                lambda dsn: envelopes(args.bugsink_warmup + args.bugsink_count, dsn, SEED),
                args,
            )

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "setup": {
            "endpoint": path,
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
    if sink:
        result["bugsink"] = sink
        result["setup"] |= {
            "bugsink_count": args.bugsink_count,
            "bugsink_warmup": args.bugsink_warmup,
            "bugsink_workers": args.bugsink_workers,
        }
    result["targets"] = targets(result)
    print_table(result)
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kind = "" if args.endpoint == "exception" else f"{args.endpoint}-"
    kind = "mapped-" if args.mapped else kind
    written = out / f"ingest-{kind}{stamp}.json"
    written.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwritten to {written.relative_to(ROOT)}")
    return 0 if all(t["pass"] for t in result["targets"].values()) else 1


def alert_rules_run(args: argparse.Namespace) -> int:
    """The --alert-rules comparison: print both servers' CPU per event and their ratio."""
    load = reports(args.warmup + args.count)
    with tempfile.TemporaryDirectory(prefix="faultline-bench-") as tmp:
        result = alert_rules.compare(args, load, Path(tmp), write_config, measure, sys.executable)
    for name in ("rules_off", "rules_on"):
        for number, run in enumerate(result["runs"][name], start=1):
            print(
                f"{name} round {number}: {run['cpu_ms_per_request']:.3f} ms CPU/event, "
                f"{run['rate']} req/s, p99 {run['p99_ms']} ms, "
                f"tracebacks {run['log_tracebacks']}, alert firings {run['alert_firings']}, "
                f"sent {run['alert_deliveries_sent']}",
                flush=True,
            )
    verdict = "PASS" if result["pass"] else "FAIL"
    print(
        f"alert rules {result['rules']}: CPU per stored event "
        f"{result['cpu_ms_per_event_rules_off']:.3f} ms without, "
        f"{result['cpu_ms_per_event_rules_on']:.3f} ms with: ratio "
        f"{result['cpu_ratio']:.3f} (<= {result['limit']}) {verdict}"
    )
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    written = out / f"ingest-alert-rules-{stamp}.json"
    written.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {written.relative_to(ROOT)}")
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
