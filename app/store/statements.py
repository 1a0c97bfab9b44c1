"""The ingest hot path's SQL, built once per dialect.

Building and cache-keying a statement costs more CPU than SQLite takes to run it, so the
statements are built once with bind parameters and filled per event.
"""

import functools

from sqlalchemy import Connection, Integer, String, bindparam, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.models import (
    ExceptionEvent,
    ExceptionGroup,
    GroupDay,
    Hit,
    Pixel,
    Project,
    Release,
    Source,
)
from app.models.column_types import UTCDateTime

GROUPS = ExceptionGroup.__table__


class Statements:
    """The ingest statements of one dialect, with bind parameters filled per event."""

    def __init__(self, dialect: str) -> None:
        insert_for = sqlite.insert if dialect == "sqlite" else postgresql.insert
        groups, days = GROUPS, GroupDay.__table__
        seen_at = bindparam("received_at", type_=UTCDateTime())
        release = bindparam("release", type_=String())
        self.source_by_key = select(Source.id, Source.project_id).where(
            Source.key == bindparam("key")
        )
        self.count_auto_registered = (
            select(func.count()).select_from(Source).where(Source.auto_registered.is_(True))
        )
        self.insert_project = Project.__table__.insert().returning(Project.id)
        self.insert_source = Source.__table__.insert().returning(Source.id)
        self.insert_release = (
            insert_for(Release.__table__)
            .values(project_id=bindparam("project_id"), version=release, first_seen=seen_at)
            .on_conflict_do_nothing(index_elements=["project_id", "version"])
        )
        count = bindparam("n", type_=Integer())
        first_seen = bindparam("first_seen", type_=UTCDateTime())
        last_seen = bindparam("last_seen", type_=UTCDateTime())
        first_release = bindparam("first_release", type_=String())
        last_release = bindparam("last_release", type_=String())
        last_platform = bindparam("last_platform", type_=String())
        last_environment = bindparam("last_environment", type_=String())
        bump = {
            "event_count": groups.c.event_count + count,
            "last_seen": case(
                (groups.c.last_seen < last_seen, last_seen), else_=groups.c.last_seen
            ),
            "last_release": func.coalesce(last_release, groups.c.last_release),
            "first_release": func.coalesce(groups.c.first_release, first_release),
            # What the latest SDK event said; tracker reports (None) leave it as it was.
            "platform": func.coalesce(last_platform, groups.c.platform),
            "environment": func.coalesce(last_environment, groups.c.environment),
        }
        returning = (
            groups.c.id,
            groups.c.merged_into_id,
            groups.c.event_count,
            groups.c.status,
            groups.c.resolved_at,
            groups.c.resolution_kind,
            groups.c.resolution_release,
            groups.c.ignore_until_time,
            groups.c.ignore_until_count,
        )
        self.bump_group = (
            update(groups).where(groups.c.id == bindparam("group_id")).values(bump)
        ).returning(*returning)
        # Bind names that are no column's: an UPDATE compiled for a column's name sets it too.
        self.bump_fingerprint = (
            update(groups)
            .where(
                groups.c.project_id == bindparam("group_project"),
                groups.c.fingerprint == bindparam("group_fingerprint"),
            )
            .values(bump)
        ).returning(*returning)
        new_group = {
            name: bindparam(name)
            for name in (
                "project_id",
                "fingerprint",
                "fingerprint_version",
                "fingerprint_basis",
                "title",
                "exc_type",
                "culprit",
            )
        }
        # For a fingerprint not seen yet (`bump_fingerprint` found no group): one statement
        # creates the group or counts the events in it; concurrent first events of a new
        # fingerprint meet on the unique key and yield one group with an exact count.
        self.upsert_group = (
            insert_for(groups)
            .values(
                **new_group,
                status="unresolved",
                regressed=False,
                event_count=count,
                first_seen=first_seen,
                last_seen=last_seen,
                first_release=first_release,
                last_release=last_release,
                platform=last_platform,
                environment=last_environment,
            )
            .on_conflict_do_update(index_elements=["project_id", "fingerprint"], set_=bump)
            .returning(*returning)
        )
        self.insert_event = ExceptionEvent.__table__.insert()
        self.event_by_id = select(ExceptionEvent.id).where(
            ExceptionEvent.event_id == bindparam("event_id")
        )
        self.project_key = select(Project.public_key, Project.deleted_at).where(
            Project.id == bindparam("project_id")
        )
        self.insert_hit = Hit.__table__.insert()
        self.pixel_by_id = select(Pixel.project_id, Pixel.event_name, Pixel.meta).where(
            Pixel.id == bindparam("pixel_id")
        )
        self.count_day = (
            insert_for(days)
            .values(group_id=bindparam("group_id"), day=bindparam("day"), count=count)
            .on_conflict_do_update(
                index_elements=["group_id", "day"], set_={"count": days.c.count + count}
            )
        )


@functools.cache
def _statements(dialect: str) -> Statements:
    return Statements(dialect)


def statements(conn: Connection) -> Statements:
    """The prebuilt ingest statements for the connection's database."""
    return _statements(conn.dialect.name)
