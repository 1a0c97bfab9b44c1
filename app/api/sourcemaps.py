"""Source maps of a project: uploaded (multipart), listed and deleted."""

from datetime import UTC, datetime

from flask import current_app, jsonify, request

from app.api.blueprint import bp
from app.api.projects import load_project
from app.audit import audit
from app.core.roles import READ, TRIAGE, requires
from app.db import get_session
from app.errors import ApiError, not_found
from app.schemas import SourceMapUploadIn
from app.sourcemaps.store import bundle_json, bundle_view, delete_bundle, files_of, list_bundles
from app.sourcemaps.uploads import UploadError, store_upload

MAX_PARTS = 2000


def _forget(project_id: int) -> None:
    # This process maps with the new files at once; other processes within a second.
    current_app.extensions["faultline.maps"].forget(project_id)


@bp.post("/projects/<int:project_id>/sourcemaps")
@requires(TRIAGE)
def sourcemaps_upload(project_id: int):
    """Upload maps and the scripts they explain (`file` parts), with a release and URL prefix;
    stored events those maps explain are mapped again and regrouped."""
    config = current_app.config["FAULTLINE"]
    limits = config["sourcemaps"]
    request.max_content_length = limits["max_upload_bytes"] + 1024 * 1024
    request.max_form_parts = MAX_PARTS
    session = get_session()
    load_project(session, project_id)
    fields = SourceMapUploadIn().load(request.form.to_dict())
    parts = request.files.getlist("file")
    if not parts:
        raise ApiError(400, "invalid_body", "Send the maps and scripts as multipart `file` parts.")
    files = [(part.filename or "upload.map", part.read()) for part in parts]
    now = datetime.now(UTC)
    try:
        bundle, remapped = store_upload(
            session,
            project_id,
            files,
            release=fields["release"],
            url_prefix=fields["url_prefix"],
            origin="api",
            limits=limits,
            now=now,
            retention_days=config["retention"]["days"],
        )
    except UploadError as error:
        session.rollback()
        status, code = (413, "too_large") if error.too_large else (400, "invalid_sourcemap")
        raise ApiError(status, code, str(error)) from None
    view = bundle_view(bundle, files_of(session, bundle.id))
    audit(
        "sourcemaps.upload",
        "sourcemap_bundle",
        bundle.id,
        project=project_id,
        release=fields["release"],
        files=len(view["files"]),
        remapped=remapped,
    )
    session.commit()
    _forget(project_id)
    return jsonify(bundle=bundle_json(view), remapped=remapped), 201


@bp.get("/projects/<int:project_id>/sourcemaps")
@requires(READ)
def sourcemaps_list(project_id: int):
    """The project's uploaded bundles, newest first, with their files."""
    session = get_session()
    load_project(session, project_id)
    return jsonify(bundles=[bundle_json(view) for view in list_bundles(session, project_id)])


@bp.delete("/projects/<int:project_id>/sourcemaps/<int:bundle_id>")
@requires(TRIAGE)
def sourcemaps_delete(project_id: int, bundle_id: int):
    """Delete one bundle; events it mapped keep their mapped frames."""
    session = get_session()
    load_project(session, project_id)
    if not delete_bundle(session, project_id, bundle_id):
        raise not_found("Source map bundle")
    audit("sourcemaps.delete", "sourcemap_bundle", bundle_id, project=project_id)
    session.commit()
    _forget(project_id)
    return "", 204
