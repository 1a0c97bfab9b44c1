"""Projects (with their DSN) and sources."""

from urllib.parse import urlsplit

from flask import current_app, jsonify
from sqlalchemy import select

from app.api import bp, json_body, query_args
from app.db import get_session
from app.errors import not_found
from app.group_queries import decode_cursor, encode_cursor, iso
from app.models import Project, Source
from app.schemas import PageArgs, ProjectIn, SourceListArgs
from app.store import create_project


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


def _load_project(session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise not_found("Project")
    return project


@bp.get("/projects")
def projects_list():
    """All projects, paginated by id."""
    args = PageArgs().load(query_args())
    query = select(Project).order_by(Project.id)
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
def projects_create():
    """Create a project."""
    data = ProjectIn().load(json_body())
    session = get_session()
    project = create_project(session, data["name"])
    session.commit()
    return jsonify(project_dict(project)), 201


@bp.get("/projects/<int:project_id>")
def project_get(project_id: int):
    """One project."""
    return jsonify(project_dict(_load_project(get_session(), project_id)))


@bp.patch("/projects/<int:project_id>")
def project_rename(project_id: int):
    """Rename a project."""
    data = ProjectIn().load(json_body())
    session = get_session()
    project = _load_project(session, project_id)
    project.name = data["name"]
    session.commit()
    return jsonify(project_dict(project))


@bp.delete("/projects/<int:project_id>")
def project_delete(project_id: int):
    """Delete a project with its sources, groups and events."""
    session = get_session()
    session.delete(_load_project(session, project_id))
    session.commit()
    return "", 204


@bp.get("/sources")
def sources_list():
    """Sources, optionally of one project, paginated by id."""
    args = SourceListArgs().load(query_args())
    query = select(Source).order_by(Source.id)
    if "project" in args:
        query = query.where(Source.project_id == args["project"])
    if "cursor" in args:
        query = query.where(Source.id > decode_cursor(args["cursor"], None)[1])
    rows = get_session().scalars(query.limit(args["limit"] + 1)).all()
    page = rows[: args["limit"]]
    return jsonify(
        items=[
            {
                "id": s.id,
                "project": s.project_id,
                "key": s.key,
                "kind": s.kind,
                "created_at": iso(s.created_at),
            }
            for s in page
        ],
        next_cursor=encode_cursor(None, page[-1].id) if len(rows) > args["limit"] else None,
    )
