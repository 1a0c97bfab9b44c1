"""Stats latency on a big dataset (issue 4, point 14b): 1,000,000 page views over 90 days.

    .venv/bin/python bench/stats.py                       # SQLite in a temp dir
    .venv/bin/python bench/stats.py --url postgresql+psycopg://...
    bash bench/stats_pg.sh                                # a throw-away PostgreSQL 15

Generates, seeded: page views of three sites (60/30/10% of traffic) with a daily rhythm,
Zipf-like paths, referrers, countries, languages, real User-Agent families, UTM tags on some
views, an unload with its time on page for 70% of views, a custom event for 5%, and 5,000
exceptions through the real exception pipeline. Raw hits are inserted in bulk and their rollups
added by the same code ingest uses (app/store/rollups.py), batch by batch.

Then times, median of --repeat runs each: the whole `GET /api/v1/stats` (summary, previous
summary, both series, all breakdowns) for 30 and 90 days, one site and all; each part alone;
errors per 1,000 page views; and a filtered call, which reads raw rows. Target: every stats
call under 250 ms and the whole dashboard payload under 1 s. Each figure is also printed as a
ratio to a reference timed in the same run: counting the busiest site's page views of the
window from raw hits, the one number a store without rollups would have to scan for.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from app.access.tokens import create_token
from app.api.stats import BREAKDOWNS
from app.cli import run_migrations
from app.config import load_config
from app.core.hits import HitRecord
from app.core.pipeline import IngestRules, RequestFacts, build_exception
from app.core.timegrid import Window, choose_interval
from app.core.traffic import hit_contribution
from app.models import Hit, Project, Source
from app.schemas import ExceptionReportIn
from app.stats.breakdowns import breakdowns
from app.stats.summary import Scope, summary, timeseries
from app.store.cache import IngestCache
from app.store.exceptions import save_exceptions
from app.store.projects import create_project
from app.store.rollups import add_to_rollups

SITES = (("shop.example.com", 0.6), ("docs.example.org", 0.3), ("blog.example.net", 0.1))
AGENTS = [
    ("Chrome", "131", "Windows", "desktop", 30),
    ("Chrome", "130", "Windows", "desktop", 8),
    ("Chrome", "131", "Mac OS X", "desktop", 8),
    ("Mobile Safari", "18", "iOS", "mobile", 16),
    ("Chrome Mobile", "131", "Android", "mobile", 14),
    ("Firefox", "133", "Windows", "desktop", 6),
    ("Firefox", "128", "Linux", "desktop", 3),
    ("Edge", "131", "Windows", "desktop", 7),
    ("Safari", "18", "Mac OS X", "desktop", 5),
    ("Samsung Internet", "27", "Android", "mobile", 3),
]
COUNTRIES = [
    "US",
    "DE",
    "GB",
    "FR",
    "IN",
    "BR",
    "JP",
    "CA",
    "NL",
    "ES",
    "IT",
    "PL",
    "SE",
    "AU",
    "MX",
    "KR",
    "CH",
    "AT",
    "BE",
    "DK",
]
LANGUAGES = ["en", "de", "fr", "es", "ja", "pt", "nl", "it", "pl", "sv", "ko"]
REFERRERS = [
    (None, None, 50),
    ("google.com", "search", 25),
    ("bing.com", "search", 3),
    ("duckduckgo.com", "search", 3),
    ("t.co", "social", 3),
    ("reddit.com", "social", 3),
    ("news.ycombinator.com", "social", 2),
    ("mail.google.com", "email", 2),
] + [(f"blog{n}.example.io", None, 0.3) for n in range(30)]
UTM = [(None, None, None)] * 18 + [
    ("newsletter", "email", "spring"),
    ("twitter", "social", "launch"),
]
EXCEPTIONS = 5000
BATCH = 20_000


def zipf_weights(count: int) -> list[float]:
    """Weights of a Zipf-like popularity curve."""
    return [1 / (rank + 1) for rank in range(count)]


def generate(app, page_views: int, days: int, seed: int) -> dict:
    """Fill the database; returns the project ids by site."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    maker = app.extensions["faultline.sessionmaker"]
    projects = {}
    with maker() as session:
        for host, _ in SITES:
            project = create_project(session, host, now - timedelta(days=days + 1))
            source = Source(
                project_id=project.id,
                key=f"https://{host}",
                kind="web",
                auto_registered=False,
                created_at=project.created_at,
            )
            session.add(source)
            session.flush()
            projects[host] = (project.id, source.id)
        session.commit()
    paths = [f"/{section}/{n}" for section in ("product", "docs", "post", "tag") for n in range(75)]
    path_weights = zipf_weights(len(paths))
    engine = app.extensions["faultline.engine"]
    insert = Hit.__table__.insert()
    made = 0
    started = time.perf_counter()
    batches = -(-page_views // BATCH)
    span = timedelta(days=days) / batches
    for index in range(batches):
        # Batch by batch forward in time, rows sorted: the order real ingest stores them in.
        since = now - timedelta(days=days) + index * span
        views = [
            _page_view(rng, since, span, projects, paths, path_weights)
            for _ in range(min(BATCH, page_views - made))
        ]
        made += len(views)
        stored = sorted(
            (pair for view in views for pair in view), key=lambda pair: pair[0].received_at
        )
        rows = [_row(record, *ids) for record, ids in stored]
        entries = [
            (ids[0], ids[1], record.received_at, hit_contribution(record), record.duration_ms)
            for record, ids in stored
        ]
        with engine.begin() as conn:
            conn.execute(insert, rows)
            add_to_rollups(conn, entries)
        if made % 100_000 < BATCH:
            print(f"  {made:,} page views ({time.perf_counter() - started:.0f} s)", flush=True)
    _exceptions(app, rng, now, days)
    return {host: ids[0] for host, ids in projects.items()}


def _page_view(rng, since, span, projects, paths, path_weights) -> list:
    host = rng.choices([site for site, _ in SITES], [share for _, share in SITES])[0]
    ids = projects[host]
    while True:  # a daily rhythm: busier in the (UTC) afternoon
        at = since + span * rng.random()
        if rng.random() < 0.35 + 0.65 * abs(12 - abs(at.hour - 15)) / 12:
            break
    browser, version, os_name, device, _ = rng.choices(AGENTS, [a[-1] for a in AGENTS])[0]
    referrer_host, group, _ = rng.choices(REFERRERS, [r[-1] for r in REFERRERS])[0]
    utm_source, utm_medium, utm_campaign = rng.choice(UTM)
    common = {
        "source_key": f"https://{host}",
        "path": rng.choices(paths, path_weights)[0],
        "country": rng.choices(COUNTRIES, zipf_weights(len(COUNTRIES)))[0],
        "language": rng.choices(LANGUAGES, zipf_weights(len(LANGUAGES)))[0],
        "browser": browser,
        "browser_version": version,
        "os": os_name,
        "device": device,
        "beacon": f"{rng.getrandbits(64):016x}",
    }
    first = rng.random() < 0.45
    yield (
        HitRecord(
            kind="load",
            received_at=at,
            unique_visit=first,
            unique_page=first or rng.random() < 0.3,
            referrer_host=referrer_host,
            referrer_group=group,
            utm_source=utm_source,
            utm_medium=utm_medium,
            utm_campaign=utm_campaign,
            **common,
        ),
        ids,
    )
    if rng.random() < 0.7:
        duration = int(rng.lognormvariate(9.5, 1.4))
        if duration <= 86_400_000:
            later = min(at + timedelta(milliseconds=duration), datetime.now(UTC))
            yield HitRecord(kind="unload", received_at=later, duration_ms=duration, **common), ids
    if rng.random() < 0.05:
        yield HitRecord(kind="custom", received_at=at, event_name="signup", **common), ids


def _row(record: HitRecord, project_id: int, source_id: int) -> dict:
    row = {name: getattr(record, name) for name in HitRecord.__dataclass_fields__}
    for key in ("source_key", "source_kind", "project_id", "metadata"):
        row.pop(key)
    row.update(project_id=project_id, source_id=source_id)
    return row


def _exceptions(app, rng, now, days) -> None:
    rules = IngestRules(caps=app.config["FAULTLINE"]["ingest"]["caps"])
    ua = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36"
    )
    records = []
    for index in range(EXCEPTIONS):
        host = rng.choices([site for site, _ in SITES], [share for _, share in SITES])[0]
        body = ExceptionReportIn().load(
            {
                "u": f"https://{host}/product/{index % 40}",
                "ty": rng.choice(["TypeError", "RangeError", "ReferenceError"]),
                "m": f"problem {index % 25}",
                "s": f"TypeError: x\n    at f{index % 25} (https://{host}/app.js:1:{index % 300})",
                "v": rng.choice(["1.0.0", "1.1.0", "1.2.0"]),
            }
        )
        at = now - timedelta(seconds=rng.uniform(0, days * 86400))
        records.append(build_exception(body, RequestFacts(ua, at, "en"), rules))
    cache = IngestCache()
    engine = app.extensions["faultline.engine"]
    for start in range(0, len(records), 500):
        with engine.begin() as conn:
            save_exceptions(conn, cache, records[start : start + 500], 1000)


