"""One upload, from the CLI or the API: files checked, stored as a bundle, stored events
mapped again. Never commits: the caller's transaction keeps it all or nothing."""

from datetime import datetime

from sqlalchemy.orm import Session

from app.core.sourcemap import MapError
from app.core.sourcemap_files import collect
from app.models import SourceMapBundle
from app.sourcemaps.late import remap_after_upload
from app.sourcemaps.store import save_bundle


class UploadError(ValueError):
    """An upload that stores nothing, and why (the caller answers 400 or 413)."""

    def __init__(self, message: str, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


def store_upload(
    session: Session,
    project_id: int,
    files: list[tuple[str, bytes]],
    *,
    release: str | None,
    url_prefix: str | None,
    origin: str,
    limits: dict,
    now: datetime,
    retention_days: int,
) -> tuple[SourceMapBundle, dict]:
    """Store the maps and scripts of one upload; (bundle, what the late re-mapping moved)."""
    for path, content in files:
        if len(content) > limits["max_file_bytes"]:
            raise UploadError(
                f"{path}: {len(content)} bytes, more than the {limits['max_file_bytes']} allowed",
                too_large=True,
            )
    if sum(len(content) for _, content in files) > limits["max_upload_bytes"]:
        raise UploadError("the upload is larger than sourcemaps.max_upload_bytes", too_large=True)
    try:
        artifacts = collect(files, url_prefix)
    except MapError as error:
        raise UploadError(str(error)) from None
    if not any(a.kind == "source_map" for a in artifacts):
        raise UploadError("no source map found: send .map files, or .js files that name theirs")
    bundle = save_bundle(session, project_id, artifacts, release, origin, now)
    return bundle, remap_after_upload(session, project_id, now, retention_days)
