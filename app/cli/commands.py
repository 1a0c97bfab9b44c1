"""The `faultline` command: serve, migrate, projects, tokens, users, source maps, config check.

Each command imports the database layer when it runs: `serve` leaves it to its workers, so
gunicorn's master, which never touches the database, stays at a third of a worker's memory.
"""

import json
import logging
import os
import sys
from pathlib import Path

import click

from app.cli.access import token, user
from app.cli.context import config_of, session_for
from app.config import config_path_from_env

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@click.group()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Config file (default: $FAULTLINE_CONFIG, else built-in defaults).",
)
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """Faultline: privacy-first error tracking and web analytics."""
    # Our log lines carry no request data (no address, URL or header), only what happened.
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    ctx.obj = {"config_path": config_path or config_path_from_env()}


@main.command("check-config")
@click.pass_context
def check_config(ctx: click.Context) -> None:
    """Load and validate the configuration, then say what it points at."""
    from sqlalchemy.engine import make_url

    config = config_of(ctx)
    url = make_url(config["database"]["url"])
    click.echo(
        f"config ok: mode={config['mode']} database={url.render_as_string(hide_password=True)}"
    )


@main.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Create or upgrade the database schema to the latest revision."""
    config = config_of(ctx)
    url = config["database"]["url"]
    run_migrations(url)
    click.echo("database is at the latest revision")


def run_migrations(url: str) -> None:
    """Apply every Alembic revision up to head (creating a SQLite file's folder first)."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    alembic_config = Config(str(MIGRATIONS / "alembic.ini"))
    alembic_config.attributes["url"] = url
    alembic_config.attributes["configure_logging"] = False
    command.upgrade(alembic_config, "head")


@main.command()
@click.option("--host", default=None, help="Address to bind (default: web.host).")
@click.option("--port", type=int, default=None, help="Port (default: web.port).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve ingest, API and static files with gunicorn."""
    from app.server import serve as run_server

    config = config_of(ctx)
    if not config["secret_key"]:
        # Said here, where sessions get signed, not by every command that loads the config.
        click.echo(
            "no secret_key set: using a random one for each serving process (development mode)",
            err=True,
        )
    _first_admin_hint(config)
    run_server(config, host or config["web"]["host"], port or config["web"]["port"])


def _first_admin_hint(config: dict) -> None:
    # There is never a default password: a fresh instance says how to make the first account.
    # Asked in a child process: what the question imports (SQLAlchemy, the models) and opens
    # ends with it instead of staying in gunicorn's master, which every worker is forked from.
    child = os.fork()
    if child:
        os.waitpid(child, 0)
        return
    try:
        _say_how_to_make_the_first_admin(config)
    finally:
        sys.stderr.flush()
        os._exit(0)


def _say_how_to_make_the_first_admin(config: dict) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from app.access.accounts import has_users

    session = session_for(config)
    try:
        exists = has_users(session)
    except SQLAlchemyError:
        return  # not migrated yet: `faultline migrate` comes first anyway
    finally:
        session.close()
        session.get_bind().dispose()  # a clean goodbye to PostgreSQL before the child exits
    if not exists:
        click.echo(
            "No user yet. Create the first administrator (it asks for a password; in a script,\n"
            "pipe one line to --password-stdin):\n"
            "    faultline user create --email you@example.org\n"
            f"then sign in at {config['web']['base_url'].rstrip('/')}/login",
            err=True,
        )


@main.command()
@click.pass_context
def purge(ctx: click.Context) -> None:
    """Delete raw events and hits older than retention.days (rollups, groups and daily counts
    keep the history); `faultline serve` also does this every hour."""
    from datetime import UTC, datetime

    from app.db import make_engine
    from app.store.retention import purge_expired

    config = config_of(ctx)
    engine = make_engine(config["database"]["url"])
    days = config["retention"]["days"]
    removed = purge_expired(engine, days, datetime.now(UTC))
    engine.dispose()
    click.echo(
        f"removed {removed['events']} events and {removed['hits']} hits older than {days} days, "
        f"and {removed['sourcemap_bundles']} source map bundles unused as long"
    )


@main.command()
@click.pass_context
def regroup(ctx: click.Context) -> None:
    """Move groups to the current fingerprint version (run after an upgrade that changes it)."""
    from datetime import UTC, datetime

    from app.core.fingerprint import FINGERPRINT_VERSION, compute
    from app.groups.regroup import regroup as run_regroup

    config = config_of(ctx)
    with session_for(config) as session:
        report = run_regroup(session, compute, FINGERPRINT_VERSION, datetime.now(UTC))
        session.commit()
    click.echo(
        f"fingerprint v{FINGERPRINT_VERSION}: {report.rekeyed} groups re-keyed, "
        f"{report.unchanged} unchanged, {report.pointers} extra keys kept pointing at their "
        f"group, {report.without_events} without events left as they were"
    )
    for group_id, other in report.conflicts:
        click.echo(f"conflict: group {group_id} would take group {other}'s key; not merged")


@main.group()
def project() -> None:
    """Manage projects."""


@project.command("create")
@click.option("--name", required=True, help="Project name.")
@click.pass_context
def project_create(ctx: click.Context, name: str) -> None:
    """Create a project and print it as JSON (with its DSN)."""
    from app import create_app
    from app.api.projects import project_dict
    from app.audit import CLI, record
    from app.store.projects import create_project

    config = config_of(ctx)
    with create_app(config).test_request_context(), session_for(config) as session:
        created = create_project(session, name)
        record(session, CLI, "project.create", "project", created.id, name=created.name)
        session.commit()
        click.echo(json.dumps(project_dict(created)))


@project.command("list")
@click.pass_context
def project_list(ctx: click.Context) -> None:
    """Print every project (deleted ones left out) as one JSON line."""
    from sqlalchemy import select

    from app import create_app
    from app.api.projects import project_dict
    from app.models import Project

    config = config_of(ctx)
    with create_app(config).test_request_context(), session_for(config) as session:
        live = select(Project).where(Project.deleted_at.is_(None)).order_by(Project.id)
        for row in session.scalars(live):
            click.echo(json.dumps(project_dict(row)))


@main.group()
def sourcemaps() -> None:
    """Upload, list and delete source maps (applied to minified frames before grouping)."""


@sourcemaps.command("upload")
@click.option("--project", required=True, help="Project id or name.")
@click.option("--release", default=None, help="Release the scripts belong to.")
@click.option(
    "--url-prefix",
    default=None,
    help="Where the files are served: `~/assets` is /assets/ on any origin (default `~/`).",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.pass_context
def sourcemaps_upload(ctx, project: str, release: str | None, url_prefix: str | None, paths):
    """Upload maps and the minified scripts they explain (files or folders); stored events
    they explain are mapped again and regrouped."""
    from app.sourcemaps.command import upload

    click.echo(upload(config_of(ctx), project, release, url_prefix, paths))


@sourcemaps.command("list")
@click.option("--project", required=True, help="Project id or name.")
@click.pass_context
def sourcemaps_list(ctx, project: str) -> None:
    """Print the project's bundles, newest first, one JSON line each."""
    from app.sourcemaps.command import bundle_lines

    for line in bundle_lines(config_of(ctx), project):
        click.echo(line)


@sourcemaps.command("delete")
@click.option("--project", required=True, help="Project id or name.")
@click.option("--bundle", "bundle_id", type=int, required=True, help="Bundle id (from list).")
@click.pass_context
def sourcemaps_delete(ctx, project: str, bundle_id: int) -> None:
    """Delete one bundle and its files."""
    from app.sourcemaps.command import delete

    click.echo(delete(config_of(ctx), project, bundle_id))


@main.command()
@click.pass_context
def worker(ctx: click.Context) -> None:
    """Send alerts (and check rate rules) until SIGTERM: for `alerts.worker: false` setups."""
    from app.alerts.command import run_worker

    run_worker(config_of(ctx))


main.add_command(token)
main.add_command(user)
