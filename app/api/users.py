"""Who is calling (`me`, the CSRF token) and, for administrators, the local accounts."""

from datetime import UTC, datetime

from flask import g, jsonify
from sqlalchemy import select

from app.access.accounts import AccountError, EmailTaken, create_user
from app.api.blueprint import bp, json_body, query_args
from app.audit import audit
from app.core.roles import ADMIN, READ, SCOPES, requires
from app.db import get_session
from app.errors import ApiError, not_found
from app.models import User
from app.paging import decode_cursor, encode_cursor, iso
from app.schemas import PageArgs, UserIn, UserPatch


def user_dict(user: User) -> dict:
    """An account as the API shows it (never its password hash)."""
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role,
        "is_admin": user.is_admin,
        "created_at": iso(user.created_at),
        "last_login_at": iso(user.last_login_at),
    }


@bp.get("/me")
@requires(READ)
def me():
    """The signed-in user, or the API token, behind this request."""
    caller, user = g.caller, g.get("user")
    scopes = [scope for scope in SCOPES if caller.may(scope)]
    if user is not None:
        return jsonify(
            kind="user",
            id=user.user_id,
            email=user.email,
            role=user.role,
            is_admin=user.is_admin,
            scopes=scopes,
        )
    projects = sorted(caller.project_ids) if caller.project_ids is not None else None
    return jsonify(
        kind="token",
        name=caller.label.removeprefix("token:"),
        user_id=caller.user_id,
        is_admin=caller.may(ADMIN),
        scopes=scopes,
        project_ids=projects,
    )


@bp.get("/csrf")
@requires(READ)
def csrf():
    """The CSRF token a browser session sends as X-CSRF-Token (null for API tokens)."""
    user = g.get("user")
    return jsonify(token=user.csrf_token if user is not None else None)


@bp.get("/users")
@requires(ADMIN)
def users_list():
    """All local accounts, paginated by id."""
    args = PageArgs().load(query_args())
    query = select(User).order_by(User.id)
    if "cursor" in args:
        query = query.where(User.id > decode_cursor(args["cursor"], None)[1])
    rows = get_session().scalars(query.limit(args["limit"] + 1)).all()
    page = rows[: args["limit"]]
    more = len(rows) > args["limit"]
    return jsonify(
        items=[user_dict(user) for user in page],
        next_cursor=encode_cursor(None, page[-1].id) if more else None,
    )


@bp.post("/users")
@requires(ADMIN)
def users_create():
    """Create a local account with a password."""
    data = UserIn().load(json_body())
    session = get_session()
    try:
        user = create_user(
            session, data["email"], data["password"], data["role"], datetime.now(UTC)
        )
    except EmailTaken as error:
        raise ApiError(409, "conflict", "A user with this email already exists.") from error
    except AccountError as error:
        raise ApiError(400, "invalid", f"The {error}.") from error
    audit("user.create", "user", user.id, email=user.email, role=user.role)
    session.commit()
    return jsonify(user_dict(user)), 201


@bp.delete("/users/<int:user_id>")
@requires(ADMIN)
def user_delete(user_id: int):
    """Delete an account; its browser sessions end with it. Not your own (409)."""
    session = get_session()
    user = session.get(User, user_id)
    if user is None:
        raise not_found("User")
    if g.get("user") is not None and g.user.user_id == user.id:
        raise ApiError(409, "conflict", "You cannot delete your own account.")
    _keep_an_administrator(session, user)
    session.delete(user)
    audit("user.delete", "user", user.id, email=user.email)
    session.commit()
    return "", 204


def administrators(session) -> int:
    """How many accounts hold the admin role, locking them until the request commits."""
    # Two administrators demoting each other at once must not both see the other one left:
    # on PostgreSQL the second waits for the first's rows (SQLite writers already take turns).
    locked = select(User.id).where(User.role == "admin").with_for_update()
    return len(session.scalars(locked).all())


def _keep_an_administrator(session, user: User) -> None:
    # An instance without an administrator could only be repaired on the command line.
    if user.is_admin and administrators(session) <= 1:
        raise ApiError(409, "conflict", "This is the last administrator; make another first.")


@bp.patch("/users/<int:user_id>")
@requires(ADMIN)
def user_update(user_id: int):
    """Change an account's role; its sessions and tokens act with it from their next request."""
    role = UserPatch().load(json_body())["role"]
    session = get_session()
    user = session.get(User, user_id)
    if user is None:
        raise not_found("User")
    old = user.role
    if role != old:
        if role != "admin":
            _keep_an_administrator(session, user)
        user.role = role
        audit("user.role", "user", user.id, email=user.email, old=old, new=role)
        session.commit()
    return jsonify(user_dict(user))
