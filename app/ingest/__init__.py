"""Public ingest: the WSGI front that answers /track/* (hostile ground) before Flask sees it."""

from app.ingest.front import IngestApp

__all__ = ["IngestApp"]
