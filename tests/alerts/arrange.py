"""Arranging alert tests: a project that owns the fixtures' shop, its channels and rules,
reports stored through the real pipeline and writer, and a worker on a movable clock."""

import dataclasses
import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.alerts.worker import Worker
from app.core.pipeline import IngestRules, RequestFacts, build_exception
from app.models import AlertAttempt, AlertChannel, AlertDelivery, AlertRule, Source
from app.store.alert_firings import RULES
from app.store.projects import create_project
from tests.conftest import CHROME_UA, payload

SHOP = "https://shop.example.com"
_numbers = itertools.count(1)


def shop_project(app, name: str = "shop") -> int:
    """A project owning the fixtures' origin; its id."""
    with app.extensions["faultline.sessionmaker"]() as session:
        project = create_project(session, name)
        session.flush()
        session.add(Source(project_id=project.id, key=SHOP, kind="web", created_at=_now()))
        session.commit()
        return project.id


def add_channel(app, project_id: int, kind: str, target: str, body_format: str, **extra) -> int:
    """A channel of the project; its id."""
    with app.extensions["faultline.sessionmaker"]() as session:
        channel = AlertChannel(
            project_id=project_id,
            name=f"{kind} {body_format}",
            kind=kind,
            target=target,
            format=body_format,
            secret=extra.get("secret"),
            timeout_seconds=extra.get("timeout_seconds", 5),
            created_at=_now(),
        )
        session.add(channel)
        session.commit()
        return channel.id


def add_rule(app, project_id: int, kind: str, channel_ids: list[int], **fields) -> int:
    """A rule of the project (the rules cache forgets the project); its id."""
    with app.extensions["faultline.sessionmaker"]() as session:
        rule = AlertRule(
            project_id=project_id,
            name=fields.pop("name", kind),
            kind=kind,
            channel_ids=channel_ids,
            filters=fields.pop("filters", {}),
            cooldown_minutes=fields.pop("cooldown_minutes", 60),
            muted=fields.pop("muted", False),
            created_at=_now(),
            updated_at=_now(),
            **fields,
        )
        session.add(rule)
        session.commit()
    RULES.forget(project_id)
    return rule.id


def report(config, name: str = "chrome_typeerror", at: datetime | None = None, **changes):
    """A record built by the real pipeline from a stored payload; `environment` and `level`
    are set as a Sentry SDK's event would carry them (a tracker report has neither)."""
    sdk = {key: changes.pop(key) for key in ("environment", "level") if key in changes}
    facts = RequestFacts(user_agent=CHROME_UA, received_at=at or _now())
    rules = IngestRules(caps=config["ingest"]["caps"])
    return dataclasses.replace(build_exception(payload(name, **changes), facts, rules), **sdk)


def new_bug(config, at: datetime | None = None, **changes):
    """A report of a bug never seen before (its own type, so its own group)."""
    return report(config, at=at, ty=f"Bug{next(_numbers)}Error", **changes)


def store(app, records: list) -> None:
    """Store records through the app's ingest writer, in one transaction."""
    outcomes = app.extensions["faultline.writer"].write_many(records)
    assert all(outcome is True for outcome in outcomes), outcomes


def alert_app(make_app, smtp=None, **changes):
    """An app that sends alerts at once (no digest window), to `smtp` when given."""
    settings = {"alerts__digest_seconds": 0, "web__base_url": "https://faultline.example.com"}
    if smtp is not None:
        settings["alerts__smtp"] = {
            "host": "127.0.0.1",
            "port": smtp.port,
            "security": "none",
            "user": "",
            "password": "",
            "from": "alerts@faultline.example.com",
        }
    return make_app(**{**settings, **changes})


class Clock:
    """A clock a test moves forward."""

    def __init__(self) -> None:
        self.now = _now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move on by some seconds."""
        self.now += timedelta(seconds=seconds)


def worker(app, clock=None) -> Worker:
    """A worker on the app's database and config (rate rules checked on each round)."""
    config = app.config["FAULTLINE"]
    built = Worker(app.extensions["faultline.engine"], config, clock=clock)
    built.alerts = {**built.alerts, "rate_check_seconds": 0}
    return built


def deliveries(app) -> list[AlertDelivery]:
    """Every delivery, oldest first."""
    with app.extensions["faultline.sessionmaker"]() as session:
        return list(session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))


def attempts(app) -> list[AlertAttempt]:
    """Every attempt, oldest first."""
    with app.extensions["faultline.sessionmaker"]() as session:
        return list(session.scalars(select(AlertAttempt).order_by(AlertAttempt.id)))


def _now() -> datetime:
    return datetime.now(UTC)
