"""`faultline user ...` as an operator runs it, and the first-run hint of `faultline serve`."""

import json

import yaml
from click.testing import CliRunner
from sqlalchemy import select

from app.cli import main
from app.models import AuditEntry, User
from tests.api.test_cli import faultline
from tests.served import served
from tests.signin import PASSWORD, make_user, sign_in


def write_config(config, tmp_path):
    """The test config as a file for the command."""
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_user_create_list_delete(config, client, session, tmp_path):
    path = write_config(config, tmp_path)
    first = faultline(
        "user", "create", "--email", "Ada@Example.org", "--password", PASSWORD, config_path=path
    )
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "created administrator ada@example.org"
    second = faultline(
        "user", "create", "--email", "grace@example.org", "--password", PASSWORD, config_path=path
    )
    assert second.stdout.strip() == "created member grace@example.org"
    third = faultline(
        "user",
        "create",
        "--email",
        "linus@example.org",
        "--password",
        PASSWORD,
        "--admin",
        config_path=path,
    )
    assert third.stdout.strip() == "created administrator linus@example.org"
    taken = faultline(
        "user", "create", "--email", "ADA@example.org", "--password", PASSWORD, config_path=path
    )
    assert taken.returncode != 0 and "already exists" in taken.stderr
    short = faultline(
        "user", "create", "--email", "x@example.org", "--password", "short", config_path=path
    )
    assert short.returncode != 0 and "password must be" in short.stderr

    listed = faultline("user", "list", config_path=path)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["email"], r["is_admin"]) for r in rows] == [
        ("ada@example.org", True),
        ("grace@example.org", False),
        ("linus@example.org", True),
    ]
    assert sign_in(client, "ada@example.org").status_code == 303  # the CLI's hash works

    deleted = faultline("user", "delete", "--email", "Grace@example.org", config_path=path)
    assert deleted.returncode == 0 and "grace@example.org" in deleted.stdout
    missing = faultline("user", "delete", "--email", "grace@example.org", config_path=path)
    assert missing.returncode != 0 and "no user" in missing.stderr
    emails = session.scalars(select(User.email).order_by(User.id)).all()
    assert emails == ["ada@example.org", "linus@example.org"]


def test_user_create_asks_for_the_password_twice(config, session, tmp_path):
    path = str(write_config(config, tmp_path))
    runner = CliRunner()
    args = ["--config", path, "user", "create", "--email", "ada@example.org"]
    mismatch = runner.invoke(main, args, input=f"{PASSWORD}\nsomething else\n")
    assert mismatch.exit_code != 0 and session.scalar(select(User)) is None
    session.rollback()  # end the read snapshot, so the next query sees the command's commit
    result = runner.invoke(main, args, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    stored = session.scalar(select(User.password_hash))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_serve_says_how_to_create_the_first_admin(config, app, tmp_path):
    with served(config, tmp_path) as (_base, log_path, _process):
        pass
    log = log_path.read_text()
    assert "faultline user create --email" in log
    assert "password:" not in log.lower()  # a command to run, never a default password
    make_user(app, "ada@example.org")
    with served(config, tmp_path) as (_base, log_path, _process):
        pass
    assert "faultline user create" not in log_path.read_text()


def test_user_role_changes_what_the_user_may_do_next(config, app, client, session, tmp_path):
    path = str(write_config(config, tmp_path))
    runner = CliRunner()
    make_user(app, "ada@example.org")
    make_user(app, "grace@example.org", role="member")
    assert sign_in(client, "grace@example.org").status_code == 303
    assert client.get("/api/v1/me").json["role"] == "member"

    for email, role, exit_code, said in [
        ("Grace@example.org", "viewer", 0, "grace@example.org is now viewer (was member)"),
        ("ada@example.org", "member", 1, "ada@example.org is the last administrator"),
        ("nobody@example.org", "admin", 1, "no user with email nobody@example.org"),
    ]:
        result = runner.invoke(
            main, ["--config", path, "user", "role", "--email", email, "--role", role]
        )
        assert result.exit_code == exit_code and said in result.output, result.output
    assert client.get("/api/v1/me").json["role"] == "viewer"
    wrong = runner.invoke(
        main, ["--config", path, "user", "role", "--email", "ada@example.org", "--role", "owner"]
    )
    assert wrong.exit_code != 0 and "'owner' is not one of" in wrong.output
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.role")).one()
    assert (entry.actor_kind, entry.detail["old"], entry.detail["new"]) == (
        "cli",
        "member",
        "viewer",
    )


def test_user_create_takes_a_role(config, session, tmp_path):
    path = str(write_config(config, tmp_path))
    runner = CliRunner()
    for email, role, said in [
        ("ada@example.org", "viewer", "created administrator ada@example.org"),  # the first
        ("linus@example.org", "viewer", "created viewer linus@example.org"),
    ]:
        args = ["user", "create", "--email", email, "--password", PASSWORD, "--role", role]
        result = runner.invoke(main, ["--config", path, *args])
        assert result.output.strip() == said
    actions = session.execute(
        select(AuditEntry.action, AuditEntry.target_type).order_by(AuditEntry.id)
    ).all()
    assert actions == [("user.create", "user"), ("user.create", "user")]
