"""What `sentry-cli sourcemaps upload` speaks to, under Sentry's `/api/0/`, with a Faultline
API token as its auth token.

sentry-cli zips the scripts and maps into an artifact bundle (symbolic's source bundle: an
8-byte `SYSB` header, then a ZIP whose `manifest.json` gives each file's type, URL and
headers), cuts it into chunks named by their SHA-1 and then:

    GET  /api/0/organizations/<org>/chunk-upload/          the options below
    POST /api/0/organizations/<org>/artifactbundle/assemble/   -> not_found + missingChunks
    POST /api/0/organizations/<org>/chunk-upload/          multipart, one part per chunk
    POST /api/0/organizations/<org>/artifactbundle/assemble/   -> ok (or error + detail)

The organisation slug is not checked (Faultline has one); `projects` are ids or names.
Assembly happens inside the second call, so a broken map fails the command that sent it.
The auth token must be a valid, unexpired Faultline API token holding `triage`; a project it
is not limited to is as unknown to it as a project that does not exist.
"""

import hashlib
import logging
import re
import zlib
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from app.access.tokens import token_caller
from app.api.blueprint import unauthenticated_limit
from app.audit import record
from app.core.artifact_bundle import BundleError, read_bundle
from app.core.roles import TRIAGE
from app.db import get_session
from app.errors import RETRY_AFTER_DB_DOWN, retry_after
from app.extensions import limiter
from app.models import Project, UploadChunk
from app.sourcemaps.late import remap_after_upload
from app.sourcemaps.store import bundle_with_checksum, save_bundle

log = logging.getLogger("faultline")
bp = Blueprint("sentry_cli", __name__, url_prefix="/api/0/organizations/<org>")
limiter.limit(unauthenticated_limit, deduct_when=lambda response: response.status_code == 401)(bp)

MiB = 1024 * 1024
CHUNK_BYTES = 8 * MiB  # Sentry's chunk size
CHUNKS_PER_REQUEST = 4
MAX_REQUEST_BYTES = 32 * MiB  # of chunks before compression; gzip adds a little on top
MAX_BUNDLE_BYTES = 64 * MiB  # the zipped bundle; unzipped, sourcemaps.max_upload_bytes
CHUNK_TTL = timedelta(days=1)  # chunks of an upload that never assembled are dropped after
SHA1 = re.compile(r"[0-9a-f]{40}")


