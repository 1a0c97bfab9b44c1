"""A message's words and bodies: the mail's subject, plain text and HTML, and the webhook
bodies (Faultline's JSON, Slack's and Discord's). Everything comes from `Content`, which holds
only stored, scrubbed fields; HTML is escaped.

The JSON body (`format: json`), version 1::

    {
      "type": "faultline.alert",
      "version": 1,
      "idempotency_key": "9f0c...",      # the same on every resend of this message
      "sent_at": "2026-12-07T12:00:00Z",
      "project": {"id": 1, "name": "shop"},
      "digest": false,                    # true when the message carries several alerts
      "total": 1,                         # alerts in the message
      "omitted": 0,                       # of those, not listed (a digest lists 25)
      "test": false,                      # true for the channel's "send test"
      "alerts": [{
        "delivery": "4b1e...",            # this alert's own key
        "kind": "new_group",              # regression, ignore_ended, event_rate, view_rate
        "rule": {"id": 3, "name": "New issues"},
        "fired_at": "2026-12-07T11:59:58Z",
        "reason": {"change": "created", "release": "1.4.0"},
        "url": "https://faultline.example.com/#/issues/42",
        "per_1k": 3.2,                    # errors per 1,000 page views, or null
        "group": {                        # null for a view rate of a project or page
          "id": 42, "title": "TypeError: x is undefined", "culprit": "submit (checkout)",
          "environment": "production", "release": "1.4.0", "count": 17,
          "first_seen": "...", "last_seen": "...",
          "top_frame": "validateAddress (src/checkout/address.ts:88)"
        }
      }]
    }
"""

import html
from datetime import datetime

import orjson

from app.alerts.content import Alert, Content
from app.paging import iso

KIND_WORDS = {
    "new_group": "New issue",
    "regression": "Regression",
    "ignore_ended": "Ignore ended",
    "event_rate": "Event rate",
    "view_rate": "Errors per 1,000 views",
}
SLACK_LISTED = 20  # Slack takes at most 50 blocks
DISCORD_LISTED = 10  # Discord takes at most 10 embeds


def headline(alert: Alert) -> str:
    """One line naming an alert: its kind and what it is about."""
    words = KIND_WORDS.get(alert.kind, alert.kind)
    if alert.title:
        return f"{words}: {alert.title}"
    page = alert.reason.get("page")
    return f"{words}: {alert.per_1k} per 1,000 views" + (f" on {page}" if page else "")


def subject(content: Content) -> str:
    """The mail subject (and the chat summary line)."""
    if content.test:
        return f"[Faultline] Test alert for {content.project}"
    if content.total == 1:
        return f"[Faultline] {content.project}: {headline(content.alerts[0])}"
    return f"[Faultline] {content.project}: {content.total} alerts"


def facts(alert: Alert) -> list[tuple[str, str]]:
    """(label, value) lines of an alert, the known ones only."""
    reason = alert.reason
    pairs = [
        ("Rule", alert.rule_name),
        ("Culprit", alert.culprit),
        ("Environment", alert.environment),
        ("Release", alert.release),
        ("Events", f"{alert.count:,}" if alert.count is not None else None),
        ("First seen", _when(alert.first_seen)),
        ("Last seen", _when(alert.last_seen)),
        ("Top frame", alert.top_frame),
        ("Per 1,000 views", f"{alert.per_1k:g}" if alert.per_1k is not None else None),
    ]
    if "count" in reason and alert.kind == "event_rate":
        pairs.append(("In window", f"{reason['count']:,} in {reason.get('window_minutes')} min"))
    if "views" in reason:
        pairs.append(("Window", f"{reason['errors']:,} errors, {reason['views']:,} views"))
    return [(label, str(value)) for label, value in pairs if value is not None]


