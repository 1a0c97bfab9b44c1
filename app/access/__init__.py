"""Who may come in: local accounts and browser sessions, API tokens, the sign-in pages."""

from app.access.accounts import authenticate, create_user
from app.access.signin import browser_session
from app.access.tokens import create_token, find_token

__all__ = ["authenticate", "browser_session", "create_token", "create_user", "find_token"]
