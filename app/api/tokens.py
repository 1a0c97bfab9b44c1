"""API tokens per user: list, create (the plaintext is shown once) and revoke.

The owner of a new token is whoever asks: the signed-in user, or the owner of the token the
request carries (which must then hold `admin`). Administrators see and revoke every token,
everyone else only their own.
"""

from datetime import UTC, datetime, timedelta

from flask import g, jsonify
from sqlalchemy import select

from app.access.tokens import TokenError, create_token
from app.api.blueprint import bp, json_body, query_args
from app.audit import audit
from app.core.roles import ADMIN, READ, Caller, requires
from app.db import get_session
from app.errors import ApiError, not_found
from app.models import ApiToken, Project, User
from app.paging import decode_cursor, encode_cursor, iso
from app.schemas import PageArgs, TokenIn


def token_dict(token: ApiToken, owner: User | None, now: datetime) -> dict:
    """A token as the API lists it: its prefix identifies it, the secret and hash stay hidden."""
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "owner": {"id": owner.id, "email": owner.email} if owner is not None else None,
        "scopes": token.scopes,
        "project_ids": token.project_ids,
        "created_at": iso(token.created_at),
        "expires_at": iso(token.expires_at),
        "last_used_at": iso(token.last_used_at),
        "expired": token.expires_at is not None and token.expires_at <= now,
    }


def _manager() -> Caller:
    # A token that may not administer must not mint or list tokens (it could outlive a
    # revocation by making its own successor).
    caller = g.caller
    if caller.kind == "token" and not caller.may(ADMIN):
        raise ApiError(403, "forbidden", "Only a token with the 'admin' scope manages tokens.")
    return caller


@bp.get("/tokens")
@requires(READ)
def tokens_list():
    """Tokens (every one for administrators, else your own), paginated by id."""
    caller = _manager()
    args = PageArgs().load(query_args())
    query = select(ApiToken, User).outerjoin(User, User.id == ApiToken.user_id)
    if not caller.may(ADMIN):
        query = query.where(ApiToken.user_id == caller.user_id)
    if "cursor" in args:
        query = query.where(ApiToken.id > decode_cursor(args["cursor"], None)[1])
    rows = get_session().execute(query.order_by(ApiToken.id).limit(args["limit"] + 1)).all()
    page = rows[: args["limit"]]
    now = datetime.now(UTC)
    return jsonify(
        items=[token_dict(token, owner, now) for token, owner in page],
        next_cursor=encode_cursor(None, page[-1][0].id) if len(rows) > args["limit"] else None,
    )


def _projects(session, caller: Caller, wanted: list[int] | None) -> list[int] | None:
    """The projects of a new token; a project-limited token passes on at most its own."""
    if wanted is None:
        return sorted(caller.project_ids) if caller.project_ids is not None else None
    known = set(
        session.scalars(
            select(Project.id).where(Project.id.in_(wanted), Project.deleted_at.is_(None))
        )
    )
    unknown = sorted(set(wanted) - {p for p in known if caller.may_see_project(p)})
    if unknown:
        raise ApiError(400, "invalid", f"Unknown projects: {', '.join(map(str, unknown))}.")
    return sorted(known)


@bp.post("/tokens")
@requires(READ)
def tokens_create():
    """Create a token for yourself; the answer is the only place its plaintext ever appears."""
    caller = _manager()
    data = TokenIn().load(json_body())
    session = get_session()
    owner = session.get(User, caller.user_id) if caller.user_id is not None else None
    now = datetime.now(UTC)
    days = data.get("expires_in_days")
    try:
        plaintext, token = create_token(
            session,
            data["name"].strip(),
            user=owner,
            scopes=data.get("scopes"),
            project_ids=_projects(session, caller, data.get("project_ids")),
            expires_at=now + timedelta(days=days) if days is not None else None,
            now=now,
        )
    except TokenError as error:
        raise ApiError(400, "invalid", f"The token cannot be made: {error}.") from None
    audit("token.create", "token", token.id, **_described(token))
    session.commit()
    return jsonify(token_dict(token, owner, now) | {"token": plaintext}), 201


def _described(token: ApiToken) -> dict:
    return {
        "name": token.name,
        "owner": token.user_id,
        "scopes": token.scopes,
        "project_ids": token.project_ids,
        "expires_at": iso(token.expires_at),
    }


@bp.delete("/tokens/<int:token_id>")
@requires(READ)
def token_delete(token_id: int):
    """Revoke a token (your own, or any for administrators): requests carrying it are refused
    from now on."""
    caller = _manager()
    session = get_session()
    token = session.get(ApiToken, token_id)
    if token is None or not (caller.may(ADMIN) or token.user_id == caller.user_id):
        raise not_found("API token")
    session.delete(token)
    audit("token.revoke", "token", token.id, name=token.name, owner=token.user_id)
    session.commit()
    return "", 204