def _existing(app) -> dict:
    with app.extensions["faultline.sessionmaker"]() as session:
        return dict(session.execute(select(Project.name, Project.id)).all())


def median_ms(call, repeat: int) -> float:
    """Median wall time of a call in milliseconds (after one warm-up call)."""
    call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def raw_scan_ms(app, project_id: int, days: int, repeat: int) -> float:
    """The reference of the same run: counting the site's page views over the window from
    raw hits, one number the way a store without rollups would have to."""
    start = datetime.now(UTC) - timedelta(days=days)
    query = select(func.count()).where(
        Hit.project_id == project_id, Hit.kind == "load", Hit.received_at >= start
    )
    with app.extensions["faultline.sessionmaker"]() as session:
        return median_ms(lambda: session.scalar(query), repeat)


def measure(app, project_ids: dict, repeat: int) -> list[tuple[str, float, float]]:
    """(what, median ms, limit ms) for every call."""
    client = app.test_client()
    maker = app.extensions["faultline.sessionmaker"]
    with maker() as session:
        token, _ = create_token(session, "bench")
        session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    shop = project_ids["shop.example.com"]
    results = []
    now = datetime.now(UTC)
    raw_since = now - timedelta(days=app.config["FAULTLINE"]["retention"]["days"])
    for days in (30, 90):
        start = (now - timedelta(days=days)).isoformat()
        for label, params in (("shop", {"project": shop}), ("all sites", {})):
            query = {"from": start, "to": now.isoformat(), **params}

            def whole(query=query):
                response = client.get("/api/v1/stats", query_string=query, headers=auth)
                assert response.status_code == 200, response.get_json()

            results.append(
                (f"{days}d {label}: whole /api/v1/stats", median_ms(whole, repeat), 1000)
            )
        window = Window(now - timedelta(days=days), now)
        scope = Scope([shop], (), raw_since)
        interval = choose_interval(window, None)
        with maker() as session:
            asked = (session, scope, window)
            parts = {
                "summary": lambda asked=asked: summary(*asked),
                f"timeseries ({interval})": lambda asked=asked, interval=interval: timeseries(
                    *asked, interval
                ),
            }
            for name in BREAKDOWNS:
                parts[f"breakdown {name}"] = lambda asked=asked, name=name: breakdowns(
                    *asked, (name,), 10
                )
            for what, call in parts.items():
                results.append((f"{days}d shop: {what}", median_ms(call, repeat), 250))
        query = {"from": start, "to": now.isoformat(), "project": shop, "by": "page"}
        results.append(
            (
                f"{days}d shop: errors per 1k views by page",
                median_ms(
                    lambda query=query: client.get(
                        "/api/v1/stats/errors-per-pageview", query_string=query, headers=auth
                    ),
                    repeat,
                ),
                250,
            )
        )
        filtered = {
            "from": start,
            "to": now.isoformat(),
            "project": shop,
            "filter": 'path == "/product/0"',
        }
        results.append(
            (
                f"{days}d shop: whole stats, filtered (raw rows)",
                median_ms(
                    lambda query=filtered: client.get(
                        "/api/v1/stats", query_string=query, headers=auth
                    ),
                    repeat,
                ),
                1000,
            )
        )
    return results


