"""A project's alert rules and channels, their deliveries, and the alerts fired for a group.

Members manage rules (as in Sentry); channels hold recipients and secrets, so only
administrators manage them, and a webhook's secret is shown once, in the answer that made it.
"""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import current_app, g, jsonify
from sqlalchemy import select

from app.alerts.channels import send_test
from app.alerts.email import recipients
from app.alerts.history import group_firings, recent_deliveries
from app.alerts.schemas import ChannelIn, ChannelPatch, DeliveryListArgs, RuleIn, RulePatch
from app.alerts.settings import (
    create_channel,
    create_rule,
    delete_channel,
    update_channel,
    update_rule,
)
from app.api.blueprint import bp, json_body, query_args
from app.api.groups import load_group
from app.api.projects import load_project
from app.audit import audit
from app.core.roles import ADMIN, READ, TRIAGE, requires
from app.db import get_session
from app.errors import not_found
from app.models import Project
from app.models.alerts import AlertChannel, AlertRule
from app.paging import decode_cursor, iso
from app.schemas import PageArgs


def rule_dict(rule: AlertRule) -> dict:
    """A rule as the API shows it."""
    return {
        "id": rule.id,
        "project": rule.project_id,
        "name": rule.name,
        "kind": rule.kind,
        "threshold": rule.threshold,
        "window_minutes": rule.window_minutes,
        "page": rule.page,
        "filters": rule.filters,
        "channel_ids": rule.channel_ids,
        "cooldown_minutes": rule.cooldown_minutes,
        "muted": rule.muted,
        "created_at": iso(rule.created_at),
        "updated_at": iso(rule.updated_at),
    }


def _shown_url(url: str) -> str:
    # A webhook URL is often a credential itself (Slack's and Discord's are): those who may
    # not manage channels see where it goes, not the path that lets anyone post.
    if g.caller.may(ADMIN):
        return url
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…"


def channel_dict(channel: AlertChannel) -> dict:
    """A channel as the API shows it: never its secret."""
    email = channel.kind == "email"
    return {
        "id": channel.id,
        "project": channel.project_id,
        "name": channel.name,
        "kind": channel.kind,
        "target": recipients(channel.target) if email else _shown_url(channel.target),
        "format": channel.format,
        "timeout_seconds": channel.timeout_seconds,
        "created_at": iso(channel.created_at),
    }


def _in_live_project(session, project_id: int) -> bool:
    project = session.get(Project, project_id)
    return g.caller.may_see_project(project_id) and project.deleted_at is None


def _load_rule(session, rule_id: int) -> AlertRule:
    rule = session.get(AlertRule, rule_id)
    if rule is None or not _in_live_project(session, rule.project_id):
        raise not_found("Alert rule")
    return rule


def _load_channel(session, channel_id: int) -> AlertChannel:
    channel = session.get(AlertChannel, channel_id)
    if channel is None or not _in_live_project(session, channel.project_id):
        raise not_found("Alert channel")
    return channel


def _before(args: dict) -> int | None:
    return decode_cursor(args["cursor"], None)[1] if "cursor" in args else None


@bp.get("/projects/<int:project_id>/alert-rules")
@requires(READ)
def alert_rules_list(project_id: int):
    """The alert rules of a project, oldest first (a project has a handful, so no paging)."""
    session = get_session()
    load_project(session, project_id)
    rules = session.scalars(
        select(AlertRule).where(AlertRule.project_id == project_id).order_by(AlertRule.id)
    )
    return jsonify(items=[rule_dict(rule) for rule in rules])


@bp.post("/projects/<int:project_id>/alert-rules")
@requires(TRIAGE)
def alert_rules_create(project_id: int):
    """Create an alert rule in a project."""
    data = RuleIn().load(json_body())
    session = get_session()
    load_project(session, project_id)
    rule = create_rule(session, project_id, data, datetime.now(UTC))
    audit("alert_rule.create", "alert_rule", rule.id, project=project_id, name=rule.name)
    session.commit()
    return jsonify(rule_dict(rule)), 201


@bp.get("/alert-rules/<int:rule_id>")
@requires(READ)
def alert_rule_get(rule_id: int):
    """One alert rule."""
    return jsonify(rule_dict(_load_rule(get_session(), rule_id)))


