"""The `faultline` command as a user runs it."""

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import yaml
from click.testing import CliRunner
from sqlalchemy import func, select, update

from app.access.tokens import hash_token
from app.cli import main
from app.models import ApiToken, AuditEntry, ExceptionEvent, ExceptionGroup, Hit
from tests.conftest import payload, post_exception, post_hit
from tests.served import free_port
from tests.signin import make_user


def faultline(*args, config_path=None, env=None):
    """Run the command; return the completed process."""
    command = [sys.executable, "-m", "app.cli"]
    if config_path:
        command += ["--config", str(config_path)]
    return subprocess.run(command + list(args), capture_output=True, text=True, env=env, timeout=60)


def test_project_and_token_commands(config, app, client, auth, session, tmp_path):
    config_path = tmp_path / "config.yaml"
    config_path.write_text(yaml.safe_dump(config))
    assert faultline("migrate", config_path=config_path).returncode == 0

    created = faultline("project", "create", "--name", "Web shop", config_path=config_path)
    assert created.returncode == 0, created.stderr
    project = json.loads(created.stdout.strip().splitlines()[-1])
    assert project["name"] == "Web shop"
    assert (
        project["dsn"]
        == f"http://{project['dsn'].split('//')[1].split('@')[0]}@127.0.0.1:8080/{project['id']}"
    )

    listed = faultline("project", "list", config_path=config_path)
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == [project["id"]]
    with app.extensions["faultline.sessionmaker"]() as fresh:
        audited = select(AuditEntry).where(AuditEntry.action == "project.create")
        entry = fresh.scalars(audited.order_by(AuditEntry.id)).first()
        assert (entry.actor_kind, entry.target_id) == ("cli", str(project["id"]))
        assert entry.detail == {"name": "Web shop"}
    gone = faultline("project", "create", "--name", "Old blog", config_path=config_path)
    gone_id = json.loads(gone.stdout.strip().splitlines()[-1])["id"]
    assert client.delete(f"/api/v1/projects/{gone_id}", headers=auth).status_code == 204
    listed = faultline("project", "list", config_path=config_path)
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == [project["id"]]

    made = faultline("token", "create", "--name", "ci", config_path=config_path)
    assert made.returncode == 0
    plaintext = made.stdout.strip().splitlines()[-1]
    stored = session.scalars(select(ApiToken).where(ApiToken.name == "ci")).one()
    assert stored.token_hash == hash_token(plaintext) and plaintext not in stored.token_hash
    response = client.get("/api/v1/projects", headers={"Authorization": f"Bearer {plaintext}"})
    assert [p["name"] for p in response.json["items"]] == ["Web shop"]


