"""Accounts and sessions as data: expiry and refresh with the time passed in, account rules."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.access.accounts import (
    REFRESH_EVERY,
    AccountError,
    EmailTaken,
    authenticate,
    create_user,
    end_session,
    find_session,
    refresh_session,
    start_session,
)
from app.models import User, UserSession

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LIFETIME = timedelta(days=14)
PASSWORD = "long enough password"


@pytest.fixture
def user(session):
    """A committed account."""
    created = create_user(session, "Ada@Example.org", PASSWORD, "member", T0)
    session.commit()
    return created


def test_a_session_lasts_its_lifetime_then_ends(session, user):
    cookie = start_session(session, user, T0, LIFETIME)
    session.commit()
    found = find_session(session, cookie, T0 + LIFETIME - timedelta(seconds=1))
    assert found is not None and found.email == "ada@example.org"
    assert find_session(session, cookie, T0 + LIFETIME) is None
    assert find_session(session, cookie + "x", T0) is None


def test_use_moves_the_end_forward(session, user):
    cookie = start_session(session, user, T0, LIFETIME)
    used = T0 + timedelta(days=10)
    found = find_session(session, cookie, used)
    assert found.needs_refresh(used) and not found.needs_refresh(T0 + REFRESH_EVERY / 2)
    refresh_session(session, found.key, used, LIFETIME)
    session.commit()
    assert find_session(session, cookie, T0 + LIFETIME + timedelta(days=9)) is not None
    assert find_session(session, cookie, used + LIFETIME) is None


def test_signing_in_sweeps_expired_sessions_and_ending_one_is_immediate(session, user):
    stale = start_session(session, user, T0, LIFETIME)
    later = T0 + LIFETIME + timedelta(days=1)
    fresh = start_session(session, user, later, LIFETIME)
    other = start_session(session, user, later, LIFETIME)
    session.commit()
    assert session.scalar(select(User.last_login_at)) == later
    keys = set(session.scalars(select(UserSession.id)))
    assert len(keys) == 2 and find_session(session, stale, T0) is None
    end_session(session, fresh)
    session.commit()
    assert find_session(session, fresh, later) is None
    assert find_session(session, other, later) is not None


def test_each_session_has_its_own_csrf_token(session, user):
    first = find_session(session, start_session(session, user, T0, LIFETIME), T0)
    second = find_session(session, start_session(session, user, T0, LIFETIME), T0)
    assert first.csrf_token != second.csrf_token and len(first.csrf_token) >= 32


def test_emails_are_unique_in_any_case(session, user):
    with pytest.raises(EmailTaken):
        create_user(session, " ADA@example.ORG", PASSWORD, "member", T0)
    assert authenticate(session, "aDa@EXAMPLE.org", PASSWORD).id == user.id


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("not-an-address", PASSWORD, "email"),
        ("a@" + "b" * 260 + ".org", PASSWORD, "email"),
        ("grace@example.org", "short", "password"),
        ("grace@example.org", "x" * 1025, "password"),
    ],
)
def test_account_rules(session, email, password, message):
    with pytest.raises(AccountError, match=message):
        create_user(session, email, password, "member", T0)


def test_the_first_account_is_an_administrator(session):
    first = create_user(session, "ada@example.org", PASSWORD, "member", T0)
    second = create_user(session, "grace@example.org", PASSWORD, "member", T0)
    third = create_user(session, "linus@example.org", PASSWORD, "admin", T0)
    assert (first.is_admin, second.is_admin, third.is_admin) == (True, False, True)


def test_authenticate_refuses_what_it_should(session, user):
    assert authenticate(session, "ada@example.org", "wrong password") is None
    assert authenticate(session, "ada@example.org", PASSWORD + "x" * 2000) is None
    assert authenticate(session, "x" * 300, PASSWORD) is None
    user.password_hash = None  # an account without a local password
    assert authenticate(session, "ada@example.org", PASSWORD) is None
