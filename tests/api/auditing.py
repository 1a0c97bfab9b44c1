"""How the audit log tests act and read: a user's tokens, clients signed in from a known
address, and the log as the API and the table hold it."""

import json

from sqlalchemy import select

from app.access.tokens import create_token
from app.models import AuditEntry, User
from tests.signin import sign_in

CLIENT_IP = "203.0.113.77"
PROXY_IP = "198.51.100.23"
ADMIN = "ada@example.org"


def from_the_client_ip(client) -> None:
    """Every request of this client comes from CLIENT_IP, also as its proxy reports it."""
    client.environ_base.update(
        REMOTE_ADDR=CLIENT_IP, HTTP_X_FORWARDED_FOR=f"{PROXY_IP}, {CLIENT_IP}"
    )


def token_of(app, user_id: int, name: str, **options) -> tuple[dict, int]:
    """Authorization headers with a new token of a user, and the token's id."""
    with app.extensions["faultline.sessionmaker"]() as db:
        plaintext, token = create_token(db, name, db.get(User, user_id), **options)
        db.commit()
        return {"Authorization": f"Bearer {plaintext}"}, token.id


def signed_in(app, email: str):
    """A client signed in as `email` from CLIENT_IP."""
    client = app.test_client()
    from_the_client_ip(client)
    assert sign_in(client, email).status_code == 303
    return client


def read_audit(client, headers, **params) -> dict:
    """GET /api/v1/audit, insisting on a 200."""
    response = client.get("/api/v1/audit", query_string=params, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def audit_rows(app) -> list[str]:
    """Every stored audit entry, each column as text."""
    with app.extensions["faultline.engine"].connect() as conn:
        rows = conn.execute(select(AuditEntry.__table__)).all()
    return [json.dumps([str(value) for value in row]) for row in rows]
