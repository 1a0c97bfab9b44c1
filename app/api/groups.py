"""Exception groups: list, detail, events, triage (one or many) and merge."""

from datetime import UTC, datetime

from flask import g, jsonify
from sqlalchemy import select

from app.api.blueprint import bp, json_body, query_args, require_project
from app.api.projects import visible_projects
from app.audit import audit
from app.core.roles import READ, TRIAGE, requires
from app.db import get_session
from app.errors import ApiError, not_found
from app.groups.listing import list_groups
from app.groups.queries import group_detail, group_summary, list_events
from app.groups.triage import apply_triage, expire_ignores, merge_groups
from app.models import ExceptionGroup, Project
from app.schemas import BulkTriageIn, GroupListArgs, MergeIn, PageArgs, TriageIn


def load_group(session, group_id: int) -> ExceptionGroup:
    """A live group of a live project the caller may see, or 404."""
    group = session.get(ExceptionGroup, group_id)
    if group is None or group.merged_into_id is not None:
        raise not_found("Group")
    if not g.caller.may_see_project(group.project_id):
        raise not_found("Group")
    if session.get(Project, group.project_id).deleted_at is not None:
        raise not_found("Group")
    return group


def _expire(session) -> None:
    # Ignores that ran out of time end when someone looks, not only when the next event comes.
    expire_ignores(session, datetime.now(UTC))
    session.commit()


@bp.get("/groups")
@requires(READ)
def groups_list():
    """Groups with filters, sorts and cursor paging; counts per status; each with its trend."""
    args = GroupListArgs().load(query_args())
    if "project" in args:
        require_project(args["project"])
    session = get_session()
    _expire(session)
    return jsonify(list_groups(session, args, datetime.now(UTC).date(), visible_projects()))


@bp.get("/groups/<int:group_id>")
@requires(READ)
def group_get(group_id: int):
    """One group with its latest event, trend, breakdowns and history."""
    session = get_session()
    _expire(session)
    group = load_group(session, group_id)
    return jsonify(group_detail(session, group, datetime.now(UTC).date()))


@bp.get("/groups/<int:group_id>/events")
@requires(READ)
def group_events(group_id: int):
    """A group's events, newest first, paginated."""
    args = PageArgs().load(query_args())
    session = get_session()
    load_group(session, group_id)
    return jsonify(list_events(session, group_id, args.get("cursor"), args["limit"]))


@bp.patch("/groups/<int:group_id>")
@requires(TRIAGE)
def group_triage(group_id: int):
    """Resolve, ignore or reopen one group."""
    change = TriageIn().load(json_body())
    session = get_session()
    group = load_group(session, group_id)
    apply_triage(session, group, change, g.actor, datetime.now(UTC))
    audit(TRIAGE_ACTIONS[change["status"]], "group", group.id, **_triage_detail(change))
    session.commit()
    return jsonify(group_summary(group))


@bp.patch("/groups")
@requires(TRIAGE)
def groups_bulk_triage():
    """The same status change for many groups at once (all or none)."""
    change = BulkTriageIn().load(json_body())
    session = get_session()
    groups = _load_many(session, change.pop("ids"))
    now = datetime.now(UTC)
    for group in groups:
        apply_triage(session, group, change, g.actor, now)
        audit(TRIAGE_ACTIONS[change["status"]], "group", group.id, **_triage_detail(change))
    session.commit()
    return jsonify(items=[group_summary(group) for group in groups])


@bp.post("/groups/merge")
@requires(TRIAGE)
def groups_merge():
    """Merge groups of one project into the one with the most events."""
    ids = MergeIn().load(json_body())["ids"]
    session = get_session()
    groups = _load_many(session, ids)
    if len(groups) < 2:
        raise ApiError(400, "invalid", "Give at least two different groups to merge.")
    if len({group.project_id for group in groups}) != 1:
        raise ApiError(409, "conflict", "Only groups of the same project can be merged.")
    survivor = merge_groups(session, groups, g.actor, datetime.now(UTC))
    merged = [group.id for group in groups if group.id != survivor.id]
    audit("group.merge", "group", survivor.id, merged=merged)
    session.commit()
    return jsonify(group_summary(survivor))


TRIAGE_ACTIONS = {"resolved": "group.resolve", "ignored": "group.ignore"}
TRIAGE_ACTIONS["unresolved"] = "group.reopen"


def _triage_detail(change: dict) -> dict:
    detail = {"status": change["status"]}
    if "resolve_in" in change:
        detail["resolve_in"] = change["resolve_in"]
    until = change.get("ignore_until")
    if until:
        detail["ignore_until"] = {
            key: value.isoformat() if hasattr(value, "isoformat") else value
            for key, value in until.items()
        }
    return detail


def _load_many(session, ids: list[int]) -> list[ExceptionGroup]:
    unique_ids = sorted(set(ids))
    groups = session.scalars(
        select(ExceptionGroup)
        .where(ExceptionGroup.id.in_(unique_ids), ExceptionGroup.merged_into_id.is_(None))
        .order_by(ExceptionGroup.id)
    ).all()
    missing = set(unique_ids) - {
        group.id for group in groups if g.caller.may_see_project(group.project_id)
    }
    if missing:
        raise ApiError(
            404, "not_found", f"Groups not found: {', '.join(map(str, sorted(missing)))}."
        )
    return list(groups)
