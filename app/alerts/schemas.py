"""marshmallow schemas of alert rules and channels as the API takes them (strict: unknown
fields are refused). What depends on several fields or on the database is checked in
app/alerts/settings.py, so that a change is judged together with what it changes."""

from marshmallow import fields, validate

from app.schemas import ApiSchema, PageArgs

RULE_KINDS = ("new_group", "regression", "ignore_ended", "event_rate", "view_rate")
RATE_KINDS = ("event_rate", "view_rate")
CHANNEL_KINDS = ("email", "webhook")
WEBHOOK_FORMATS = ("json", "slack", "discord")
# Sentry's levels, the ones an event's `level` holds.
LEVELS = ("fatal", "error", "warning", "info", "debug")
MAX_WINDOW_MINUTES = 7 * 24 * 60
MAX_COOLDOWN_MINUTES = 30 * 24 * 60
MAX_RECIPIENTS = 50
MAX_THRESHOLD = 10**9
MAX_CHANNELS_PER_RULE = 20

_name = [validate.Length(min=1, max=200), validate.Regexp(r"\s*\S", error="must not be blank")]


class RuleFiltersIn(ApiSchema):
    """What an event must match for a rule to look at it; an absent key matches anything."""

    environment = fields.String(validate=validate.Length(min=1, max=64))
    release = fields.String(validate=validate.Length(min=1, max=120))
    handled = fields.Boolean()
    level = fields.String(validate=validate.OneOf(LEVELS))


class RuleIn(ApiSchema):
    """An alert rule to create: `threshold` and `window_minutes` go with the rate kinds."""

    name = fields.String(required=True, validate=_name)
    kind = fields.String(required=True, validate=validate.OneOf(RULE_KINDS))
    # event_rate: more than N events; view_rate: more than X errors per 1,000 page views.
    threshold = fields.Float(
        allow_none=True,
        allow_nan=False,
        validate=validate.Range(min=0, max=MAX_THRESHOLD, min_inclusive=False),
    )
    window_minutes = fields.Integer(
        allow_none=True, validate=validate.Range(min=1, max=MAX_WINDOW_MINUTES)
    )
    # view_rate only: one page's path instead of the whole project.
    page = fields.String(
        allow_none=True,
        validate=[
            validate.Length(min=1, max=1024),
            validate.Regexp(r"^/\S*$", error="a path such as /checkout"),
        ],
    )
    filters = fields.Nested(RuleFiltersIn, load_default=dict)
    channel_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1)),
        load_default=list,
        validate=validate.Length(max=MAX_CHANNELS_PER_RULE),
    )
    cooldown_minutes = fields.Integer(
        load_default=60, validate=validate.Range(min=0, max=MAX_COOLDOWN_MINUTES)
    )
    muted = fields.Boolean(load_default=False)


class RulePatch(RuleIn):
    """Changes to a rule: any of its fields, none required (`{"muted": true}` mutes it)."""

    name = fields.String(validate=_name)
    kind = fields.String(validate=validate.OneOf(RULE_KINDS))
    filters = fields.Nested(RuleFiltersIn)
    channel_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1)),
        validate=validate.Length(max=MAX_CHANNELS_PER_RULE),
    )
    cooldown_minutes = fields.Integer(validate=validate.Range(min=0, max=MAX_COOLDOWN_MINUTES))
    muted = fields.Boolean()


TARGET = "email: a list of addresses; webhook: an http:// or https:// URL"
_recipients = fields.List(
    fields.Email(validate=validate.Length(max=254)),
    validate=validate.Length(min=1, max=MAX_RECIPIENTS),
)
_timeout = fields.Integer(validate=validate.Range(min=1, max=30))
# A caller's own secret must be hard to guess too.
_secret = fields.String(validate=validate.Length(min=16, max=128), load_only=True)


class ChannelIn(ApiSchema):
    """A channel to create. Email: `target` is a list of addresses. Webhook: `target` is an
    http(s) URL, `format` json (default), slack or discord, and `secret` is generated unless
    given."""

    name = fields.String(required=True, validate=_name)
    kind = fields.String(required=True, validate=validate.OneOf(CHANNEL_KINDS))
    # Which of the two is checked with the kind.
    target = fields.Raw(required=True, metadata={"description": TARGET})
    format = fields.String(validate=validate.OneOf(("email", *WEBHOOK_FORMATS)))
    secret = _secret
    timeout_seconds = _timeout


class ChannelPatch(ApiSchema):
    """Changes to a channel (its kind stays); `rotate_secret` gives a webhook a new secret,
    shown once in the answer like a given `secret`."""

    name = fields.String(validate=_name)
    target = fields.Raw(metadata={"description": TARGET})
    format = fields.String(validate=validate.OneOf(("email", *WEBHOOK_FORMATS)))
    secret = _secret
    rotate_secret = fields.Boolean()
    timeout_seconds = _timeout


class RecipientsIn(ApiSchema):
    """An email channel's target on its own, to check it with marshmallow's email rules."""

    target = _recipients


class DeliveryListArgs(PageArgs):
    """Query string of a project's recent deliveries."""

    state = fields.String(validate=validate.OneOf(("pending", "sent", "given_up")))
