"""A new fingerprint version re-keys stored groups without splitting or merging them."""

import dataclasses
import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import select

from app.core.fingerprint import FINGERPRINT_VERSION, Fingerprint, compute
from app.core.pipeline import IngestRules, RequestFacts, build_exception
from app.groups.regroup import regroup
from app.models import ExceptionEvent, ExceptionGroup, GroupTransition
from app.store.cache import IngestCache
from app.store.exceptions import save_exceptions
from tests.conftest import CHROME_UA, FIXTURES, payload, post_exception

NEXT = FINGERPRINT_VERSION + 1  # a version after the one ingest computes today

TIMEOUTS = [
    "Request 5b1e2c1a-93f4-4c55-8f1e-2a7a4c0b9d11 timed out after 30000 ms",
    "Request 0c9d2e44-1111-4c55-8f1e-2a7a4c0b9d12 timed out after 30000 ms",
    "Request 77aa01bc-2222-4c55-8f1e-2a7a4c0b9d13 timed out after 30000 ms",
]


def exact_message_v2(exc_type, message, frames, override, engine):
    """A stand-in next version that keys on the raw message: finer than today's for these
    reports."""
    basis = [f"type:{exc_type}", f"message:{message}"]
    return Fingerprint(hashlib.sha256(repr(basis).encode()).hexdigest(), NEXT, basis)


def type_only_v2(exc_type, message, frames, override, engine):
    """A stand-in next version that keys on the type alone: coarser than today's."""
    basis = [f"type:{exc_type}"]
    return Fingerprint(hashlib.sha256(repr(basis).encode()).hexdigest(), NEXT, basis)


def live_groups(session):
    """Groups a user sees (pointer rows excluded), read afresh."""
    session.commit()
    session.expire_all()
    return session.scalars(
        select(ExceptionGroup).where(ExceptionGroup.merged_into_id.is_(None))
    ).all()


def test_a_finer_version_keeps_each_group_whole(client, app, config, session):
    for message in TIMEOUTS:
        assert post_exception(client, payload("stackless", m=message)).status_code == 204
    (group,) = live_groups(session)
    old_key = group.fingerprint
    report = regroup(session, exact_message_v2, NEXT, datetime.now(UTC))
    session.commit()
    assert (report.rekeyed, report.pointers, report.conflicts) == (1, 2, [])
    (group,) = live_groups(session)
    assert group.fingerprint != old_key and group.fingerprint_version == NEXT
    assert group.event_count == 3
    events = session.scalars(select(ExceptionEvent.fingerprint)).all()
    assert len(set(events)) == 3 and old_key not in events

    # A new event computed with the next version lands in the same group, whichever key it gets.
    facts = RequestFacts(CHROME_UA, datetime.now(UTC))
    record = build_exception(
        payload("stackless", m=TIMEOUTS[2]), facts, IngestRules(caps=config["ingest"]["caps"])
    )
    v2 = exact_message_v2(record.exc_type, record.message, [], None, None)
    record = dataclasses.replace(record, fingerprint=v2.hash, fingerprint_version=NEXT)
    with app.extensions["faultline.engine"].begin() as conn:
        save_exceptions(conn, IngestCache(), [record], 100)
    (group,) = live_groups(session)
    assert group.event_count == 4
    history = session.scalars(
        select(GroupTransition.kind).where(GroupTransition.group_id == group.id)
    ).all()
    assert "regrouped" in history


def test_a_coarser_version_never_merges_silently(client, session):
    assert post_exception(client, payload("handled_capture")).status_code == 204
    assert post_exception(client, payload("stackless")).status_code == 204
    before = {g.id: g.fingerprint for g in live_groups(session)}
    report = regroup(session, type_only_v2, NEXT, datetime.now(UTC))
    session.commit()
    assert report.rekeyed == 1 and len(report.conflicts) == 1
    groups = live_groups(session)
    assert len(groups) == 2 and sum(g.event_count for g in groups) == 2
    kept = [g for g in groups if g.fingerprint == before[g.id]]
    assert len(kept) == 1 and kept[0].fingerprint_version == FINGERPRINT_VERSION
    conflicts = session.scalars(
        select(GroupTransition.group_id).where(GroupTransition.kind == "regroup_conflict")
    ).all()
    assert sorted(conflicts) == sorted(before)


def test_running_again_changes_nothing(client, session):
    assert post_exception(client, payload("chrome_typeerror")).status_code == 204
    regroup(session, exact_message_v2, NEXT, datetime.now(UTC))
    session.commit()
    again = regroup(session, exact_message_v2, NEXT, datetime.now(UTC))
    assert (again.rekeyed, again.unchanged, again.pointers) == (0, 0, 0)


def test_regrouping_knows_which_engine_printed_each_stored_stack(client, session):
    # Real reports of one minified error class from three engines (tests/fixtures/minified):
    # recomputed from the stored rows, Firefox's and Safari's still drop the constructor frame,
    # so the group keeps its key and no event gets another.
    captured = json.loads((FIXTURES / "minified" / "captured.json").read_text("utf-8"))
    reports = [
        r for r in captured if r["build"] == "esbuild-esm" and r["scenario"] == "coupon-expired"
    ]
    for report in reports:
        body = payload(
            "chrome_typeerror", ty=report["type"], m=report["message"], s=report["stack"]
        )
        response = post_exception(client, body, headers={"User-Agent": report["user_agent"]})
        assert response.status_code == 204
    (group,) = live_groups(session)
    key = group.fingerprint
    report = regroup(session, compute, NEXT, datetime.now(UTC))
    session.commit()
    assert (report.unchanged, report.rekeyed, report.pointers, report.conflicts) == (1, 0, 0, [])
    assert set(session.scalars(select(ExceptionEvent.fingerprint))) == {key}
