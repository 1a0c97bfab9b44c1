"""Sentry SDK ingest: the envelope and store endpoints, their auth and their bodies."""