def _when(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else None


def _omitted(content: Content) -> int:
    return content.total - len(content.alerts)


def text_body(content: Content) -> str:
    """The plain-text mail."""
    lines = [subject(content).removeprefix("[Faultline] "), ""]
    for alert in content.alerts:
        lines.append(headline(alert))
        lines.extend(f"  {label}: {value}" for label, value in facts(alert))
        lines.extend([f"  {alert.link}", ""])
    if _omitted(content):
        lines.append(f"... and {_omitted(content):,} more alerts in {content.project}.")
    return "\n".join(lines) + "\n"


def html_body(content: Content) -> str:
    """The HTML mail (escaped; inline styles only, as mail clients want)."""
    parts = [f"<h2>{html.escape(subject(content).removeprefix('[Faultline] '))}</h2>"]
    for alert in content.alerts:
        rows = "".join(
            f"<tr><th align='left'>{html.escape(label)}</th><td>{html.escape(value)}</td></tr>"
            for label, value in facts(alert)
        )
        link = html.escape(alert.link, quote=True)
        parts.append(
            f'<h3><a href="{link}">{html.escape(headline(alert))}</a></h3>'
            f"<table cellpadding='2'>{rows}</table>"
        )
    if _omitted(content):
        parts.append(f"<p>... and {_omitted(content):,} more alerts.</p>")
    return "<html><body>" + "".join(parts) + "</body></html>"


def json_body(content: Content, sent_at: datetime) -> bytes:
    """Faultline's documented webhook body (see the module docstring)."""
    return orjson.dumps(
        {
            "type": "faultline.alert",
            "version": 1,
            "idempotency_key": content.key,
            "sent_at": iso(sent_at),
            "project": {"id": content.project_id, "name": content.project},
            "digest": content.total > 1,
            "total": content.total,
            "omitted": _omitted(content),
            "test": content.test,
            "alerts": [_alert_json(alert) for alert in content.alerts],
        }
    )


def _alert_json(alert: Alert) -> dict:
    group = None
    if alert.group_id is not None:
        group = {
            "id": alert.group_id,
            "title": alert.title,
            "culprit": alert.culprit,
            "environment": alert.environment,
            "release": alert.release,
            "count": alert.count,
            "first_seen": iso(alert.first_seen),
            "last_seen": iso(alert.last_seen),
            "top_frame": alert.top_frame,
        }
    return {
        "delivery": alert.delivery_key,
        "kind": alert.kind,
        "rule": {"id": alert.rule_id, "name": alert.rule_name},
        "fired_at": iso(alert.fired_at),
        "reason": alert.reason,
        "url": alert.link,
        "per_1k": alert.per_1k,
        "group": group,
    }


def slack_body(content: Content) -> bytes:
    """A Slack incoming-webhook body: `text` for notifications, `blocks` for the message."""
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": subject(content)[:150]}}
    ]
    for alert in content.alerts[:SLACK_LISTED]:
        lines = [f"*<{alert.link}|{_slack_escape(headline(alert))}>*"]
        lines.extend(f"*{label}:* {_slack_escape(value)}" for label, value in facts(alert))
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]}}
        )
    more = content.total - min(len(content.alerts), SLACK_LISTED)
    if more:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"... and {more:,} more"}]}
        )
    return orjson.dumps({"text": subject(content), "blocks": blocks})


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def discord_body(content: Content) -> bytes:
    """A Discord webhook body: `content` and one embed per alert (at most ten)."""
    embeds = [
        {
            "title": headline(alert)[:256],
            "url": alert.link,
            "timestamp": iso(alert.fired_at),
            "fields": [
                {"name": label, "value": value[:1024], "inline": len(value) < 40}
                for label, value in facts(alert)
            ][:25],
        }
        for alert in content.alerts[:DISCORD_LISTED]
    ]
    more = content.total - len(embeds)
    summary = subject(content) + (f" (and {more:,} more)" if more else "")
    return orjson.dumps(
        {"content": summary[:2000], "embeds": embeds, "allowed_mentions": {"parse": []}}
    )
