"""Every table, in one metadata: `from app.models import Hit` (app/models/*.py by concern)."""

from app.models.access import ApiToken, AuditEntry, User, UserIdentity, UserSession
from app.models.alerts import AlertAttempt, AlertChannel, AlertDelivery, AlertFiring, AlertRule
from app.models.base import NAMING, Base, BigId
from app.models.exceptions import (
    DroppedItem,
    ExceptionEvent,
    ExceptionGroup,
    GroupDay,
    GroupTransition,
    Release,
)
from app.models.projects import Pixel, Project, Source
from app.models.sourcemaps import SourceMapBundle, SourceMapFile, UploadChunk
from app.models.traffic import DurationBin, Hit, TrafficDimension, TrafficSlot

__all__ = [
    "NAMING",
    "AlertAttempt",
    "AlertChannel",
    "AlertDelivery",
    "AlertFiring",
    "AlertRule",
    "ApiToken",
    "AuditEntry",
    "Base",
    "BigId",
    "DroppedItem",
    "DurationBin",
    "ExceptionEvent",
    "ExceptionGroup",
    "GroupDay",
    "GroupTransition",
    "Hit",
    "Pixel",
    "Project",
    "Release",
    "Source",
    "SourceMapBundle",
    "SourceMapFile",
    "TrafficDimension",
    "TrafficSlot",
    "UploadChunk",
    "User",
    "UserIdentity",
    "UserSession",
]
