"""The commands a newcomer runs first, as a script runs them: no terminal, a password piped in,
and no warning about a secret from commands that sign nothing."""

import subprocess
import sys

import yaml
from sqlalchemy import select

from app.models import User
from tests.served import served
from tests.signin import PASSWORD, sign_in


def run(config: dict, tmp_path, *args: str, stdin: str | None = None):
    """`faultline --config <config> ARGS` in its own session (so without a terminal), fed
    `stdin` or nothing at all."""
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "--config", str(path), *args],
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=True,
        start_new_session=True,
        timeout=60,
    )


def development(config: dict) -> dict:
    """The test config as `make run` has it: development mode, no secret_key."""
    return {**config, "mode": "development", "secret_key": ""}


def test_user_create_takes_one_line_of_stdin_as_the_password(config, client, session, tmp_path):
    created = run(
        config,
        tmp_path,
        *("user", "create", "--email", "ada@example.org", "--password-stdin"),
        stdin=f"{PASSWORD}\nnot part of it\n",
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "created administrator ada@example.org"
    assert PASSWORD not in created.stdout + created.stderr
    assert sign_in(client, "ada@example.org").status_code == 303

    both = run(
        config,
        tmp_path,
        *("user", "create", "--email", "b@example.org", "--password", PASSWORD),
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    assert both.returncode != 0 and "not both" in both.stderr
    empty = run(
        config,
        tmp_path,
        *("user", "create", "--email", "c@example.org", "--password-stdin"),
        stdin="",
    )
    assert empty.returncode != 0 and "password must be" in empty.stderr
    assert session.scalars(select(User.email)).all() == ["ada@example.org"]


def test_the_password_prompt_without_a_terminal_says_what_works(config, session, tmp_path):
    result = run(config, tmp_path, "user", "create", "--email", "ada@example.org")
    assert result.returncode == 1
    assert "the password prompt needs a terminal" in result.stderr
    assert "--password-stdin" in result.stderr
    assert "GetPassWarning" not in result.stderr and "Aborted!" not in result.stderr
    assert session.scalar(select(User)) is None


def test_only_serving_warns_about_a_missing_secret_key(config, tmp_path):
    quiet = development(config)
    for command in (["project", "list"], ["user", "list"], ["token", "list"], ["check-config"]):
        result = run(quiet, tmp_path, *command)
        assert result.returncode == 0, result.stderr
        assert "secret_key" not in result.stderr, command

    with served(quiet, tmp_path) as (_base, log_path, _process):
        pass
    assert "no secret_key set" in log_path.read_text()