def main() -> int:
    """Generate, measure, print a table; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="database URL (default: SQLite in a temp dir)")
    parser.add_argument("--page-views", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument(
        "--reuse", action="store_true", help="measure the data already at --url, if any"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{folder}/bench.db"
        run_migrations(url)
        config = load_config(None, environ={})
        config["database"]["url"] = url
        app = create_app(config)
        backend = url.split(":")[0]
        project_ids = _existing(app) if args.reuse else {}
        if not project_ids:
            print(f"generating {args.page_views:,} page views over {args.days} days in {backend}")
            started = time.perf_counter()
            project_ids = generate(app, args.page_views, args.days, args.seed)
            print(f"generated in {time.perf_counter() - started:.0f} s")
        results = measure(app, project_ids, args.repeat)
        shop = project_ids["shop.example.com"]
        reference = {days: raw_scan_ms(app, shop, days, args.repeat) for days in (30, 90)}
        app.extensions["faultline.engine"].dispose()
    missed = 0
    for days, took in reference.items():
        print(
            f"\nreference: the busiest site's {days}-day page views counted from raw hits: "
            f"{took:.1f} ms"
        )
    print(f"\n{'call':58} {'median ms':>10} {'x ref':>6} {'target':>8}")
    for what, took, limit in results:
        verdict = "ok" if took < limit else "MISSED"
        missed += took >= limit
        ratio = took / reference[int(what.split("d ", 1)[0])]
        print(f"{what:58} {took:10.1f} {ratio:6.2f} {'<' + str(limit):>8} {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
