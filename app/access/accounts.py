"""Local accounts and browser sessions: data functions that take a session and never commit.

Sign-in methods only differ in how they establish who someone is: the password check here
(`authenticate`) or an identity provider (app/access/oidc). Each then hands the verified `User` to
`start_session`, and everything after that (cookie, CSRF, expiry) is shared.
"""

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from marshmallow import ValidationError, validate
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.core.credentials import MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from app.core.roles import ROLES
from app.models import User, UserSession

# A session's expiry moves forward at most this often: a page load is then a read, not a write.
REFRESH_EVERY = timedelta(minutes=5)
# argon2id with the library's defaults (RFC 9106 low-memory profile). Changing them takes effect
# for each user at their next sign-in (`authenticate` rehashes).
HASHER = PasswordHasher()
_check_email = validate.Email(error="not a valid email address")


class AccountError(ValueError):
    """An account cannot be created as asked; the message says why."""


class EmailTaken(AccountError):
    """Another account already has this email address."""


@dataclass(frozen=True)
class SignedIn:
    """A valid browser session and its user, as plain data that outlives the database session."""

    key: str
    user_id: int
    email: str
    role: str
    csrf_token: str
    last_seen_at: datetime
    provider: str | None = None

    @property
    def actor(self) -> str:
        """How triage history names this user."""
        return f"user:{self.email}"[:200]

    @property
    def is_admin(self) -> bool:
        """Whether this user administers the instance."""
        return self.role == "admin"

    def needs_refresh(self, now: datetime) -> bool:
        """Whether `refresh_session` is due."""
        return now - self.last_seen_at >= REFRESH_EVERY


def normalise_email(email: str) -> str:
    """The stored form of an address (trimmed, lower case); AccountError when it is not one."""
    email = email.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH:
        raise AccountError(f"email must be at most {MAX_EMAIL_LENGTH} characters")
    try:
        return _check_email(email)
    except ValidationError as error:
        raise AccountError(f"email is {error.messages[0]}") from None


def check_password_rules(password: str) -> None:
    """AccountError unless the password has an acceptable length."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountError(
            f"password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long"
        )


def find_user(session: Session, email: str) -> User | None:
    """The account with this address (any case), or None."""
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def has_users(session: Session) -> bool:
    """Whether any account exists."""
    return session.scalar(select(User.id).limit(1)) is not None


def create_user(
    session: Session, email: str, password: str | None, role: str, now: datetime
) -> User:
    """A new account (without a password when only an identity provider signs it in); the
    first account of an instance is always an administrator."""
    email = normalise_email(email)
    if password is not None:
        check_password_rules(password)
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if find_user(session, email) is not None:
        raise EmailTaken("a user with this email already exists")
    user = User(
        email=email,
        password_hash=HASHER.hash(password) if password is not None else None,
        role=role if has_users(session) else "admin",
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    # Verified against when no account matches, so that an unknown address costs as much as a
    # wrong password and response times do not tell which addresses have accounts.
    return hasher.hash(secrets.token_urlsafe(16))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The account these credentials open, or None; rehashes a password whose hash uses
    outdated parameters."""
    user = find_user(session, email) if len(email) <= MAX_EMAIL_LENGTH else None
    stored = user.password_hash if user is not None else None
    if len(password) > MAX_PASSWORD_LENGTH:
        password = ""  # still do the same work; the check below then fails
    try:
        HASHER.verify(stored or _dummy_hash(HASHER), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or stored is None:
        return None
    if HASHER.check_needs_rehash(stored):
        user.password_hash = HASHER.hash(password)
    return user


def session_key(cookie_value: str) -> str:
    """The stored id of the session a cookie stands for (its SHA-256)."""
    return hashlib.sha256(cookie_value.encode()).hexdigest()


def start_session(
    session: Session,
    user: User,
    now: datetime,
    lifetime: timedelta,
    provider: str | None = None,
) -> str:
    """Sign a verified user in: store a new session and return the cookie value (shown only
    to the browser). Every sign-in method ends here; `provider` names the identity provider."""
    cookie_value = secrets.token_urlsafe(32)
    # Sessions nobody ended expire; sign-ins are rare enough to sweep them here.
    session.execute(delete(UserSession).where(UserSession.expires_at <= now))
    session.add(
        UserSession(
            id=session_key(cookie_value),
            user_id=user.id,
            created_at=now,
            expires_at=now + lifetime,
            last_seen_at=now,
            csrf_token=secrets.token_urlsafe(32),
            provider=provider,
        )
    )
    user.last_login_at = now
    session.flush()
    return cookie_value


def find_session(session: Session, cookie_value: str, now: datetime) -> SignedIn | None:
    """The unexpired session a cookie stands for, with its user, or None."""
    row = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.id == session_key(cookie_value), UserSession.expires_at > now)
    ).first()
    if row is None:
        return None
    user_session, user = row
    return SignedIn(
        key=user_session.id,
        user_id=user.id,
        email=user.email,
        role=user.role,
        csrf_token=user_session.csrf_token,
        last_seen_at=user_session.last_seen_at,
        provider=user_session.provider,
    )


def refresh_session(session: Session, key: str, now: datetime, lifetime: timedelta) -> None:
    """Push a session's expiry to `lifetime` from now (sessions end after that long unused)."""
    session.execute(
        update(UserSession)
        .where(UserSession.id == key)
        .values(expires_at=now + lifetime, last_seen_at=now)
    )


def end_session(session: Session, cookie_value: str) -> None:
    """Sign out: the session behind this cookie stops working at once."""
    session.execute(delete(UserSession).where(UserSession.id == session_key(cookie_value)))


def end_user_sessions(session: Session, user_id: int) -> None:
    """End every browser session of a user (their access was taken away)."""
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))
