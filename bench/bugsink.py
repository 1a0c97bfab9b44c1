"""Bugsink 2.6.2 beside Faultline: its single-server setup (gunicorn + snappea on SQLite) fed
the same Sentry envelopes, measured until its digest queue is empty.

Bugsink answers an envelope once it has written it to its ingestion directory and queued a
digest task; its snappea worker parses, groups and stores the event afterwards. So the figures
that compare with Faultline's are per *stored* event: stored events per second of wall time
from the first measured request until the last one is in `events_event` and the task queue is
empty, and the CPU of the web server and the worker over that same span.

Needs `bench/.bugsink-venv` (`bash bench/bugsink_setup.sh`).
"""

import json
import os
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

from loadgen import run_load
from procstat import MemorySampler, cpu_delta, cpu_seconds, process_tree

BENCH = Path(__file__).resolve().parent
VENV = BENCH / ".bugsink-venv"
SETUP_HINT = f"bash {(BENCH / 'bugsink_setup.sh').relative_to(BENCH.parent)}"

# Appended to the conf that `bugsink-create-conf --template singleserver` writes. The template
# assumes Nginx in front for TLS; here gunicorn is reached directly on loopback over HTTP.
OVERRIDES = """

# --- bench/bugsink.py: loopback benchmark overrides ---
BUGSINK["BASE_URL"] = "http://127.0.0.1:{port}"
ALLOWED_HOSTS = deduce_allowed_hosts(BUGSINK["BASE_URL"])
BUGSINK["PHONEHOME"] = False  # no calls home from a benchmark
# The benchmark posts far more than the default quotas (1,000 events per 5 minutes) allow;
# Faultline's rate limits are raised the same way.
for _quota in (
    "MAX_EVENTS_PER_PROJECT_PER_5_MINUTES",
    "MAX_EVENTS_PER_PROJECT_PER_HOUR",
    "MAX_EVENTS_PER_5_MINUTES",
    "MAX_EVENTS_PER_HOUR",
):
    BUGSINK[_quota] = 100_000_000
"""

# Run with `bugsink-manage shell -c`: a superuser, a team, a project in it (alerts off: no
# mail work in the measurement, and retention above the run's count so nothing is evicted).
CREATE_PROJECT = """
import json
from django.contrib.auth import get_user_model
from projects.models import Project, ProjectMembership
from teams.models import Team, TeamMembership, TeamRole
user = get_user_model().objects.create_superuser(
    username="bench@example.org", email="bench@example.org", password="bench-" + "x" * 20)
team = Team.objects.create(name="bench")
TeamMembership.objects.create(team=team, user=user, role=TeamRole.ADMIN, accepted=True)
project = Project.objects.create(
    team=team, name="bench", slug="bench", alert_on_new_issue=False,
    alert_on_regression=False, alert_on_unmute=False, retention_max_event_count=1_000_000)
ProjectMembership.objects.create(project=project, user=user, accepted=True)
print("PROJECT " + json.dumps({"id": project.id, "dsn": project.dsn}))
"""


def available() -> bool:
    """Whether the Bugsink venv exists."""
    return (VENV / "bin" / "bugsink-manage").exists()


