"""A project's alert rules and channels: create, change, mute and delete them, with the checks
a schema cannot make alone (what goes with a rule's kind, channels of the same project, a
webhook's URL, a mail's recipients). Problems are raised as marshmallow ValidationErrors keyed
by field, like the schemas' own. Never commits."""

import secrets
from datetime import datetime
from urllib.parse import urlsplit

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.alerts.schemas import RATE_KINDS, WEBHOOK_FORMATS, RecipientsIn
from app.models.alerts import AlertChannel, AlertRule

RULE_FIELDS = (
    "name",
    "kind",
    "threshold",
    "window_minutes",
    "page",
    "filters",
    "channel_ids",
    "cooldown_minutes",
    "muted",
)
MAX_TARGET_LENGTH = 2000
DEFAULT_TIMEOUT_SECONDS = 10


def new_secret() -> str:
    """A webhook's signing key: 256 random bits, URL-safe text."""
    return secrets.token_urlsafe(32)


def _rule_values(rule: AlertRule) -> dict:
    return {name: getattr(rule, name) for name in RULE_FIELDS}


def _checked_rule(session: Session, project_id: int, values: dict) -> dict:
    """The values a rule is stored with, or a ValidationError naming each wrong field."""
    errors: dict[str, list[str]] = {}
    kind = values["kind"]
    if kind in RATE_KINDS:
        for name in ("threshold", "window_minutes"):
            if values.get(name) is None:
                errors[name] = [f"a {kind} rule needs {name}"]
        threshold = values.get("threshold")
        if kind == "event_rate" and threshold is not None and threshold != int(threshold):
            errors["threshold"] = ["a number of events is a whole number"]
    else:
        for name in ("threshold", "window_minutes"):
            if values.get(name) is not None:
                errors[name] = ["only event_rate and view_rate rules have one"]
    if values.get("page") is not None and kind != "view_rate":
        errors["page"] = ["only view_rate rules watch one page"]
    channel_ids = sorted(set(values["channel_ids"]))
    if channel_ids:
        own = set(
            session.scalars(
                select(AlertChannel.id).where(
                    AlertChannel.project_id == project_id, AlertChannel.id.in_(channel_ids)
                )
            )
        )
        if strangers := [str(cid) for cid in channel_ids if cid not in own]:
            errors["channel_ids"] = [f"not channels of this project: {', '.join(strangers)}"]
    if errors:
        raise ValidationError(errors)
    return {
        **values,
        "name": values["name"].strip(),
        "channel_ids": channel_ids,
    }


def create_rule(session: Session, project_id: int, data: dict, now: datetime) -> AlertRule:
    """Add a rule to a project (`data` as RuleIn loads it)."""
    values = _checked_rule(session, project_id, {name: data.get(name) for name in RULE_FIELDS})
    rule = AlertRule(project_id=project_id, created_at=now, updated_at=now, **values)
    session.add(rule)
    session.flush()
    return rule


def update_rule(session: Session, rule: AlertRule, changes: dict, now: datetime) -> list[str]:
    """Apply changes (as RulePatch loads them) to a rule; the names of the fields that changed."""
    values = _rule_values(rule) | changes
    if "kind" in changes:
        # A rule that stops being a rate forgets its rate's settings unless told otherwise.
        if values["kind"] not in RATE_KINDS:
            for name in ("threshold", "window_minutes"):
                values[name] = changes.get(name)
        if values["kind"] != "view_rate":
            values["page"] = changes.get("page")
    values = _checked_rule(session, rule.project_id, values)
    changed = [name for name in RULE_FIELDS if values[name] != getattr(rule, name)]
    for name in changed:
        setattr(rule, name, values[name])
    if changed:
        rule.updated_at = now
    return changed


def _webhook_url(target) -> str:
    if not isinstance(target, str):
        raise ValidationError({"target": ["a webhook's target is its URL"]})
    url = target.strip()
    if len(url) > MAX_TARGET_LENGTH:
        raise ValidationError({"target": [f"at most {MAX_TARGET_LENGTH} characters"]})
    try:
        parts = urlsplit(url)
        # Reading the port raises for a word or 99999; port 0 reaches nobody.
        fine = parts.scheme in ("http", "https") and parts.hostname and parts.port != 0
    except ValueError:
        fine = False
    if not fine or any(c.isspace() or not c.isprintable() for c in url):
        raise ValidationError({"target": ["an http:// or https:// URL"]})
    return url


def _addresses(target) -> str:
    addresses = RecipientsIn().load({"target": target})["target"]
    joined = ",".join(dict.fromkeys(addresses))
    if len(joined) > MAX_TARGET_LENGTH:
        raise ValidationError({"target": [f"at most {MAX_TARGET_LENGTH} characters in all"]})
    return joined


def _check_format(kind: str, fmt: str | None) -> str:
    if kind == "email":
        if fmt not in (None, "email"):
            raise ValidationError({"format": ["an email channel's format is email"]})
        return "email"
    if fmt not in (None, *WEBHOOK_FORMATS):
        raise ValidationError({"format": [f"one of {', '.join(WEBHOOK_FORMATS)}"]})
    return fmt or "json"


def create_channel(
    session: Session, project_id: int, data: dict, now: datetime
) -> tuple[AlertChannel, str | None]:
    """Add a channel to a project (`data` as ChannelIn loads it); the channel and, for a
    webhook, its secret (the only time it is handed out)."""
    kind = data["kind"]
    if kind == "email":
        if "secret" in data:
            raise ValidationError({"secret": ["only webhooks have a secret"]})
        target, secret = _addresses(data["target"]), None
    else:
        target, secret = _webhook_url(data["target"]), data.get("secret") or new_secret()
    channel = AlertChannel(
        project_id=project_id,
        name=data["name"].strip(),
        kind=kind,
        target=target,
        format=_check_format(kind, data.get("format")),
        secret=secret,
        timeout_seconds=data.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS),
        created_at=now,
    )
    session.add(channel)
    session.flush()
    return channel, secret


def update_channel(session: Session, channel: AlertChannel, changes: dict) -> str | None:
    """Apply changes (as ChannelPatch loads them) to a channel, all or none; its new secret if
    it got one."""
    webhook = channel.kind == "webhook"
    if not webhook and ("secret" in changes or changes.get("rotate_secret")):
        raise ValidationError({"secret": ["only webhooks have a secret"]})
    if "secret" in changes and changes.get("rotate_secret"):
        raise ValidationError({"secret": ["give a secret or rotate_secret, not both"]})
    values = {key: value for key, value in changes.items() if key != "rotate_secret"}
    if "name" in values:
        values["name"] = values["name"].strip()
    if "target" in values:
        target = values["target"]
        values["target"] = _webhook_url(target) if webhook else _addresses(target)
    if "format" in values:
        values["format"] = _check_format(channel.kind, values["format"])
    if changes.get("rotate_secret"):
        values["secret"] = new_secret()
    for name, value in values.items():
        setattr(channel, name, value)
    session.flush()
    return values.get("secret")


def delete_channel(session: Session, channel: AlertChannel) -> list[int]:
    """Delete a channel (its deliveries go with it) and take it out of the project's rules;
    the ids of the rules it was taken out of."""
    touched = []
    for rule in session.scalars(
        select(AlertRule).where(AlertRule.project_id == channel.project_id)
    ):
        if channel.id in rule.channel_ids:
            rule.channel_ids = [cid for cid in rule.channel_ids if cid != channel.id]
            touched.append(rule.id)
    session.delete(channel)
    session.flush()
    return touched
