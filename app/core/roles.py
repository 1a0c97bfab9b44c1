"""Roles, token scopes and who is calling: what each may do, decided in one place.

Every API route declares the scope it needs with `@requires(...)`; a route without one is
refused (deny by default, and tests/api/test_roles.py walks every route of the OpenAPI document
for each role). A browser session acts with its user's role; a token with its scopes, cut down
to what its owner's role allows today, and only on the projects it lists.
"""

from collections.abc import Callable
from dataclasses import dataclass

READ, TRIAGE, ADMIN = "read", "triage", "admin"
SCOPES = (READ, TRIAGE, ADMIN)
ROLES = ("admin", "member", "viewer")
ROLE_SCOPES = {
    "admin": frozenset(SCOPES),  # users, tokens, projects, settings
    "member": frozenset((READ, TRIAGE)),  # triage and read
    "viewer": frozenset((READ,)),  # read only
}
ROLE_NAMES = {"admin": "administrators", "member": "members", "viewer": "viewers"}
_REQUIRED = "faultline_scope"


@dataclass(frozen=True)
class Caller:
    """Who is behind a request, as plain data: a browser session's user or an API token."""

    kind: str  # "user" or "token"
    label: str  # how triage history and the audit log name them
    scopes: frozenset[str]
    user_id: int | None = None
    # "session:<12 hex>" or "token:<id>": which sign-in or token did it, never the secret.
    via: str | None = None
    # Projects a token is limited to; None for all.
    project_ids: frozenset[int] | None = None

    def may(self, scope: str) -> bool:
        """Whether this caller holds a scope."""
        return scope in self.scopes

    def may_see_project(self, project_id: int) -> bool:
        """Whether this caller may touch a project at all."""
        return self.project_ids is None or project_id in self.project_ids


def token_scopes(scopes: list[str], owner_role: str | None) -> frozenset[str]:
    """A token's effective scopes: its own, never beyond its owner's role (a token made on
    the command line before tokens had owners acts as an administrator)."""
    allowed = ROLE_SCOPES.get(owner_role or "admin", frozenset())
    return frozenset(scopes) & allowed


def requires(scope: str) -> Callable:
    """Mark an API view as needing `scope` (read, triage or admin)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    def mark(view: Callable) -> Callable:
        setattr(view, _REQUIRED, scope)
        return view

    return mark


def required_scope(view: Callable | None) -> str | None:
    """The scope a view was marked with, or None (such a view is refused)."""
    return getattr(view, _REQUIRED, None)
