"""API tokens for administrators: list, create (the plaintext is shown once) and delete."""

from flask import jsonify
from sqlalchemy import select

from app.access.tokens import create_token
from app.api.blueprint import bp, json_body, query_args
from app.core.roles import READ, requires
from app.db import get_session
from app.errors import not_found
from app.models import ApiToken
from app.paging import decode_cursor, encode_cursor, iso
from app.schemas import PageArgs, TokenIn


def token_dict(token: ApiToken) -> dict:
    """A token as the API lists it: its prefix identifies it, the secret and hash stay hidden."""
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": iso(token.created_at),
    }


@bp.get("/tokens")
@requires(READ)
def tokens_list():
    """All API tokens, paginated by id."""
    args = PageArgs().load(query_args())
    query = select(ApiToken).order_by(ApiToken.id)
    if "cursor" in args:
        query = query.where(ApiToken.id > decode_cursor(args["cursor"], None)[1])
    rows = get_session().scalars(query.limit(args["limit"] + 1)).all()
    page = rows[: args["limit"]]
    more = len(rows) > args["limit"]
    return jsonify(
        items=[token_dict(token) for token in page],
        next_cursor=encode_cursor(None, page[-1].id) if more else None,
    )


@bp.post("/tokens")
@requires(READ)
def tokens_create():
    """Create a token; the answer is the only place its plaintext ever appears."""
    name = TokenIn().load(json_body())["name"].strip()
    session = get_session()
    plaintext, token = create_token(session, name)
    session.commit()
    return jsonify(token_dict(token) | {"token": plaintext}), 201


@bp.delete("/tokens/<int:token_id>")
@requires(READ)
def token_delete(token_id: int):
    """Revoke a token: requests carrying it are refused from now on."""
    session = get_session()
    token = session.get(ApiToken, token_id)
    if token is None:
        raise not_found("API token")
    session.delete(token)
    session.commit()
    return "", 204
