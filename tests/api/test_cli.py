"""The `faultline` command as a user runs it."""

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import yaml
from sqlalchemy import func, select, update

from app.access.tokens import hash_token
from app.models import ApiToken, ExceptionEvent, ExceptionGroup, Hit
from tests.conftest import payload, post_exception, post_hit
from tests.served import free_port


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
