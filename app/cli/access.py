"""`faultline token ...` and `faultline user ...`: API tokens and local accounts from a shell.

Whoever runs these has the database, so they act as the audit log's `cli` and a token made
without `--user` is an operator token: it has no owner and acts as an administrator (cut to
its `--scope`s and `--project`s).
"""

import getpass
import json
import sys
import warnings
from datetime import UTC, datetime, timedelta

import click

from app.cli.context import config_of, session_for
from app.core.roles import ROLES, SCOPES

ROLE_LABELS = {"admin": "administrator", "member": "member", "viewer": "viewer"}


@click.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.option("--name", required=True, help="What the token is for.")
@click.option(
    "--user",
    "email",
    default=None,
    help="Owner's email: the token never does more than the owner's role. Without it, an "
    "operator token that acts as an administrator.",
)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(SCOPES),
    help="What it may do (repeat; default: all the owner's role allows).",
)
@click.option(
    "--project",
    "projects",
    multiple=True,
    type=int,
    help="A project id it is limited to (repeat; default: every project).",
)
@click.option(
    "--expires-days", type=click.IntRange(1, 3650), default=None, help="Days until it expires."
)
@click.pass_context
def token_create(ctx, name: str, email, scopes, projects, expires_days) -> None:
    """Create an API token; it is printed once, on the last line, and stored hashed."""
    from sqlalchemy import select

    from app.access.accounts import find_user
    from app.access.tokens import TokenError, create_token
    from app.audit import CLI, record
    from app.models import Project

    with session_for(config_of(ctx)) as session:
        owner = find_user(session, email) if email is not None else None
        if email is not None and owner is None:
            raise click.ClickException(f"no user with email {email.strip().lower()}")
        live = select(Project.id).where(Project.id.in_(projects), Project.deleted_at.is_(None))
        unknown = sorted(set(projects) - set(session.scalars(live)))
        if unknown:
            raise click.ClickException(f"no project with id {', '.join(map(str, unknown))}")
        now = datetime.now(UTC)
        expires_at = now + timedelta(days=expires_days) if expires_days else None
        try:
            plaintext, row = create_token(
                session, name, owner, list(scopes) or None, list(projects) or None, expires_at, now
            )
        except TokenError as error:
            raise click.ClickException(str(error)) from None
        record(
            session,
            CLI,
            "token.create",
            "token",
            row.id,
            now,
            name=name,
            owner=row.user_id,
            scopes=row.scopes,
            project_ids=row.project_ids,
        )
        session.commit()
        whose = f"for {owner.email}" if owner is not None else "(operator: no owner)"
    click.echo(
        f"API token '{name}' {whose} with {', '.join(row.scopes)} created. "
        "It is shown only now; keep it somewhere safe:",
        err=True,
    )
    click.echo(plaintext)


@token.command("list")
@click.pass_context
def token_list(ctx) -> None:
    """Print every API token (never its secret) as one JSON line."""
    from sqlalchemy import select

    from app.api.tokens import token_dict
    from app.models import ApiToken, User

    now = datetime.now(UTC)
    with session_for(config_of(ctx)) as session:
        query = select(ApiToken, User).outerjoin(User, User.id == ApiToken.user_id)
        for row, owner in session.execute(query.order_by(ApiToken.id)):
            click.echo(json.dumps(token_dict(row, owner, now)))


@token.command("revoke")
@click.argument("token_id", type=int)
@click.pass_context
def token_revoke(ctx, token_id: int) -> None:
    """Revoke an API token by id (from `faultline token list`): it stops working at once."""
    from app.audit import CLI, record
    from app.models import ApiToken

    with session_for(config_of(ctx)) as session:
        found = session.get(ApiToken, token_id)
        if found is None:
            raise click.ClickException(f"no API token with id {token_id}")
        session.delete(found)
        record(
            session, CLI, "token.revoke", "token", token_id, name=found.name, owner=found.user_id
        )
        session.commit()
    click.echo(f"revoked API token {token_id} ({found.name})")


