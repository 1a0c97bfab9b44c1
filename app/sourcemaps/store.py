"""Uploaded source maps and scripts: stored per bundle, listed, deleted. Never commits."""

import hashlib
import zlib
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.core.sourcemap_files import Artifact
from app.models import SourceMapBundle, SourceMapFile
from app.paging import iso

# What a listing shows of a file: everything but its content.
FILE_COLUMNS = (
    SourceMapFile.id,
    SourceMapFile.bundle_id,
    SourceMapFile.kind,
    SourceMapFile.name,
    SourceMapFile.url,
    SourceMapFile.debug_id,
    SourceMapFile.size,
    SourceMapFile.last_used_at,
)


def save_bundle(
    session: Session,
    project_id: int,
    artifacts: list[Artifact],
    release: str | None,
    origin: str,
    now: datetime,
    checksum: str | None = None,
) -> SourceMapBundle:
    """Store one upload's artifacts as a bundle; the caller's transaction makes it all or none."""
    bundle = SourceMapBundle(
        project_id=project_id,
        release=release,
        origin=origin,
        checksum=checksum,
        size=sum(len(a.content) for a in artifacts),
        created_at=now,
    )
    session.add(bundle)
    session.flush()
    for artifact in artifacts:
        session.add(
            SourceMapFile(
                bundle_id=bundle.id,
                project_id=project_id,
                kind=artifact.kind,
                url=artifact.url,
                name=artifact.name,
                debug_id=artifact.debug_id,
                release=release,
                size=len(artifact.content),
                sha1=hashlib.sha1(artifact.content).hexdigest(),
                content=zlib.compress(artifact.content, 6),
                created_at=now,
            )
        )
    session.flush()
    return bundle


def bundle_with_checksum(
    session: Session, project_id: int, checksum: str
) -> SourceMapBundle | None:
    """A bundle sentry-cli assembled before from the same chunks, if any."""
    return session.scalars(
        select(SourceMapBundle).where(
            SourceMapBundle.project_id == project_id, SourceMapBundle.checksum == checksum
        )
    ).first()


def list_bundles(session: Session, project_id: int) -> list[dict]:
    """A project's bundles, newest first, each with its files (no content)."""
    bundles = session.scalars(
        select(SourceMapBundle)
        .where(SourceMapBundle.project_id == project_id)
        .order_by(SourceMapBundle.id.desc())
    ).all()
    files: dict[int, list] = {}
    rows = session.execute(
        select(*FILE_COLUMNS)
        .where(SourceMapFile.project_id == project_id)
        .order_by(SourceMapFile.id)
    )
    for row in rows:
        files.setdefault(row.bundle_id, []).append(row)
    return [bundle_view(bundle, files.get(bundle.id, [])) for bundle in bundles]


def bundle_view(bundle: SourceMapBundle, files: list) -> dict:
    """The API's view of a bundle and its files."""
    return {
        "id": bundle.id,
        "release": bundle.release,
        "origin": bundle.origin,
        "size": bundle.size,
        "created_at": bundle.created_at,
        "last_used_at": bundle.last_used_at,
        "debug_ids": sorted({f.debug_id for f in files if f.debug_id}),
        "files": [
            {
                "id": f.id,
                "kind": f.kind,
                "name": f.name,
                "url": f.url,
                "debug_id": f.debug_id,
                "size": f.size,
                "last_used_at": f.last_used_at,
            }
            for f in files
        ],
    }


def bundle_json(view: dict) -> dict:
    """A bundle view with its times as ISO strings, for the API and the CLI."""
    files = [{**f, "last_used_at": iso(f["last_used_at"])} for f in view["files"]]
    return {
        **view,
        "created_at": iso(view["created_at"]),
        "last_used_at": iso(view["last_used_at"]),
        "files": files,
    }


def files_of(session: Session, bundle_id: int) -> list:
    """A bundle's file rows without content, for `bundle_view`."""
    return session.execute(
        select(*FILE_COLUMNS).where(SourceMapFile.bundle_id == bundle_id).order_by(SourceMapFile.id)
    ).all()


def delete_bundle(session: Session, project_id: int, bundle_id: int) -> bool:
    """Delete a bundle and its files; False when the project has no such bundle."""
    found = session.scalar(
        select(SourceMapBundle.id).where(
            SourceMapBundle.id == bundle_id, SourceMapBundle.project_id == project_id
        )
    )
    if found is None:
        return False
    session.execute(delete(SourceMapFile).where(SourceMapFile.bundle_id == bundle_id))
    session.execute(delete(SourceMapBundle).where(SourceMapBundle.id == bundle_id))
    return True
