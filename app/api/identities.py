"""A user's identity-provider identities: listed, linked and unlinked by administrators.

Linking is how an existing local account gets to sign in through a provider: sign-in itself
never links by matching email addresses."""

from datetime import UTC, datetime

from flask import jsonify
from sqlalchemy import delete

from app.access.oidc.identities import IdentityTaken, link_identity, user_identities
from app.access.oidc.registry import registry
from app.api.blueprint import bp, json_body
from app.audit import audit
from app.core.roles import ADMIN, requires
from app.db import get_session
from app.errors import ApiError, not_found
from app.models import User, UserSession
from app.models.access import UserIdentity
from app.paging import iso
from app.schemas import IdentityIn


def identity_dict(identity: UserIdentity) -> dict:
    """An identity as the API shows it, with the configured provider it belongs to."""
    provider = next(
        (p.name for p in registry().providers.values() if p.issuer == identity.issuer), None
    )
    return {
        "id": identity.id,
        "user_id": identity.user_id,
        "provider": provider,
        "issuer": identity.issuer,
        "subject": identity.subject,
        "created_at": iso(identity.created_at),
        "last_login_at": iso(identity.last_login_at),
    }


def _user(session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise not_found("User")
    return user


@bp.get("/users/<int:user_id>/identities")
@requires(ADMIN)
def identities_list(user_id: int):
    """The identities that sign in as this user."""
    session = get_session()
    _user(session, user_id)
    return jsonify(items=[identity_dict(i) for i in user_identities(session, user_id)])


@bp.post("/users/<int:user_id>/identities")
@requires(ADMIN)
def identity_link(user_id: int):
    """Let a provider's identity sign in as this user."""
    data = IdentityIn().load(json_body())
    session = get_session()
    user = _user(session, user_id)
    provider = registry().providers.get(data["provider"])
    if provider is None:
        names = ", ".join(registry().providers) or "none are configured"
        raise ApiError(400, "invalid", f"Unknown provider (configured: {names}).")
    try:
        identity = link_identity(session, user, provider.issuer, data["subject"], datetime.now(UTC))
    except IdentityTaken as error:
        raise ApiError(409, "conflict", "This identity already signs in as a user.") from error
    audit(
        "user.link_identity",
        "user",
        user.id,
        provider=provider.name,
        subject=identity.subject,
        identity_id=identity.id,
    )
    session.commit()
    return jsonify(identity_dict(identity)), 201


@bp.delete("/users/<int:user_id>/identities/<int:identity_id>")
@requires(ADMIN)
def identity_unlink(user_id: int, identity_id: int):
    """Stop an identity signing in as this user; the sessions it started end too."""
    session = get_session()
    _user(session, user_id)
    identity = session.get(UserIdentity, identity_id)
    if identity is None or identity.user_id != user_id:
        raise not_found("Identity")
    session.delete(identity)
    names = [p.name for p in registry().providers.values() if p.issuer == identity.issuer]
    session.execute(
        delete(UserSession).where(UserSession.user_id == user_id, UserSession.provider.in_(names))
    )
    audit(
        "user.unlink_identity",
        "user",
        user_id,
        issuer=identity.issuer,
        subject=identity.subject,
        identity_id=identity.id,
    )
    session.commit()
    return "", 204
