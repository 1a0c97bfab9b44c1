"""Identities (issuer + subject) and the local users they sign in as: data functions that
take a session and never commit.

An identity is linked to an existing account only by an administrator (`link_identity`):
matching email addresses would let whoever controls an address at any configured provider
take over the local account that has it.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.accounts import AccountError, create_user, end_user_sessions, find_user
from app.access.oidc.providers import Provider
from app.models import User
from app.models.access import UserIdentity


class SignInRefused(Exception):
    """The provider vouched for someone who may not sign in; `reason` is for the audit log."""

    def __init__(self, reason: str, message: str, user: User | None = None):
        super().__init__(message)
        self.reason = reason
        self.user = user


class IdentityTaken(ValueError):
    """That identity already signs in as a user."""


def find_identity(session: Session, issuer: str, subject: str) -> UserIdentity | None:
    """The identity with this issuer and subject, or None."""
    return session.scalar(
        select(UserIdentity).where(UserIdentity.issuer == issuer, UserIdentity.subject == subject)
    )


def user_identities(session: Session, user_id: int) -> list[UserIdentity]:
    """A user's identities, oldest first."""
    return list(
        session.scalars(
            select(UserIdentity).where(UserIdentity.user_id == user_id).order_by(UserIdentity.id)
        )
    )


def link_identity(
    session: Session, user: User, issuer: str, subject: str, now: datetime
) -> UserIdentity:
    """Let an identity sign in as this user; IdentityTaken when it already signs in as one."""
    if find_identity(session, issuer, subject) is not None:
        raise IdentityTaken("this identity already signs in as a user")
    identity = UserIdentity(user_id=user.id, issuer=issuer, subject=subject, created_at=now)
    session.add(identity)
    session.flush()
    return identity


def identity_user(
    session: Session, provider: Provider, claims: dict, role: str | None, now: datetime
) -> User:
    """The user a validated ID token signs in as, with the role its rules gave (set anew at
    every sign-in); a first sign-in creates the user. SignInRefused otherwise."""
    identity = find_identity(session, provider.issuer, claims["sub"])
    user = session.get(User, identity.user_id) if identity is not None else None
    if role is None:
        if user is not None:
            # Rules changed, or the provider's claims did: their open sessions end too.
            end_user_sessions(session, user.id)
        raise SignInRefused("rule", "The access rules do not admit this account.", user)
    if user is None:
        user, identity = _first_sign_in(session, provider, claims, now)
    # The rules decide, even for the instance's first account (which create_user would
    # otherwise make an administrator).
    user.role = role
    identity.last_login_at = now
    return user


def _first_sign_in(
    session: Session, provider: Provider, claims: dict, now: datetime
) -> tuple[User, UserIdentity]:
    email = claims.get("email")
    if not isinstance(email, str) or not email:
        raise SignInRefused(
            "no_email",
            f"{provider.label} did not tell Faultline your email address. It must release "
            "the email scope (the email claim) to Faultline.",
        )
    if claims.get("email_verified") is False:
        raise SignInRefused(
            "email_unverified", f"{provider.label} has not verified your email address."
        )
    if find_user(session, email) is not None:
        raise SignInRefused(
            "email_taken",
            "A Faultline account with your email address already exists. An administrator "
            "must link your identity to it before you can sign in this way.",
        )
    try:
        user = create_user(session, email, None, "viewer", now)
    except AccountError as error:
        raise SignInRefused(
            "email_invalid", f"Your email address cannot be used: {error}."
        ) from None
    return user, link_identity(session, user, provider.issuer, claims["sub"], now)
