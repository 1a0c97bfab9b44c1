"""What `faultline sourcemaps upload|list|delete` do (app/cli/commands.py holds the options):
the same uploads as the API, from a shell."""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import CLI, record
from app.core.sourcemap_files import SCRIPT_SUFFIXES
from app.db import make_engine
from app.models import Project
from app.sourcemaps.store import bundle_json, delete_bundle, list_bundles
from app.sourcemaps.uploads import UploadError, store_upload

UPLOADED_SUFFIXES = (*SCRIPT_SUFFIXES, ".map")


def _project_id(session: Session, given: str) -> int:
    """A live project's id from its id or its name."""
    query = select(Project.id).where(Project.deleted_at.is_(None))
    by_id = session.scalar(query.where(Project.id == int(given))) if given.isdigit() else None
    found = by_id or session.scalar(query.where(Project.name == given))
    if found is None:
        raise click.ClickException(f"no project with the id or name {given!r}")
    return found


def read_files(paths: tuple[str, ...]) -> list[tuple[str, bytes]]:
    """(path relative to what was given, content) of the scripts and maps under the paths: a
    folder's files keep their place inside it, a file given alone is its name."""
    files: list[tuple[str, bytes]] = []
    for given in paths:
        root = Path(given)
        if root.is_dir():
            for folder, _dirs, names in sorted(os.walk(root)):
                for name in sorted(names):
                    if name.endswith(UPLOADED_SUFFIXES):
                        path = Path(folder) / name
                        files.append((path.relative_to(root).as_posix(), path.read_bytes()))
        elif root.is_file():
            files.append((root.name, root.read_bytes()))
        else:
            raise click.ClickException(f"{given}: no such file or folder")
    return files


def upload(config: dict, project: str, release: str | None, url_prefix: str | None, paths) -> str:
    """Store maps and the minified scripts they explain (files or folders); what was done."""
    files = read_files(paths)
    engine = make_engine(config["database"]["url"])
    try:
        with Session(engine, expire_on_commit=False) as session:
            project_id = _project_id(session, project)
            now = datetime.now(UTC)
            try:
                bundle, remapped = store_upload(
                    session,
                    project_id,
                    files,
                    release=release,
                    url_prefix=url_prefix,
                    origin="cli",
                    limits=config["sourcemaps"],
                    now=now,
                    retention_days=config["retention"]["days"],
                )
            except UploadError as error:
                raise click.ClickException(str(error)) from None
            record(
                session,
                CLI,
                "sourcemaps.upload",
                "sourcemap_bundle",
                bundle.id,
                now=now,
                project=project_id,
                release=release,
                files=len(files),
                remapped=remapped,
            )
            session.commit()
    finally:
        engine.dispose()
    return (
        f"bundle {bundle.id}: {len(files)} files ({bundle.size} bytes) for project {project_id}"
        f"{f', release {release}' if release else ''}; {remapped['events']} stored events "
        f"mapped again, {remapped['groups']} groups moved"
    )


def bundle_lines(config: dict, project: str) -> list[str]:
    """The project's bundles, newest first, as JSON lines."""
    lines = []
    engine = make_engine(config["database"]["url"])
    try:
        with Session(engine) as session:
            for view in list_bundles(session, _project_id(session, project)):
                lines.append(json.dumps(bundle_json(view)))
    finally:
        engine.dispose()
    return lines


def delete(config: dict, project: str, bundle_id: int) -> str:
    """Delete one bundle and its files."""
    engine = make_engine(config["database"]["url"])
    try:
        with Session(engine) as session:
            project_id = _project_id(session, project)
            if not delete_bundle(session, project_id, bundle_id):
                raise click.ClickException(f"no bundle {bundle_id} in that project")
            record(
                session, CLI, "sourcemaps.delete", "sourcemap_bundle", bundle_id, project=project_id
            )
            session.commit()
    finally:
        engine.dispose()
    return f"bundle {bundle_id} deleted"
