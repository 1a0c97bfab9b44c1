"""API tokens: shown once, stored as SHA-256 (they are long and random, so no KDF is needed).

A token belongs to a user and acts with its scopes, never beyond that user's role at the time
of the request, optionally only on some projects and until an expiry.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.core.roles import SCOPES, Caller, token_scopes
from app.db import WRITE_OPTION
from app.models import ApiToken, User

TOKEN_PREFIX = "flt_"
# last_used_at moves at most this often: a token's requests stay reads, not writes.
TOUCH_EVERY = timedelta(minutes=1)


class TokenError(ValueError):
    """A token cannot be made as asked; the message says why."""


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session,
    name: str,
    user: User | None = None,
    scopes: list[str] | None = None,
    project_ids: list[int] | None = None,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[str, ApiToken]:
    """A new token: the plaintext (to print once) and its row; without `scopes`, all that its
    owner's role allows. TokenError when it would hold a scope its owner's role does not."""
    owner_role = user.role if user is not None else None
    if scopes is None:
        scopes = [scope for scope in SCOPES if scope in token_scopes(SCOPES, owner_role)]
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown or not scopes:
        raise TokenError(f"scopes must be some of {', '.join(SCOPES)}")
    scopes = sorted(set(scopes), key=SCOPES.index)
    beyond = set(scopes) - token_scopes(scopes, owner_role)
    if beyond:
        raise TokenError(
            f"a token cannot hold more than its owner's role allows: {', '.join(sorted(beyond))}"
        )
    now = now or datetime.now(UTC)
    if expires_at is not None and expires_at <= now:
        raise TokenError("expires_at must be in the future")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name,
        token_hash=hash_token(plaintext),
        prefix=plaintext[:8],
        created_at=now,
        user_id=user.id if user is not None else None,
        scopes=scopes,
        project_ids=sorted(set(project_ids)) if project_ids is not None else None,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return plaintext, row


def find_token(session: Session, plaintext: str, now: datetime | None = None) -> ApiToken | None:
    """The unexpired token row for a presented token, or None."""
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 200:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plaintext)))
    if token is None:
        return None
    if token.expires_at is not None and token.expires_at <= (now or datetime.now(UTC)):
        return None
    return token


def caller_of(session: Session, token: ApiToken) -> Caller | None:
    """What a token may do now, or None when its owner has no role left."""
    owner_role = None
    if token.user_id is not None:
        owner_role = session.scalar(select(User.role).where(User.id == token.user_id))
        if owner_role is None:
            return None
    return Caller(
        kind="token",
        label=f"token:{token.name}"[:200],
        scopes=token_scopes(token.scopes, owner_role),
        user_id=token.user_id,
        via=f"token:{token.id}",
        project_ids=frozenset(token.project_ids) if token.project_ids is not None else None,
    )


def token_caller(plaintext: str, now: datetime) -> Caller | None:
    """The caller behind a presented token, or None; records its use (at most once a minute).

    Call it before the request's own database session opens: the touch is a short write of
    its own, which on SQLite must not wait behind the request's write lock."""
    make_session = current_app.extensions["faultline.sessionmaker"]
    with make_session() as db:
        token = find_token(db, plaintext, now)
        if token is None:
            return None
        caller = caller_of(db, token)
        stale = token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY
        token_id = token.id
    if caller is not None and stale:
        with make_session() as db:
            db.connection(execution_options={WRITE_OPTION: True})
            db.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
            db.commit()
    return caller
