"""Projects and sources administration: create a project with its DSN key, delete one keeping
its history, move sources. Never commits."""

import secrets
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.models import Pixel, Project, Source


def new_public_key() -> str:
    """A random DSN public key (32 hex characters, like Sentry's)."""
    return secrets.token_hex(16)


def create_project(session: Session, name: str, now: datetime | None = None) -> Project:
    """Add a project with a fresh DSN key."""
    project = Project(name=name, public_key=new_public_key(), created_at=now or datetime.now(UTC))
    session.add(project)
    session.flush()
    return project


def rotate_key(project: Project) -> None:
    """Replace a project's DSN key with a fresh one."""
    project.public_key = new_public_key()


def live_projects():
    """Ids of the projects that are not deleted (a subquery)."""
    return select(Project.id).where(Project.deleted_at.is_(None))


def name_taken(session: Session, name: str, except_id: int | None = None) -> bool:
    """True when another live project has this name, ignoring case."""
    query = select(Project.id).where(
        func.lower(Project.name) == name.lower(), Project.deleted_at.is_(None)
    )
    if except_id is not None:
        query = query.where(Project.id != except_id)
    return session.scalar(query.limit(1)) is not None


def delete_project(session: Session, project: Project, move_to: int | None, now: datetime) -> int:
    """Tombstone a project: its pixels are deleted, its sources moved to `move_to` (or
    unassigned), and its groups, events, hits and rollups stay as history. Returns how many
    sources moved or were unassigned."""
    session.query(Pixel).filter(Pixel.project_id == project.id).delete()
    # A pixel's source follows its pixel, which is gone: it is unassigned, never moved.
    session.execute(
        update(Source)
        .where(Source.project_id == project.id, Source.kind == "pixel")
        .values(project_id=None)
    )
    moved = session.execute(
        update(Source).where(Source.project_id == project.id).values(project_id=move_to)
    ).rowcount
    project.deleted_at = now
    session.flush()
    return moved
