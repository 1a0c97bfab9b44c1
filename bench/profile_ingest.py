"""Where `POST /track/exception`, `/track/hit` or a Sentry envelope spends CPU: cProfile over
an in-process loop."""

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

from envelopes import envelopes, path_for  # noqa: E402
from hits import views  # noqa: E402
from ingest_store import upload_build_maps  # noqa: E402
from minified_events import mapped_reports  # noqa: E402
from reports import USER_AGENTS, reports  # noqa: E402

from app import create_app  # noqa: E402
from app.cli import run_migrations  # noqa: E402
from app.config import load_config  # noqa: E402
from app.store.projects import create_project  # noqa: E402


def main() -> None:
    """Warm up, then profile `--count` posts and print the top entries."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--dump", help="also write the raw profile to this file")
    parser.add_argument("--sort", default="cumulative", help="pstats key: cumulative, tottime")
    parser.add_argument("--endpoint", choices=("exception", "hit", "envelope"), default="exception")
    parser.add_argument(
        "--mapped", action="store_true", help="minified exceptions, their build's maps uploaded"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="faultline-profile-") as tmp:
        config_path = Path(tmp) / "profile.yaml"
        config_path.write_text(
            f"mode: development\nsecret_key: profile-{'x' * 32}\n"
            f"database:\n  url: sqlite:///{tmp}/faultline.db\n"
            "ratelimit:\n  tracking_per_minute: 100000000\n  tracking_burst: 10000000\n"
        )
        config = load_config(config_path)
        run_migrations(config["database"]["url"])
        if args.mapped:
            cli = [sys.executable, "-m", "app.cli", "--config", str(config_path)]
            upload_build_maps(cli, config["database"]["url"])
        app = create_app(config)
        client = app.test_client()
        total = args.warmup + args.count
        if args.endpoint == "envelope":
            with app.extensions["faultline.sessionmaker"]() as session:
                project = create_project(session, "bench")
                session.commit()
                dsn = f"http://{project.public_key}@127.0.0.1/{project.id}"
            load, path, expected = envelopes(total, dsn), path_for(dsn), 200
        elif args.mapped:
            load = mapped_reports(total, USER_AGENTS[0][1])
            path, expected = "/track/exception", 204
        else:
            load = (views if args.endpoint == "hit" else reports)(total)
            path, expected = f"/track/{args.endpoint}", 204

        def post(body: bytes, agent: str, headers: dict | None = None) -> None:
            response = client.post(
                path,
                data=body,
                headers={"Content-Type": "text/plain", "User-Agent": agent, **(headers or {})},
            )
            # A failing request would profile the error path instead of ingest.
            assert response.status_code == expected, response.status_code

        for request in load[: args.warmup]:
            post(*request)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for request in load[args.warmup :]:
            post(*request)
        profiler.disable()
        if args.dump:
            profiler.dump_stats(args.dump)
        elapsed = time.perf_counter() - started

    print(
        f"{args.count} posts in {elapsed:.2f} s under cProfile "
        f"({elapsed * 1000 / args.count:.2f} ms each, profiler overhead included)\n"
    )
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
