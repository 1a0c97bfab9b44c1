"""Many processes and threads reporting the same new bug at once: one group, exact count."""

import json
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from app.db import make_engine
from app.models import ExceptionEvent, ExceptionGroup, GroupDay, Source
from tests.conftest import CHROME_UA, payload
from tests.served import post_report, served

SENDERS = 16
REPORTS = 96


def test_same_new_fingerprint_from_many_threads_is_one_exact_group(config, make_app, tmp_path):
    config["web"].update(workers=3, threads=8)
    body = json.dumps(payload("chrome_typeerror", u="https://race.example/")).encode()

    with served(config, tmp_path) as (base, _log, _process), ThreadPoolExecutor(SENDERS) as pool:
        statuses = list(pool.map(lambda _: post_report(base, body, CHROME_UA), range(REPORTS)))

    acknowledged = statuses.count(204)
    assert acknowledged == REPORTS, statuses
    engine = make_engine(config["database"]["url"])
    try:
        with engine.connect() as conn:
            groups = conn.execute(select(ExceptionGroup.event_count)).scalars().all()
            events = conn.scalar(select(func.count()).select_from(ExceptionEvent))
            days = conn.scalar(select(func.sum(GroupDay.count)))
            sources = conn.scalar(select(func.count()).select_from(Source))
    finally:
        engine.dispose()
    assert groups == [acknowledged]
    assert events == acknowledged
    assert days == acknowledged
    assert sources == 1
