"""`bench/ingest.py --alert-rules N`: the same exception reports against two Faultline servers
in one invocation, one whose project has no alert rules and one whose project has N (new
group, regression and event-rate rules, some with filters, all sending to a local webhook
that answers 204), and the ratio of their server CPU per stored event (issue 17: <= 1.10).

Each server gets a fresh database with the shop's project made first, so both see the same
new groups; the alerts worker runs in the serving process and its CPU is counted."""

import sqlite3
import statistics
import subprocess
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MAX_CPU_RATIO = 1.10
# Ten rules of the mixes a team sets up: every kind ingest decides, and rate rules with filters.
RULES = (
    ("new_group", {}, None, None),
    ("regression", {}, None, None),
    ("event_rate", {"handled": False}, 500, 5),
    ("new_group", {"release": "2024.06.1"}, None, None),
    ("regression", {"level": "error"}, None, None),
    ("event_rate", {}, 2000, 60),
    ("new_group", {"handled": True}, None, None),
    ("ignore_ended", {}, None, None),
    ("event_rate", {"release": "2024.07.0"}, 100, 1),
    ("new_group", {"environment": "production"}, None, None),
)


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args):
        pass


def start_hook() -> tuple[ThreadingHTTPServer, str]:
    """A loopback webhook receiver answering 204; (server, URL)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hook"


def prepare(database_url: str, rules: int, hook_url: str) -> None:
    """The shop's project (owning the reports' origin) and, with `rules`, that many rules
    sending to one webhook channel."""
    from sqlalchemy.orm import Session

    from app.db import make_engine
    from app.models import AlertChannel, AlertRule, Source
    from app.store.projects import create_project

    now = datetime.now(UTC)
    engine = make_engine(database_url)
    with Session(engine) as session:
        project = create_project(session, "shop")
        session.flush()
        session.add(
            Source(
                project_id=project.id, key="https://shop.example.com", kind="web", created_at=now
            )
        )
        if rules:
            channel = AlertChannel(
                project_id=project.id,
                name="bench hook",
                kind="webhook",
                target=hook_url,
                format="json",
                secret="bench-secret",
                timeout_seconds=5,
                created_at=now,
            )
            session.add(channel)
            session.flush()
            for number in range(rules):
                kind, filters, threshold, window = RULES[number % len(RULES)]
                session.add(
                    AlertRule(
                        project_id=project.id,
                        name=f"rule {number}",
                        kind=kind,
                        filters=filters,
                        threshold=threshold,
                        window_minutes=window,
                        channel_ids=[channel.id],
                        cooldown_minutes=60,
                        muted=False,
                        created_at=now,
                        updated_at=now,
                    )
                )
        session.commit()
    engine.dispose()


def alert_counts(database: Path) -> dict:
    """Firings written and deliveries sent in a finished run, read from its SQLite file."""
    with sqlite3.connect(database) as db:
        firings = db.execute("SELECT count(*) FROM alert_firings").fetchone()[0]
        sent = db.execute("SELECT count(*) FROM alert_deliveries WHERE state = 'sent'").fetchone()
    return {"alert_firings": firings, "alert_deliveries_sent": sent[0]}


def compare(args, load, folder: Path, write_config, measure, python: str) -> dict:
    """Alternate a rules-off and a rules-on server `args.rounds` times; their median figures
    and the CPU-per-event ratio."""
    hook, hook_url = start_hook()
    runs: dict[str, list[dict]] = {"rules_off": [], "rules_on": []}
    try:
        for round_number in range(args.rounds):
            for name, rules in (("rules_off", 0), ("rules_on", args.alert_rules)):
                place = folder / f"{name}-{round_number}"
                place.mkdir()
                config_path = write_config(place, args)
                cli = [python, "-m", "app.cli", "--config", str(config_path)]
                subprocess.run([*cli, "migrate"], cwd=place, check=True, capture_output=True)
                prepare(f"sqlite:///{place / 'faultline.db'}", rules, hook_url)
                workers = args.workers or 1
                run = measure(name, [*cli, "serve"], place, load, args, workers, "/track/exception")
                runs[name].append(run | alert_counts(place / "faultline.db"))
    finally:
        hook.shutdown()
    off = statistics.median(run["cpu_ms_per_request"] for run in runs["rules_off"])
    on = statistics.median(run["cpu_ms_per_request"] for run in runs["rules_on"])
    ratio = on / off if off else 0.0
    return {
        "rules": args.alert_rules,
        "rounds": args.rounds,
        "cpu_ms_per_event_rules_off": off,
        "cpu_ms_per_event_rules_on": on,
        "cpu_ratio": round(ratio, 3),
        "limit": MAX_CPU_RATIO,
        "pass": ratio <= MAX_CPU_RATIO,
        "runs": runs,
    }
