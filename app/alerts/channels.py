"""Sending one message through one channel (mail or webhook), and a channel's "send test"."""

from datetime import UTC, datetime

from sqlalchemy.orm import object_session

from app.alerts.content import Alert, Content
from app.alerts.email import build_mail, send_mail
from app.alerts.webhook import body_for, post
from app.models import AlertChannel, Project


def send(channel: AlertChannel, content: Content, config: dict, now: datetime) -> tuple[bool, str]:
    """Send a message through a channel now; (delivered, a short outcome for the attempt)."""
    if channel.kind == "email":
        smtp = config["alerts"]["smtp"]
        mail = build_mail(content, channel.target, smtp, now)
        return send_mail(mail, smtp, channel.timeout_seconds)
    body = body_for(content, channel.format, now)
    return post(channel.target, body, content.key, channel.secret, channel.timeout_seconds, now)


def send_test(channel: AlertChannel, config: dict) -> tuple[bool, str]:
    """Send a test message through a channel now (nothing is stored); (delivered, outcome).
    `config` is the app's configuration (app.config["FAULTLINE"])."""
    now = datetime.now(UTC)
    key = f"test-{channel.id}-{int(now.timestamp())}"
    base_url = config["web"]["base_url"].rstrip("/")
    alert = Alert(
        delivery_key=key,
        rule_id=0,
        rule_name="Send test",
        kind="new_group",
        fired_at=now,
        reason={"change": "test"},
        link=f"{base_url}/#/issues",
        title="Test alert: this channel works",
    )
    content = Content(key, channel.project_id, _project_name(channel), [alert], total=1, test=True)
    return send(channel, content, config, now)


def _project_name(channel: AlertChannel) -> str:
    # The API hands over a channel of its request's session: the project is read there.
    session = object_session(channel)
    project = session.get(Project, channel.project_id) if session is not None else None
    return project.name if project is not None else f"project {channel.project_id}"
