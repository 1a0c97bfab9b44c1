"""Pages that are neither ingest nor API: the dashboard's shell, the tracker script, robots."""

from app.site.pages import bp

__all__ = ["bp"]
