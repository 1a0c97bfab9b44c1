"""Alerts: rules decided at ingest into an outbox, delivered by a background worker."""