@bp.patch("/alert-rules/<int:rule_id>")
@requires(TRIAGE)
def alert_rule_update(rule_id: int):
    """Change an alert rule; `{"muted": true}` mutes it, `false` unmutes it."""
    changes = RulePatch().load(json_body())
    session = get_session()
    rule = _load_rule(session, rule_id)
    changed = update_rule(session, rule, changes, datetime.now(UTC))
    if "muted" in changed:
        audit("alert_rule.mute" if rule.muted else "alert_rule.unmute", "alert_rule", rule.id)
    if others := [name for name in changed if name != "muted"]:
        audit("alert_rule.update", "alert_rule", rule.id, changed=others)
    session.commit()
    return jsonify(rule_dict(rule))


@bp.delete("/alert-rules/<int:rule_id>")
@requires(TRIAGE)
def alert_rule_delete(rule_id: int):
    """Delete an alert rule, with the alerts it fired and their deliveries."""
    session = get_session()
    rule = _load_rule(session, rule_id)
    session.delete(rule)
    audit("alert_rule.delete", "alert_rule", rule.id, project=rule.project_id, name=rule.name)
    session.commit()
    return "", 204


@bp.get("/projects/<int:project_id>/alert-channels")
@requires(READ)
def alert_channels_list(project_id: int):
    """The alert channels of a project, oldest first."""
    session = get_session()
    load_project(session, project_id)
    channels = session.scalars(
        select(AlertChannel).where(AlertChannel.project_id == project_id).order_by(AlertChannel.id)
    )
    return jsonify(items=[channel_dict(channel) for channel in channels])


@bp.post("/projects/<int:project_id>/alert-channels")
@requires(ADMIN)
def alert_channels_create(project_id: int):
    """Create an alert channel; a webhook's secret is in this answer only."""
    data = ChannelIn().load(json_body())
    session = get_session()
    load_project(session, project_id)
    channel, secret = create_channel(session, project_id, data, datetime.now(UTC))
    audit(
        "alert_channel.create",
        "alert_channel",
        channel.id,
        project=project_id,
        name=channel.name,
        kind=channel.kind,
    )
    session.commit()
    body = channel_dict(channel)
    if secret is not None:
        body["secret"] = secret
    return jsonify(body), 201


@bp.get("/alert-channels/<int:channel_id>")
@requires(READ)
def alert_channel_get(channel_id: int):
    """One alert channel (without its secret)."""
    return jsonify(channel_dict(_load_channel(get_session(), channel_id)))


@bp.patch("/alert-channels/<int:channel_id>")
@requires(ADMIN)
def alert_channel_update(channel_id: int):
    """Change an alert channel; a new secret (given or rotated) is in this answer only."""
    changes = ChannelPatch().load(json_body())
    session = get_session()
    channel = _load_channel(session, channel_id)
    secret = update_channel(session, channel, changes)
    # Which fields changed, never their values: a target or a secret stays out of the log.
    audit("alert_channel.update", "alert_channel", channel.id, changed=sorted(changes))
    session.commit()
    body = channel_dict(channel)
    if secret is not None:
        body["secret"] = secret
    return jsonify(body)


@bp.delete("/alert-channels/<int:channel_id>")
@requires(ADMIN)
def alert_channel_delete(channel_id: int):
    """Delete an alert channel: its deliveries go, and its rules stop sending to it."""
    session = get_session()
    channel = _load_channel(session, channel_id)
    rules = delete_channel(session, channel)
    audit("alert_channel.delete", "alert_channel", channel_id, name=channel.name, rules=rules)
    session.commit()
    return "", 204


@bp.post("/alert-channels/<int:channel_id>/test")
@requires(ADMIN)
def alert_channel_test(channel_id: int):
    """Send a test message through a channel now; a failure to deliver is `ok: false`."""
    session = get_session()
    channel = _load_channel(session, channel_id)
    ok, detail = send_test(channel, current_app.config["FAULTLINE"])
    audit("alert_channel.test", "alert_channel", channel.id, ok=ok, detail=detail)
    session.commit()
    return jsonify(ok=ok, detail=detail)


@bp.get("/projects/<int:project_id>/alert-deliveries")
@requires(READ)
def alert_deliveries_list(project_id: int):
    """A project's alert deliveries, newest first, with every attempt and its outcome."""
    args = DeliveryListArgs().load(query_args())
    session = get_session()
    load_project(session, project_id)
    page = recent_deliveries(session, project_id, _before(args), args["limit"], args.get("state"))
    return jsonify(page)


@bp.get("/groups/<int:group_id>/alerts")
@requires(READ)
def group_alerts(group_id: int):
    """The alerts fired for a group, newest first, with the state of each delivery."""
    args = PageArgs().load(query_args())
    session = get_session()
    load_group(session, group_id)
    return jsonify(group_firings(session, group_id, _before(args), args["limit"]))
