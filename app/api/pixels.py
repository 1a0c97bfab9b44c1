"""Tracking pixels of a project: list, create, read, change, delete."""

from datetime import UTC, datetime

from flask import current_app, g, jsonify
from sqlalchemy import select

from app.api.blueprint import bp, json_body
from app.api.projects import load_project
from app.audit import audit
from app.core.roles import ADMIN, READ, requires
from app.db import get_session
from app.errors import not_found
from app.models import Pixel
from app.paging import iso
from app.schemas import PixelIn, PixelPatch
from app.store.hits import create_pixel, valid_pixel_id


def pixel_dict(pixel: Pixel) -> dict:
    """A pixel as the API shows it, with the URL to embed."""
    base = current_app.config["FAULTLINE"]["web"]["base_url"].rstrip("/")
    return {
        "id": pixel.id,
        "project": pixel.project_id,
        "name": pixel.name,
        "event_name": pixel.event_name,
        "metadata": pixel.meta,
        "url": f"{base}/track/gif/{pixel.id}.gif",
        "created_at": iso(pixel.created_at),
    }


def _load_pixel(session, pixel_id: str) -> Pixel:
    pixel = session.get(Pixel, pixel_id) if valid_pixel_id(pixel_id) else None
    if pixel is None or not g.caller.may_see_project(pixel.project_id):
        raise not_found("Pixel")
    return pixel


@bp.get("/projects/<int:project_id>/pixels")
@requires(READ)
def pixels_list(project_id: int):
    """The pixels of a project, oldest first (a project has a handful, so no paging)."""
    session = get_session()
    load_project(session, project_id)
    pixels = session.scalars(
        select(Pixel).where(Pixel.project_id == project_id).order_by(Pixel.created_at, Pixel.id)
    ).all()
    return jsonify(items=[pixel_dict(pixel) for pixel in pixels])


@bp.post("/projects/<int:project_id>/pixels")
@requires(ADMIN)
def pixels_create(project_id: int):
    """Create a pixel in a project."""
    data = PixelIn().load(json_body())
    session = get_session()
    load_project(session, project_id)
    pixel = create_pixel(
        session, project_id, data["name"], data["event_name"], data["metadata"], datetime.now(UTC)
    )
    audit("pixel.create", "pixel", pixel.id, project=project_id, name=pixel.name)
    session.commit()
    return jsonify(pixel_dict(pixel)), 201


@bp.get("/pixels/<pixel_id>")
@requires(READ)
def pixel_get(pixel_id: str):
    """One pixel."""
    return jsonify(pixel_dict(_load_pixel(get_session(), pixel_id)))


@bp.patch("/pixels/<pixel_id>")
@requires(ADMIN)
def pixel_update(pixel_id: str):
    """Rename a pixel or change its event name or metadata (hits already stored keep theirs)."""
    data = PixelPatch().load(json_body())
    session = get_session()
    pixel = _load_pixel(session, pixel_id)
    if "name" in data:
        pixel.name = data["name"]
    if "event_name" in data:
        pixel.event_name = data["event_name"]
    if "metadata" in data:
        pixel.meta = data["metadata"]
    audit("pixel.update", "pixel", pixel.id, changed=sorted(data))
    session.commit()
    return jsonify(pixel_dict(pixel))


@bp.delete("/pixels/<pixel_id>")
@requires(ADMIN)
def pixel_delete(pixel_id: str):
    """Delete a pixel: its URL answers 404 from now on; its stored hits remain."""
    session = get_session()
    pixel = _load_pixel(session, pixel_id)
    session.delete(pixel)
    audit("pixel.delete", "pixel", pixel.id, name=pixel.name)
    session.commit()
    return "", 204
