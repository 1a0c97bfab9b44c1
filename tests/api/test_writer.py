"""The group-commit writer: one bad event in a batch fails alone, the others are stored."""

import dataclasses
import threading
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.pipeline import IngestRules, RequestFacts, build_exception
from app.models import ExceptionEvent, ExceptionGroup
from tests.conftest import CHROME_UA, payload


def record(config, name="chrome_typeerror"):
    """A record built by the real pipeline from a stored payload."""
    facts = RequestFacts(user_agent=CHROME_UA, received_at=datetime.now(UTC))
    return build_exception(payload(name), facts, IngestRules(caps=config["ingest"]["caps"]))


def test_a_bad_event_fails_alone(app, config, session):
    writer = app.extensions["faultline.writer"]
    first = record(config)
    assert writer.write(first) is True
    duplicate = dataclasses.replace(record(config), event_id=first.event_id)
    batch = [record(config), duplicate, record(config, "chrome_referenceerror")]
    outcomes: dict[int, object] = {}
    start = threading.Barrier(len(batch))

    def send(index, item):
        start.wait()
        try:
            outcomes[index] = writer.write(item)
        except IntegrityError as error:
            outcomes[index] = error

    threads = [threading.Thread(target=send, args=pair) for pair in enumerate(batch)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes[0] is True and outcomes[2] is True
    assert isinstance(outcomes[1], IntegrityError)
    assert session.scalar(select(func.count()).select_from(ExceptionEvent)) == 3
    counts = sorted(session.scalars(select(ExceptionGroup.event_count)).all())
    assert counts == [1, 2]