@click.group()
def user() -> None:
    """Manage the people who sign in to the dashboard (local accounts)."""


@user.command("create")
@click.option("--email", required=True, help="Email address (the sign-in name).")
@click.option(
    "--password",
    default=None,
    help="Password; asked for twice in a terminal when left out (which keeps it out of shell "
    "history).",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)
@click.option("--admin", is_flag=True, help="Make an administrator (the first user always is).")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default="member",
    help="What the user may do: administer, triage (member) or only read (viewer).",
)
@click.pass_context
def user_create(ctx, email: str, password, password_stdin: bool, admin: bool, role: str) -> None:
    """Create a local account; the password is stored as an argon2id hash."""
    from app.access.accounts import AccountError, create_user
    from app.audit import CLI, record

    password = _password_of(password, password_stdin)
    with session_for(config_of(ctx)) as session:
        try:
            created = create_user(
                session, email, password, "admin" if admin else role, datetime.now(UTC)
            )
        except AccountError as error:
            raise click.ClickException(str(error)) from None
        record(
            session, CLI, "user.create", "user", created.id, email=created.email, role=created.role
        )
        session.commit()
    click.echo(f"created {ROLE_LABELS[created.role]} {created.email}")


def _password_of(given: str | None, from_stdin: bool) -> str:
    if given is not None and from_stdin:
        raise click.UsageError("give --password or --password-stdin, not both")
    if from_stdin:
        # One line, as `printf '%s\n' "$PASSWORD" |` or a secrets file sends it.
        return sys.stdin.readline().rstrip("\r\n")
    if given is not None:
        return given
    # Without a terminal getpass reads stdin instead, warning with a GetPassWarning, and at its
    # end click aborts without a reason: say what works instead.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", getpass.GetPassWarning)
            return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    except click.Abort:
        if sys.stdin.isatty():
            raise  # Ctrl-C or Ctrl-D at a real prompt
        click.echo(err=True)
        raise click.ClickException(
            "the password prompt needs a terminal; in a script, pipe the password in: "
            "printf '%s\\n' \"$PASSWORD\" | faultline user create --email E --password-stdin"
        ) from None


@user.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    """Print every local account as one JSON line."""
    from sqlalchemy import select

    from app.api.users import user_dict
    from app.models import User

    with session_for(config_of(ctx)) as session:
        for row in session.scalars(select(User).order_by(User.id)):
            click.echo(json.dumps(user_dict(row)))


@user.command("role")
@click.option("--email", required=True, help="Email address of the account.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="Its new role.")
@click.pass_context
def user_role(ctx: click.Context, email: str, role: str) -> None:
    """Change an account's role; its sessions and tokens act with it from their next request."""
    from app.api.users import administrators
    from app.audit import CLI, record

    with session_for(config_of(ctx)) as session:
        found = _existing(session, email)
        old = found.role
        if old == "admin" and role != "admin" and administrators(session) <= 1:
            raise click.ClickException(f"{found.email} is the last administrator")
        if role != old:
            found.role = role
            record(
                session, CLI, "user.role", "user", found.id, email=found.email, old=old, new=role
            )
            session.commit()
    click.echo(f"{found.email} is now {ROLE_LABELS[role]} (was {ROLE_LABELS[old]})")


@user.command("delete")
@click.option("--email", required=True, help="Email address of the account.")
@click.pass_context
def user_delete(ctx: click.Context, email: str) -> None:
    """Delete a local account; its browser sessions and API tokens end with it."""
    from app.audit import CLI, record

    with session_for(config_of(ctx)) as session:
        found = _existing(session, email)
        session.delete(found)
        record(session, CLI, "user.delete", "user", found.id, email=found.email)
        session.commit()
    click.echo(f"deleted user {found.email}")


def _existing(session, email: str):
    from app.access.accounts import find_user

    found = find_user(session, email)
    if found is None:
        raise click.ClickException(f"no user with email {email.strip().lower()}")
    return found