def test_check_config_reports_problems_by_name(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("web:\n  prot: 80\n")
    result = faultline("check-config", config_path=bad)
    assert result.returncode != 0
    assert "web.prot" in result.stderr
    unset = tmp_path / "unset.yaml"
    unset.write_text("secret_key: ${{ env.FAULTLINE_NOT_SET_ANYWHERE }}\n")
    result = faultline("check-config", config_path=unset)
    assert result.returncode != 0 and "FAULTLINE_NOT_SET_ANYWHERE" in result.stderr


def test_production_without_secret_refuses_to_start(tmp_path):
    path = tmp_path / "prod.yaml"
    path.write_text("mode: production\n")
    result = faultline("serve", "--port", "1", config_path=path)
    assert result.returncode != 0
    assert "secret_key" in result.stderr


def test_config_from_environment_variable(tmp_path):
    path = tmp_path / "env.yaml"
    path.write_text("database:\n  url: sqlite:///" + str(tmp_path / "x.db") + "\n")
    result = faultline("check-config", env={"FAULTLINE_CONFIG": str(path), "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert str(tmp_path / "x.db") in result.stdout


def test_purge_removes_old_events_and_keeps_groups(config, app, client, session, tmp_path):
    for _ in range(3):
        assert post_exception(client, payload("chrome_typeerror")).status_code == 204
    for name in ("hit_load", "hit_unload", "hit_custom"):
        assert post_hit(client, payload(name)).status_code == 204
    old = datetime.now(UTC) - timedelta(days=config["retention"]["days"] + 1)
    first_two = select(ExceptionEvent.id).order_by(ExceptionEvent.id).limit(2).scalar_subquery()
    session.execute(
        update(ExceptionEvent).where(ExceptionEvent.id.in_(first_two)).values(received_at=old)
    )
    session.execute(update(Hit).where(Hit.kind != "custom").values(received_at=old))
    session.commit()
    config_path = tmp_path / "config.yaml"
    config_path.write_text(yaml.safe_dump(config))
    result = faultline("purge", config_path=config_path)
    assert result.returncode == 0, result.stderr
    assert "removed 2 events and 2 hits" in result.stdout
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(ExceptionEvent)) == 1
    assert session.scalars(select(Hit.kind)).all() == ["custom"]
    assert session.scalar(select(ExceptionGroup.event_count)) == 3


def test_readiness_checks_the_database(client, make_app):
    assert client.get("/api/v1/ready").json == {"ok": True}
    down = make_app(database__url=f"postgresql+psycopg://x@127.0.0.1:{free_port()}/none")
    response = down.test_client().get("/api/v1/ready")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "unavailable"


def run(config_path, *args):
    """Run the command in this process; the click result."""
    return CliRunner().invoke(main, ["--config", str(config_path), *args])


def test_token_commands_cut_tokens_and_are_audited(config, app, client, session, tmp_path):
    config_path = tmp_path / "config.yaml"
    config_path.write_text(yaml.safe_dump(config))
    make_user(app, "ada@example.org")
    make_user(app, "grace@example.org", role="member")
    made = json.loads(run(config_path, "project", "create", "--name", "Shop").output)
    limits = ["--user", "Grace@example.org", "--scope", "read", "--project", str(made["id"])]
    created = run(
        config_path, "token", "create", "--name", "deploys", *limits, "--expires-days", "7"
    )
    assert created.exit_code == 0, created.output
    plaintext = created.output.strip().splitlines()[-1]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"}).json
    assert (me["scopes"], me["project_ids"], me["is_admin"]) == (["read"], [made["id"]], False)

    for args, reason in [
        (["--user", "grace@example.org", "--scope", "admin"], "more than its owner's role"),
        (["--user", "nobody@example.org"], "no user with email nobody@example.org"),
        (["--project", "999999"], "no project with id 999999"),
        (["--expires-days", "0"], "0 is not in the range"),
    ]:
        refused = run(config_path, "token", "create", "--name", "x", *args)
        assert refused.exit_code != 0 and reason in refused.output, refused.output

    operator = run(config_path, "token", "create", "--name", "ops")
    assert "operator" in operator.output
    listed = [json.loads(line) for line in run(config_path, "token", "list").output.splitlines()]
    assert [(t["name"], t["owner"], t["scopes"]) for t in listed] == [
        ("deploys", {"id": me["user_id"], "email": "grace@example.org"}, ["read"]),
        ("ops", None, ["read", "triage", "admin"]),
    ]
    assert listed[0]["expires_at"] is not None and plaintext not in json.dumps(listed)

    revoked = run(config_path, "token", "revoke", str(listed[0]["id"]))
    assert revoked.exit_code == 0 and "deploys" in revoked.output
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"}).status_code
        == 401
    )
    again = run(config_path, "token", "revoke", str(listed[0]["id"]))
    assert again.exit_code != 0 and "no API token" in again.output
    entries = session.execute(
        select(AuditEntry.action, AuditEntry.actor_kind)
        .where(AuditEntry.action.like("token.%"))
        .order_by(AuditEntry.id)
    ).all()
    assert entries == [("token.create", "cli"), ("token.create", "cli"), ("token.revoke", "cli")]
