"""The `faultline` command: serve, migrate, projects, tokens, users, source maps, config check.

Each command imports the database layer when it runs: `serve` leaves it to its workers, so
gunicorn's master, which never touches the database, stays at a third of a worker's memory.
"""

import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from app.config import ConfigError, config_path_from_env, load_config

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _config(ctx: click.Context) -> dict:
    try:
        return load_config(ctx.obj["config_path"])
    except ConfigError as error:
        raise click.ClickException(f"configuration error: {error}") from None


def _session(config: dict) -> "Session":
    from sqlalchemy.orm import Session

    from app.db import make_engine

    return Session(make_engine(config["database"]["url"]), expire_on_commit=False)


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

    config = _config(ctx)
    url = make_url(config["database"]["url"])
    click.echo(
        f"config ok: mode={config['mode']} database={url.render_as_string(hide_password=True)}"
    )


@main.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Create or upgrade the database schema to the latest revision."""
    config = _config(ctx)
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

    config = _config(ctx)
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

    session = _session(config)
    try:
        exists = has_users(session)
    except SQLAlchemyError:
        return  # not migrated yet: `faultline migrate` comes first anyway
    finally:
        session.close()
        session.get_bind().dispose()  # a clean goodbye to PostgreSQL before the child exits
    if not exists:
        click.echo(
            "No user yet. Create the first administrator (it asks for a password):\n"
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

    config = _config(ctx)
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

    config = _config(ctx)
    with _session(config) as session:
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
    from app.store.projects import create_project

    config = _config(ctx)
    with create_app(config).test_request_context(), _session(config) as session:
        created = create_project(session, name)
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

    config = _config(ctx)
    with create_app(config).test_request_context(), _session(config) as session:
        live = select(Project).where(Project.deleted_at.is_(None)).order_by(Project.id)
        for row in session.scalars(live):
            click.echo(json.dumps(project_dict(row)))


@main.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.option("--name", required=True, help="What the token is for.")
@click.pass_context
def token_create(ctx: click.Context, name: str) -> None:
    """Create an API token; it is printed once, on the last line, and stored hashed."""
    from app.access.tokens import create_token

    config = _config(ctx)
    with _session(config) as session:
        plaintext, _row = create_token(session, name)
        session.commit()
    click.echo(
        f"API token '{name}' created. It is shown only now; keep it somewhere safe:", err=True
    )
    click.echo(plaintext)


@main.group()
def user() -> None:
    """Manage the people who sign in to the dashboard (local accounts)."""


@user.command("create")
@click.option("--email", required=True, help="Email address (the sign-in name).")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Password; asked for twice when left out (which keeps it out of shell history).",
)
@click.option("--admin", is_flag=True, help="Make an administrator (the first user always is).")
@click.option(
    "--role",
    type=click.Choice(["admin", "member", "viewer"]),
    default="member",
    help="What the user may do: administer, triage (member) or only read (viewer).",
)
@click.pass_context
def user_create(ctx: click.Context, email: str, password: str, admin: bool, role: str) -> None:
    """Create a local account; the password is stored as an argon2id hash."""
    from datetime import UTC, datetime

    from app.access.accounts import AccountError, create_user

    config = _config(ctx)
    with _session(config) as session:
        try:
            created = create_user(
                session, email, password, "admin" if admin else role, datetime.now(UTC)
            )
        except AccountError as error:
            raise click.ClickException(str(error)) from None
        session.commit()
    label = {"admin": "administrator", "member": "member", "viewer": "viewer"}[created.role]
    click.echo(f"created {label} {created.email}")


@user.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    """Print every local account as one JSON line."""
    from sqlalchemy import select

    from app.api.users import user_dict
    from app.models import User

    config = _config(ctx)
    with _session(config) as session:
        for row in session.scalars(select(User).order_by(User.id)):
            click.echo(json.dumps(user_dict(row)))


@user.command("delete")
@click.option("--email", required=True, help="Email address of the account.")
@click.pass_context
def user_delete(ctx: click.Context, email: str) -> None:
    """Delete a local account; its browser sessions end with it."""
    from app.access.accounts import find_user

    config = _config(ctx)
    with _session(config) as session:
        found = find_user(session, email)
        if found is None:
            raise click.ClickException(f"no user with email {email.strip().lower()}")
        session.delete(found)
        session.commit()
    click.echo(f"deleted user {found.email}")


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

    click.echo(upload(_config(ctx), project, release, url_prefix, paths))


@sourcemaps.command("list")
@click.option("--project", required=True, help="Project id or name.")
@click.pass_context
def sourcemaps_list(ctx, project: str) -> None:
    """Print the project's bundles, newest first, one JSON line each."""
    from app.sourcemaps.command import bundle_lines

    for line in bundle_lines(_config(ctx), project):
        click.echo(line)


@sourcemaps.command("delete")
@click.option("--project", required=True, help="Project id or name.")
@click.option("--bundle", "bundle_id", type=int, required=True, help="Bundle id (from list).")
@click.pass_context
def sourcemaps_delete(ctx, project: str, bundle_id: int) -> None:
    """Delete one bundle and its files."""
    from app.sourcemaps.command import delete

    click.echo(delete(_config(ctx), project, bundle_id))


if __name__ == "__main__":
    sys.exit(main())
