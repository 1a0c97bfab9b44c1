"""The group list: filters, sorts (including exceptions per 1,000 page views), keyset paging,
status counts and each row's trend."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Float, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from app.core.triage import STATUSES
from app.groups.queries import group_summary
from app.models import ExceptionEvent, ExceptionGroup, GroupDay, TrafficSlot
from app.paging import decode_cursor, encode_cursor
from app.store.projects import live_projects

SORT_COLUMNS = {
    "last_seen": ExceptionGroup.last_seen,
    "first_seen": ExceptionGroup.first_seen,
    "count": ExceptionGroup.event_count,
}
LIST_TREND_DAYS = 14
RATE_DAYS = 30
# Sorts groups whose project has no page views in the window after those with a rate of 0.
NO_RATE = -1.0


def list_groups(
    session: Session, args: dict, today: date, project_ids: list[int] | None = None
) -> dict:
    """One page of groups matching the filters (and of `project_ids` when given), highest by
    the chosen sort first, with the number of groups per status under the same filters."""
    if project_ids is not None:
        args = args | {"project_ids": project_ids}
    rate_start = today - timedelta(days=RATE_DAYS - 1)
    query = select(ExceptionGroup)
    if args["sort"] == "per_1k":
        key, views = _rate_key(rate_start)
        query = query.outerjoin(views, views.c.project_id == ExceptionGroup.project_id)
    else:
        key = SORT_COLUMNS[args["sort"]]
    query = query.add_columns(key.label("sort_key")).where(*_group_filters(args))
    if "cursor" in args:
        value, row_id = decode_cursor(args["cursor"], args["sort"])
        query = query.where(or_(key < value, and_(key == value, ExceptionGroup.id < row_id)))
    limit = args["limit"]
    query = query.order_by(key.desc(), ExceptionGroup.id.desc()).limit(limit + 1)
    rows = session.execute(query).all()
    groups = [group for group, _ in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last, last_key = rows[limit - 1]
        next_cursor = encode_cursor(last_key, last.id)
    return {
        "items": _with_trends(session, groups, today, rate_start),
        "next_cursor": next_cursor,
        "counts": _status_counts(session, args),
    }


def _rate_key(start: date) -> tuple:
    """The per-1k sort key (events of the group over page views of its project since `start`)
    and the per-project page views it joins."""
    events = (
        select(func.coalesce(func.sum(GroupDay.count), 0))
        .where(GroupDay.group_id == ExceptionGroup.id, GroupDay.day >= start)
        .scalar_subquery()
    )
    views = (
        select(TrafficSlot.project_id, func.sum(TrafficSlot.pageviews).label("pageviews"))
        .where(TrafficSlot.slot >= datetime.combine(start, time(), UTC))
        .group_by(TrafficSlot.project_id)
        .subquery()
    )
    # Doubles on both backends: the same arithmetic gives the same value in the cursor's
    # comparison as in the ORDER BY, so keyset paging neither skips nor repeats a row.
    rate = cast(events, Float) * 1000 / cast(func.nullif(views.c.pageviews, 0), Float)
    return func.coalesce(rate, NO_RATE), views


def _with_trends(
    session: Session, groups: list[ExceptionGroup], today: date, rate_start: date
) -> list[dict]:
    """List items with their daily counts and rate: one query for the page's days, one for
    its projects' page views."""
    ids = [group.id for group in groups]
    days: dict[int, dict[date, int]] = {group_id: {} for group_id in ids}
    for group_id, day, count in session.execute(
        select(GroupDay.group_id, GroupDay.day, GroupDay.count).where(
            GroupDay.group_id.in_(ids), GroupDay.day >= rate_start
        )
    ):
        days[group_id][day] = count
    views = dict(
        session.execute(
            select(TrafficSlot.project_id, func.sum(TrafficSlot.pageviews))
            .where(
                TrafficSlot.project_id.in_({group.project_id for group in groups}),
                TrafficSlot.slot >= datetime.combine(rate_start, time(), UTC),
            )
            .group_by(TrafficSlot.project_id)
        ).all()
    )
    trend_days = [today - timedelta(days=back) for back in range(LIST_TREND_DAYS - 1, -1, -1)]
    items = []
    for group in groups:
        counts = days[group.id]
        pageviews = int(views.get(group.project_id) or 0)  # PostgreSQL sums are Decimals
        events = sum(counts.values())
        items.append(
            group_summary(group)
            | {
                "trend": [counts.get(day, 0) for day in trend_days],
                "per_1k": round(events * 1000 / pageviews, 2) if pageviews else None,
            }
        )
    return items


def _status_counts(session: Session, args: dict) -> dict[str, int]:
    """Groups per status under every filter of the list but the status (the inbox tabs) and,
    with `since`, how many were first seen or regressed since then."""
    others = {key: value for key, value in args.items() if key != "status"}
    rows = session.execute(
        select(ExceptionGroup.status, func.count())
        .where(*_group_filters(others))
        .group_by(ExceptionGroup.status)
    ).all()
    counts = dict.fromkeys(STATUSES, 0) | dict(rows)
    if "since" in args:
        since = args["since"]
        new, regressed = session.execute(
            select(
                func.count().filter(ExceptionGroup.first_seen >= since),
                func.count().filter(ExceptionGroup.regressed_at >= since),
            ).where(*_group_filters(others))
        ).one()
        counts |= {"new": new, "regressed": regressed}
    return counts


def _group_filters(args: dict) -> list:
    conditions = [
        ExceptionGroup.merged_into_id.is_(None),
        ExceptionGroup.project_id.in_(live_projects()),
    ]
    if "project" in args:
        conditions.append(ExceptionGroup.project_id == args["project"])
    if "project_ids" in args:
        conditions.append(ExceptionGroup.project_id.in_(args["project_ids"]))
    if "status" in args:
        conditions.append(ExceptionGroup.status == args["status"])
    if args.get("q"):
        pattern = "%" + _escape_like(args["q"]) + "%"
        conditions.append(
            or_(
                ExceptionGroup.title.ilike(pattern, escape="\\"),
                ExceptionGroup.culprit.ilike(pattern, escape="\\"),
            )
        )
    event_conditions = []
    if "release" in args:
        event_conditions.append(ExceptionEvent.release == args["release"])
    if "browser" in args:
        event_conditions.append(ExceptionEvent.browser == args["browser"])
    if "environment" in args:
        event_conditions.append(ExceptionEvent.environment == args["environment"])
    if "handled" in args:
        event_conditions.append(ExceptionEvent.handled.is_(args["handled"]))
    if event_conditions:
        conditions.append(
            exists().where(ExceptionEvent.group_id == ExceptionGroup.id, *event_conditions)
        )
    return conditions


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
