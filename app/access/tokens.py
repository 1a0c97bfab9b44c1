"""API tokens: shown once, stored as SHA-256 (they are long and random, so no KDF is needed)."""

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ApiToken

TOKEN_PREFIX = "flt_"


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str) -> tuple[str, ApiToken]:
    """A new token: the plaintext (to print once) and its row."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name,
        token_hash=hash_token(plaintext),
        prefix=plaintext[:8],
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    return plaintext, row


def find_token(session: Session, plaintext: str) -> ApiToken | None:
    """The token row for a presented token, or None."""
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 200:
        return None
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plaintext)))
