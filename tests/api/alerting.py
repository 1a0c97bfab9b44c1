"""How the alerts API tests act: projects, rules and channels made through the API, people of
each role signed in, project-limited tokens, and the audit log as the table holds it."""

from sqlalchemy import select

from app.access.tokens import create_token
from app.models import AuditEntry
from tests.signin import csrf_header, make_user, sign_in


def made(response, status: int = 201) -> dict:
    """The JSON of an answer that must have the given status."""
    assert response.status_code == status, response.json
    return response.json


def new_project(client, auth, name: str = "Shop") -> dict:
    """A project made through the API."""
    return made(client.post("/api/v1/projects", json={"name": name}, headers=auth))


def new_rule(client, auth, project_id: int, **fields) -> dict:
    """An alert rule made through the API (a new-group rule unless told otherwise)."""
    body = {"name": "New errors", "kind": "new_group", **fields}
    return made(client.post(f"/api/v1/projects/{project_id}/alert-rules", json=body, headers=auth))


def new_channel(client, auth, project_id: int, **fields) -> dict:
    """An alert channel made through the API (a JSON webhook unless told otherwise)."""
    body = {"name": "Ops hook", "kind": "webhook", "target": "https://hooks.example.org/x"}
    body.update(fields)
    path = f"/api/v1/projects/{project_id}/alert-channels"
    return made(client.post(path, json=body, headers=auth))


class Person:
    """A browser signed in as a user of some role, writing with the session's CSRF token."""

    def __init__(self, app, email: str, role: str) -> None:
        make_user(app, email, role=role)
        self.client = app.test_client()
        assert sign_in(self.client, email).status_code == 303
        self.headers = csrf_header(self.client)

    def get(self, path: str):
        return self.client.get(path)

    def post(self, path: str, body: dict | None = None):
        return self.client.post(path, json=body, headers=self.headers)

    def patch(self, path: str, body: dict):
        return self.client.patch(path, json=body, headers=self.headers)

    def delete(self, path: str):
        return self.client.delete(path, headers=self.headers)


def limited_token(app, project_ids: list[int]) -> dict:
    """Authorization headers of an administrator's token limited to some projects."""
    with app.extensions["faultline.sessionmaker"]() as db:
        plaintext, _ = create_token(db, "limited", project_ids=project_ids)
        db.commit()
    return {"Authorization": f"Bearer {plaintext}"}


def audit_trail(app, prefix: str = "alert_") -> list[tuple[str, str, dict]]:
    """(action, target id, detail) of every audit entry whose action starts with `prefix`."""
    with app.extensions["faultline.sessionmaker"]() as db:
        entries = db.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        return [
            (entry.action, entry.target_id, entry.detail)
            for entry in entries
            if entry.action.startswith(prefix)
        ]
