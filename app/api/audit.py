"""GET /api/v1/audit: the audit log, for administrators."""
