"""GET /api/v1/audit: the audit log, for administrators."""

from flask import g, jsonify

from app.api.blueprint import bp, query_args
from app.audit.queries import list_entries
from app.core.roles import ADMIN, requires
from app.db import get_session
from app.errors import ApiError
from app.schemas import AuditArgs


@bp.get("/audit")
@requires(ADMIN)
def audit_list():
    """Who did what, newest first, with filters and cursor paging."""
    if g.caller.project_ids is not None:
        # The log spans every project, sign-ins and accounts: more than such a token may see.
        raise ApiError(
            403, "forbidden", "A token limited to some projects cannot read the audit log."
        )
    args = AuditArgs().load(query_args())
    return jsonify(list_entries(get_session(), args))