class CliError(Exception):
    """A refusal sentry-cli shows the user: a status and Sentry's `{"detail": ...}`."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


@contextmanager
def reading():
    """A session that only reads: on SQLite, the request's own session would take the write
    lock at once, and hold it while a 32 MiB body arrives or a bundle is unzipped."""
    with current_app.extensions["faultline.sessionmaker"]() as session:
        yield session


@bp.before_request
def _authenticate() -> None:
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise CliError(401, "Authentication credentials were not provided.")
    caller = token_caller(presented.strip(), datetime.now(UTC))
    if caller is None:
        raise CliError(401, "Invalid token: send a Faultline API token as the auth token.")
    if not caller.may(TRIAGE):
        raise CliError(403, "This token lacks the 'triage' scope that uploading needs.")
    g.caller = caller


@bp.errorhandler(CliError)
def _refused(error: CliError):
    return jsonify(detail=error.detail), error.status


@bp.errorhandler(HTTPException)
def _http(error: HTTPException):
    headers = {"Retry-After": str(retry_after(error))} if error.code == 429 else {}
    return jsonify(detail=error.name), error.code or 500, headers


@bp.errorhandler(OperationalError)
def _database_down(error: OperationalError):
    log.error("database unavailable: %s", type(error.orig).__name__)
    return jsonify(detail="The database is unavailable."), 503, {"Retry-After": RETRY_AFTER_DB_DOWN}


@bp.get("/chunk-upload/")
def chunk_options(org: str):
    """How sentry-cli should cut and send its bundle (the URL is relative to its --url)."""
    return jsonify(
        url=f"/api/0/organizations/{org}/chunk-upload/",
        chunkSize=CHUNK_BYTES,
        chunksPerRequest=CHUNKS_PER_REQUEST,
        maxFileSize=MAX_BUNDLE_BYTES,
        maxRequestSize=MAX_REQUEST_BYTES,
        concurrency=2,
        hashAlgorithm="sha1",
        compression=["gzip"],
        accept=["artifact_bundles", "sources"],
    )


@bp.post("/chunk-upload/")
def chunk_upload(org: str):
    """Keep chunks until a bundle is assembled from them: parts `file`, or `file_gzip` when
    gzipped, each named by the SHA-1 of its uncompressed bytes."""
    request.max_content_length = MAX_REQUEST_BYTES + 2 * MiB
    parts = [(p, False) for p in request.files.getlist("file")]
    parts += [(p, True) for p in request.files.getlist("file_gzip")]
    if len(parts) > CHUNKS_PER_REQUEST:
        raise CliError(400, f"Too many chunks: at most {CHUNKS_PER_REQUEST} per request.")
    chunks: dict[str, bytes] = {}
    for part, gzipped in parts:
        checksum = (part.filename or "").lower()
        if not SHA1.fullmatch(checksum):
            raise CliError(400, "Each chunk must be named by its SHA-1.")
        raw = part.stream.read(CHUNK_BYTES + MiB + 1)
        content = _gunzip(raw, CHUNK_BYTES) if gzipped else raw
        if len(content) > CHUNK_BYTES:
            raise CliError(400, f"Chunk size too large: at most {CHUNK_BYTES} bytes.")
        if hashlib.sha1(content).hexdigest() != checksum:
            raise CliError(400, f"Chunk {checksum} does not match its SHA-1.")
        chunks[checksum] = content
    session = get_session()
    now = datetime.now(UTC)
    session.execute(delete(UploadChunk).where(UploadChunk.created_at < now - CHUNK_TTL))
    _store_chunks(session, chunks, now)
    return "", 200


def _gunzip(data: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        content = inflater.decompress(data, limit + 1)
    except zlib.error:
        raise CliError(400, "A chunk is not valid gzip.") from None
    if len(content) <= limit and not inflater.eof:
        raise CliError(400, "A chunk's gzip stream is cut short.")
    return content


def _store_chunks(session, chunks: dict[str, bytes], now: datetime) -> None:
    # The same chunk may arrive twice at once (sentry-cli retries, two CI jobs): the loser
    # of the race finds the winner's row on its second pass.
    for attempt in range(2):
        known = set(
            session.scalars(select(UploadChunk.checksum).where(UploadChunk.checksum.in_(chunks)))
        )
        for checksum, content in chunks.items():
            if checksum not in known:
                session.add(UploadChunk(checksum=checksum, content=content, created_at=now))
        try:
            session.commit()
            return
        except IntegrityError:
            session.rollback()
            if attempt:
                raise


@bp.post("/artifactbundle/assemble/")
def assemble(org: str):
    """Which chunks are missing, else the bundle stored in each project: `{state,
    missingChunks, detail}` with state `not_found`, `ok` or `error`."""
    with reading() as session:
        checksum, chunks, projects, release = _assemble_args(session, request.get_json(silent=True))
        pending = [p for p in projects if bundle_with_checksum(session, p, checksum) is None]
        if not pending:
            return _state("ok")
        wanted = UploadChunk.checksum.in_(chunks)
        rows = session.execute(select(UploadChunk.checksum, UploadChunk.content).where(wanted))
        contents = dict(rows.all())
    missing = [c for c in dict.fromkeys(chunks) if c not in contents]
    if missing:
        return _state("not_found", missing)
    data = b"".join(contents[c] for c in chunks)
    del contents
    try:
        if len(data) > MAX_BUNDLE_BYTES:
            raise BundleError(f"the bundle is larger than {MAX_BUNDLE_BYTES} bytes")
        if hashlib.sha1(data).hexdigest() != checksum:
            raise BundleError("the chunks do not add up to the bundle's checksum")
        config = current_app.config["FAULTLINE"]
        artifacts, bundled_release = read_bundle(data, config["sourcemaps"])
    except BundleError as exc:
        _forget_chunks(chunks)  # this bundle can never assemble
        return _state("error", detail=f"Faultline refused the bundle: {exc}")
    session = get_session()
    now = datetime.now(UTC)
    for project_id in pending:
        if bundle_with_checksum(session, project_id, checksum) is not None:
            continue  # another assemble of the same bundle got here first
        bundle = save_bundle(
            session,
            project_id,
            artifacts,
            release or bundled_release,
            "sentry-cli",
            now,
            checksum=checksum,
        )
        remapped = remap_after_upload(session, project_id, now, config["retention"]["days"])
        record(
            session,
            g.caller,
            "sourcemaps.upload",
            "sourcemap_bundle",
            bundle.id,
            now,
            project=project_id,
            release=bundle.release,
            files=len(artifacts),
            remapped=remapped,
        )
    session.execute(delete(UploadChunk).where(UploadChunk.checksum.in_(chunks)))
    session.commit()
    for project_id in pending:
        current_app.extensions["faultline.maps"].forget(project_id)
    return _state("ok")


def _forget_chunks(chunks: list[str]) -> None:
    session = get_session()
    session.execute(delete(UploadChunk).where(UploadChunk.checksum.in_(chunks)))
    session.commit()


def _state(state: str, missing: list[str] | None = None, detail: str | None = None):
    return jsonify(state=state, missingChunks=missing or [], detail=detail)


def _assemble_args(session, body) -> tuple[str, list[str], list[int], str | None]:
    """(checksum, chunks, project ids, release) of an assemble request; 400 otherwise."""
    if not isinstance(body, dict):
        raise CliError(400, "The request body must be a JSON object.")
    checksum, chunks = body.get("checksum"), body.get("chunks")
    if not _is_sha1(checksum):
        raise CliError(400, "`checksum` must be a SHA-1.")
    limit = MAX_BUNDLE_BYTES // CHUNK_BYTES + 1
    if not isinstance(chunks, list) or not all(_is_sha1(c) for c in chunks):
        raise CliError(400, "`chunks` must be a list of SHA-1s.")
    if not chunks or len(chunks) > limit:
        raise CliError(400, f"The bundle must be 1 to {limit} chunks ({MAX_BUNDLE_BYTES} bytes).")
    names = body.get("projects")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise CliError(400, "`projects` must name at least one project (its id or name).")
    release = body.get("version")
    if release is not None and (not isinstance(release, str) or len(release) > 120):
        raise CliError(400, "`version` must be a release of at most 120 characters.")
    project_ids = [_project_id(session, name) for name in dict.fromkeys(names)]
    return checksum, chunks, project_ids, release or None


def _is_sha1(value) -> bool:
    return isinstance(value, str) and SHA1.fullmatch(value) is not None


def _project_id(session, name: str) -> int:
    query = select(Project.id).where(Project.deleted_at.is_(None))
    if name.isdigit() and len(name) < 19:
        query = query.where(Project.id == int(name))
    else:
        query = query.where(Project.name == name)
    found = session.scalar(query)
    if found is None or not g.caller.may_see_project(found):
        raise CliError(400, f"Project {name[:200]!r} not found: give a project's id or name.")
    return found