def version() -> str:
    """The installed Bugsink's version."""
    out = subprocess.run(
        [str(VENV / "bin" / "bugsink-show-version")], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


class Bugsink:
    """One throw-away Bugsink installation in `folder`, listening on `port`."""

    def __init__(self, folder: Path, port: int, workers: int) -> None:
        self.folder, self.port, self.workers = folder, port, workers
        self.data = folder / "data"
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")},
            "PYTHONPATH": str(folder),
            "DJANGO_SETTINGS_MODULE": "bugsink_conf",
            "PATH": f"{VENV / 'bin'}:{os.environ.get('PATH', '')}",
        }
        self.processes: list[subprocess.Popen] = []

    def _run(self, *argv: str) -> str:
        out = subprocess.run(
            argv, cwd=self.folder, env=self.env, capture_output=True, text=True, check=False
        )
        if out.returncode:
            raise RuntimeError(
                f"{' '.join(argv)} failed:\n{out.stdout[-2000:]}{out.stderr[-4000:]}"
            )
        return out.stdout

    def install(self) -> dict:
        """Conf, both databases migrated, a user/team/project; returns {"id", "dsn"}."""
        self.data.mkdir(parents=True)
        bin_ = VENV / "bin"
        conf = self.folder / "bugsink_conf.py"
        self._run(
            str(bin_ / "bugsink-create-conf"),
            "--template=singleserver",
            f"--host=127.0.0.1:{self.port}",
            f"--base-dir={self.data}",
            f"--output-file={conf}",
        )
        conf.write_text(conf.read_text() + OVERRIDES.format(port=self.port))
        manage = str(bin_ / "bugsink-manage")
        self._run(manage, "migrate", "snappea", "--database=snappea")
        self._run(manage, "migrate")
        out = self._run(manage, "shell", "-c", CREATE_PROJECT)
        line = next(x for x in out.splitlines() if x.startswith("PROJECT "))
        return json.loads(line.removeprefix("PROJECT "))

    def start(self) -> None:
        """The snappea foreman (digest worker) and gunicorn, as the single-server docs run
        them; returns when both are up."""
        bin_ = VENV / "bin"
        self.snappea_log = self.folder / "snappea.log"
        self.web_log = self.folder / "gunicorn.log"
        with self.snappea_log.open("wb") as out:
            self.snappea = subprocess.Popen(
                [str(bin_ / "bugsink-runsnappea")],
                cwd=self.folder,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(self.snappea)
        with self.web_log.open("wb") as out:
            self.web = subprocess.Popen(
                [
                    str(bin_ / "gunicorn"),
                    f"--bind=127.0.0.1:{self.port}",
                    f"--workers={self.workers}",
                    f"--control-socket={self.folder / 'gunicorn.ctl'}",
                    "bugsink.wsgi",
                ],
                cwd=self.folder,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(self.web)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"bugsink exited:\n{self.logs()}")
            ready = "proceeding to main loop" in self.snappea_log.read_text(errors="replace")
            if ready and len(process_tree(self.web.pid)) >= self.workers + 1:
                try:
                    url = f"http://127.0.0.1:{self.port}/health/ready"
                    with urllib.request.urlopen(url, timeout=2) as response:
                        if response.status == 200:
                            return
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"bugsink did not come up:\n{self.logs()}")

    def logs(self, tail: int | None = 3000) -> str:
        """Both logs (the last `tail` characters of each; None for all of them)."""
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-tail if tail else 0 :]}"
            for log in (self.web_log, self.snappea_log)
            if log.exists()
        )

    def stop(self) -> None:
        """Terminate both process trees (only the processes this object started)."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def cpu(self) -> dict[int, float]:
        """CPU seconds of every process of both trees."""
        return {**cpu_seconds(self.web.pid), **cpu_seconds(self.snappea.pid)}

    def counts(self) -> tuple[int, int, int]:
        """(stored events, issues, queued tasks), read straight from the SQLite files."""
        with sqlite3.connect(f"file:{self.data / 'db.sqlite3'}?mode=ro", uri=True) as db:
            events = db.execute("SELECT count(*) FROM events_event").fetchone()[0]
            issues = db.execute("SELECT count(*) FROM issues_issue").fetchone()[0]
        with sqlite3.connect(f"file:{self.data / 'snappea.sqlite3'}?mode=ro", uri=True) as db:
            tasks = db.execute("SELECT count(*) FROM snappea_task").fetchone()[0]
        return events, issues, tasks

    def drain(self, expected: int, timeout: float) -> tuple[float, bool]:
        """Wait until `expected` events are stored and no task is queued; (when, drained)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                events, _issues, tasks = self.counts()
            except sqlite3.OperationalError:  # locked for a moment by a digest
                events, tasks = -1, -1
            if events >= expected and tasks == 0:
                return time.perf_counter(), True
            time.sleep(0.1)
        return time.perf_counter(), False


def measure_bugsink(folder: Path, port: int, make_load, args) -> dict:
    """Install, start, warm up (and drain), load, drain; CPU of both trees across the measured
    load and its digestion. `make_load(dsn)` builds the warm-up + measured requests."""
    folder.mkdir(parents=True)
    sink = Bugsink(folder, port, args.bugsink_workers)
    project = sink.install()
    load = make_load(project["dsn"])
    warmup, count = args.bugsink_warmup, args.bugsink_count
    path = f"/api/{project['id']}/envelope/"
    try:
        sink.start()
        samplers = [MemorySampler(sink.web.pid), MemorySampler(sink.snappea.pid)]
        for sampler in samplers:
            sampler.start()
        warm = run_load(port, load[:warmup], args.concurrency, args.timeout, path)
        _when, warm_drained = sink.drain(warm.accepted, args.timeout)
        before = sink.cpu()
        started = time.perf_counter()
        main = run_load(port, load[warmup : warmup + count], args.concurrency, args.timeout, path)
        finished, drained = sink.drain(warm.accepted + main.accepted, args.timeout)
        after = sink.cpu()
        memory = [sampler.stop() for sampler in samplers]
        events, issues, tasks = sink.counts()
    finally:
        sink.stop()
    cpu, stable = cpu_delta(before, after)
    stored = events - warm.accepted
    wall = finished - started
    figures = main.summary()
    return {
        **figures,
        "version": version(),
        "web_workers": args.bugsink_workers,
        "warmup": warm.summary(),
        "warmup_drained": warm_drained,
        "drained": drained,
        "stored_events": events,
        "stored_in_phase": stored,
        "issues": issues,
        "tasks_left": tasks,
        "stored_wall_s": round(wall, 3),
        "stored_rate": round(stored / wall, 1) if wall > 0 else 0.0,
        "process_set_stable": stable,
        "server_cpu_s": round(cpu, 3),
        "cpu_ms_per_stored_event": round(cpu * 1000 / max(1, stored), 3),
        "peak_rss_tree_mb": round(sum(m["peak_rss_tree_mb"] for m in memory), 1),
        "peak_rss_process_mb": max(m["peak_rss_process_mb"] for m in memory),
        "peak_pss_tree_mb": round(sum(m["peak_pss_tree_mb"] for m in memory), 1),
        "log_tracebacks": sink.logs(None).count("Traceback"),
    }
