"""Sentry SDK compatibility: the real clients, a captured corpus replayed, back-pressure."""
