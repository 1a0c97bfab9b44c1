"""Driving a sign-in through a provider over HTTP: the Flask test client plays the browser
on Faultline's side and httpx on the provider's."""

from urllib.parse import parse_qs, urlsplit

import httpx2
from sqlalchemy import select

from app.models import AuditEntry

CLIENT_ID = "faultline-tests"
ADMIN_RULE = '"faultline-admins" in claims.groups'
MEMBER_RULE = 'claims.email.endsWith("@example.org") && claims.email_verified'


def provider_entry(issuer: str, name: str = "mock", label: str = "Mock SSO") -> dict:
    """An auth.oidc.providers entry as load_config leaves it."""
    return {
        "name": name,
        "label": label,
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": "tests-secret",
        "scopes": ["openid", "email", "profile"],
    }


def oidc_app(make_app, *providers: dict, admin=ADMIN_RULE, member=MEMBER_RULE, **changes):
    """An app signing in through these providers with the issue's two example rules."""
    return make_app(
        auth__oidc__providers=list(providers),
        auth__rules__admin=admin,
        auth__rules__member=member,
        **changes,
    )


def set_claims(issuer: str, sub: str, claims: dict) -> None:
    """What oidc-provider-mock puts in the ID token of `sub` from now on."""
    assert httpx2.put(f"{issuer}/users/{sub}", json=claims).status_code == 204


def local_path(url: str) -> str:
    """Path and query of a URL (what the test client requests)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def start(client, name: str = "mock", next_path: str | None = None, **kwargs) -> str:
    """Press a provider's button; the provider URL Faultline sends the browser to."""
    query = {"next": next_path} if next_path is not None else {}
    response = client.get(f"/auth/oidc/{name}/start", query_string=query, **kwargs)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def authorize_mock(authorize_url: str, sub: str) -> str:
    """Sign in at oidc-provider-mock as `sub`; the callback URL it redirects back to."""
    response = httpx2.post(authorize_url, data={"sub": sub})
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def sign_in_mock(client, sub: str, next_path: str | None = None, **kwargs):
    """The whole flow at oidc-provider-mock; Faultline's answer to the callback."""
    callback = authorize_mock(start(client, next_path=next_path, **kwargs), sub)
    return client.get(local_path(callback), **kwargs)


def query_of(url: str) -> dict:
    """A URL's query parameters (one value each)."""
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def audit_rows(app, action: str) -> list[AuditEntry]:
    """The audit entries with this action, oldest first."""
    with app.extensions["faultline.sessionmaker"]() as db:
        return list(
            db.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        )
