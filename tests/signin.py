"""Accounts and browser sign-in for tests: make a user, sign a test client in as a person would."""

import re
from datetime import UTC, datetime

from app.access.accounts import create_user

PASSWORD = "correct horse battery staple"


def make_user(
    app, email: str, is_admin: bool = False, password: str = PASSWORD, role: str = "member"
) -> int:
    """Create a local account directly in the database; its id."""
    with app.extensions["faultline.sessionmaker"]() as db:
        user = create_user(db, email, password, "admin" if is_admin else role, datetime.now(UTC))
        db.commit()
        return user.id


def form_token(client, **kwargs) -> str:
    """Open the sign-in page (which sets its nonce cookie) and read the form's CSRF token."""
    page = client.get("/login", **kwargs)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def sign_in(client, email: str, password: str = PASSWORD, **kwargs):
    """Fill in and post the sign-in form; the response."""
    data = {"email": email, "password": password, "csrf_token": form_token(client, **kwargs)}
    return client.post("/login", data=data, **kwargs)


def session_cookie(client) -> str | None:
    """The value of the client's session cookie, if it has one."""
    cookie = client.get_cookie("faultline_session")
    return cookie.value if cookie is not None else None


def csrf_header(client) -> dict:
    """The X-CSRF-Token header of the client's browser session."""
    return {"X-CSRF-Token": client.get("/api/v1/csrf").json["token"]}
