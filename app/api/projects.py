"""Projects (with their DSN) and sources."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, g, jsonify
from sqlalchemy import select

from app.api.blueprint import bp, json_body, query_args, require_project
from app.audit import audit
from app.core.roles import ADMIN, READ, requires
from app.db import get_session
from app.errors import ApiError, not_found
from app.models import Project, Source
from app.paging import decode_cursor, encode_cursor, iso
from app.schemas import (
    DroppedArgs,
    PageArgs,
    ProjectDeleteArgs,
    ProjectIn,
    SourceListArgs,
    SourcePatch,
)
from app.store.dropped import dropped_counts
from app.store.projects import create_project, delete_project, name_taken, rotate_key


def dsn(project: Project) -> str:
    """The Sentry DSN of a project: `scheme://public_key@host/project_id`."""
    base = urlsplit(current_app.config["FAULTLINE"]["web"]["base_url"])
    return f"{base.scheme}://{project.public_key}@{base.netloc}{base.path.rstrip('/')}/{project.id}"


def project_dict(project: Project) -> dict:
    """A project as the API shows it."""
    return {
        "id": project.id,
        "name": project.name,
        "dsn": dsn(project),
        "created_at": iso(project.created_at),
    }


def load_project(session, project_id: int) -> Project:
    """A live (not deleted) project the caller may see, or 404."""
    require_project(project_id)
    project = session.get(Project, project_id)
    if project is None or project.deleted_at is not None:
        raise not_found("Project")
    return project


def visible_projects():
    """The project ids the caller is limited to (a project-limited token), or None for all."""
    limited = g.caller.project_ids
    return sorted(limited) if limited is not None else None


def _forget_cached_sources() -> None:
    # This process sees the change at once; other workers within the ingest cache's TTL.
    current_app.extensions["faultline.writer"].cache.clear()


def _unique_name(session, name: str, except_id: int | None = None) -> str:
    name = name.strip()
    if name_taken(session, name, except_id):
        raise ApiError(409, "conflict", "Another project already has this name.")
    return name


@bp.get("/projects")
@requires(READ)
def projects_list():
    """All projects, paginated by id."""
    args = PageArgs().load(query_args())
    query = select(Project).where(Project.deleted_at.is_(None)).order_by(Project.id)
    if (limited := visible_projects()) is not None:
        query = query.where(Project.id.in_(limited))
    if "cursor" in args:
        query = query.where(Project.id > decode_cursor(args["cursor"], None)[1])
    rows = get_session().scalars(query.limit(args["limit"] + 1)).all()
    page = rows[: args["limit"]]
    more = len(rows) > args["limit"]
    return jsonify(
        items=[project_dict(p) for p in page],
        next_cursor=encode_cursor(None, page[-1].id) if more else None,
    )


@bp.post("/projects")
@requires(ADMIN)
def projects_create():
    """Create a project."""
    data = ProjectIn().load(json_body())
    session = get_session()
    project = create_project(session, _unique_name(session, data["name"]))
    audit("project.create", "project", project.id, name=project.name)
    session.commit()
    return jsonify(project_dict(project)), 201


@bp.get("/projects/<int:project_id>")
@requires(READ)
def project_get(project_id: int):
    """One project."""
    return jsonify(project_dict(load_project(get_session(), project_id)))


@bp.patch("/projects/<int:project_id>")
@requires(ADMIN)
def project_rename(project_id: int):
    """Rename a project."""
    data = ProjectIn().load(json_body())
    session = get_session()
    project = load_project(session, project_id)
    project.name = _unique_name(session, data["name"], project.id)
    audit("project.rename", "project", project.id, name=project.name)
    session.commit()
    return jsonify(project_dict(project))


@bp.post("/projects/<int:project_id>/rotate-key")
@requires(ADMIN)
def project_rotate_key(project_id: int):
    """Give the project a new DSN key; SDKs still sending the old one get 403 from now on."""
    session = get_session()
    project = load_project(session, project_id)
    rotate_key(project)
    audit("project.rotate_key", "project", project.id)
    session.commit()
    _forget_cached_sources()  # this process's ingest forgets the old key at once
    return jsonify(project_dict(project))


@bp.get("/projects/<int:project_id>/dropped")
@requires(READ)
def project_dropped(project_id: int):
    """What the project's SDKs sent that was accepted and not stored, over the last `days`."""
    args = DroppedArgs().load(query_args())
    session = get_session()
    load_project(session, project_id)
    since = datetime.now(UTC).date() - timedelta(days=args["days"] - 1)
    return jsonify(since=since.isoformat(), items=dropped_counts(session, project_id, since))


@bp.delete("/projects/<int:project_id>")
@requires(ADMIN)
def project_delete(project_id: int):
    """Delete a project: its pixels go, its sources move to `move_sources_to` or become
    unassigned (their traffic is dropped until assigned), its history stays."""
    args = ProjectDeleteArgs().load(query_args())
    session = get_session()
    project = load_project(session, project_id)
    target = args.get("move_sources_to")
    if target == project.id:
        raise ApiError(409, "conflict", "Sources cannot move into the project being deleted.")
    if target is not None:
        load_project(session, target)
    delete_project(session, project, target, datetime.now(UTC))
    audit("project.delete", "project", project_id, name=project.name, move_sources_to=target)
    session.commit()
    _forget_cached_sources()
    return "", 204


def source_dict(source: Source) -> dict:
    """A source as the API shows it."""
    return {
        "id": source.id,
        "project": source.project_id,
        "key": source.key,
        "name": source.name,
        "kind": source.kind,
        "created_at": iso(source.created_at),
    }


@bp.get("/sources")
@requires(READ)
def sources_list():
    """Sources, optionally of one project, paginated by id."""
    args = SourceListArgs().load(query_args())
    query = select(Source).order_by(Source.id)
    if "project" in args:
        require_project(args["project"])
        query = query.where(Source.project_id == args["project"])
    if (limited := visible_projects()) is not None:
        # Unassigned sources belong to no project, so a project-limited token sees none.
        query = query.where(Source.project_id.in_(limited))
    if "cursor" in args:
        query = query.where(Source.id > decode_cursor(args["cursor"], None)[1])
    rows = get_session().scalars(query.limit(args["limit"] + 1)).all()
    page = rows[: args["limit"]]
    return jsonify(
        items=[source_dict(source) for source in page],
        next_cursor=encode_cursor(None, page[-1].id) if len(rows) > args["limit"] else None,
    )


@bp.patch("/sources/<int:source_id>")
@requires(ADMIN)
def source_update(source_id: int):
    """Move a source to another project (null: unassign it) or rename it. Its past events
    stay in the project they arrived in; new ones go to the new project."""
    data = SourcePatch().load(json_body())
    session = get_session()
    source = session.get(Source, source_id)
    limited = visible_projects()
    if source is None or (limited is not None and source.project_id not in limited):
        raise not_found("Source")
    if "project" in data:
        if source.kind == "pixel":
            raise ApiError(409, "conflict", "A pixel's source stays in its pixel's project.")
        if data["project"] is not None:
            load_project(session, data["project"])
        source.project_id = data["project"]
    if "name" in data:
        source.name = (data["name"] or "").strip() or None
    audit("source.update", "source", source.id, **data)
    session.commit()
    _forget_cached_sources()
    return jsonify(source_dict(source))
