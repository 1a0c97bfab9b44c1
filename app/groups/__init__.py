"""Exception groups as people work with them: listing, detail, triage, merge and regrouping."""

from app.groups.listing import list_groups
from app.groups.queries import group_detail, list_events
from app.groups.regroup import regroup
from app.groups.triage import apply_triage, merge_groups

__all__ = ["apply_triage", "group_detail", "list_events", "list_groups", "merge_groups", "regroup"]
