"""marshmallow schemas: lenient public ingest (unknown fields dropped), strict protected API."""

from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from app.core.credentials import MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from app.core.roles import ROLES, SCOPES
from app.core.timegrid import REQUESTABLE, parse_instant
from app.core.triage import STATUSES

MAX_BULK_IDS = 1000
MAX_TOKEN_DAYS = 3650


class IngestSchema(Schema):
    """Public ingest: a newer tracker's extra fields must not cost data on an older server."""

    class Meta:
        unknown = EXCLUDE


class ExceptionReportIn(IngestSchema):
    """Body of `POST /track/exception` (one-letter keys of the tracker protocol)."""

    u = fields.String(required=True)
    ty = fields.String(required=True)
    m = fields.String(required=True)
    s = fields.String(allow_none=True)
    h = fields.Boolean(allow_none=True)
    b = fields.String(allow_none=True)
    i = fields.String(allow_none=True)
    v = fields.String(allow_none=True)
    fp = fields.Raw(allow_none=True)
    d = fields.Dict(keys=fields.String(), allow_none=True)
    # `window._sentryDebugIds` as the page holds it (Error stack -> debug ID), read leniently
    # by the pipeline: a malformed entry costs its mapping, never the report.
    di = fields.Raw(allow_none=True)

    @validates("fp")
    def _fingerprint_override(self, value, **_kwargs) -> None:
        if value is None or isinstance(value, str):
            return
        if not isinstance(value, list) or not all(isinstance(part, str) for part in value):
            raise ValidationError("fp must be a string or a list of strings")


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("must not be blank")


class HitIn(IngestSchema):
    """Body of `POST /track/hit`: a page load, an unload (time on page) or a custom event."""

    b = fields.String(required=True, validate=_not_blank)
    u = fields.String(required=True)
    e = fields.String(
        load_default="load", allow_none=True, validate=validate.OneOf(("load", "unload", "custom"))
    )
    i = fields.String(allow_none=True)
    r = fields.String(allow_none=True)
    q = fields.Boolean(allow_none=True)
    p = fields.Boolean(allow_none=True)
    t = fields.String(allow_none=True)
    # Float: a tracker timing with performance.now() sends fractions of a millisecond.
    m = fields.Float(allow_none=True, allow_nan=False)
    n = fields.String(allow_none=True)
    d = fields.Dict(keys=fields.String(), allow_none=True)
    # An extension of the protocol: the app version, so errors per 1,000 page views can be
    # reported by release (older servers drop the unknown field).
    v = fields.String(allow_none=True)

    @validates_schema
    def _custom_has_a_name(self, data, **_kwargs) -> None:
        if data.get("e") == "custom" and not (data.get("n") or "").strip():
            raise ValidationError("a custom event needs a name", "n")


class ApiSchema(Schema):
    """Protected API: unknown fields are a client bug and are rejected."""

    class Meta:
        unknown = RAISE


class IgnoreUntilIn(ApiSchema):
    """When an ignore ends: after N more events, or at a time."""

    events = fields.Integer(validate=validate.Range(min=1, max=10**9))
    until = fields.AwareDateTime(format="iso", default_timezone=None)

    @validates_schema
    def _exactly_one(self, data, **_kwargs) -> None:
        if len(data) != 1:
            raise ValidationError("give exactly one of events or until")


class TriageIn(ApiSchema):
    """A status change for one group."""

    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    resolve_in = fields.String(validate=validate.Length(min=1, max=120))
    ignore_until = fields.Nested(IgnoreUntilIn, allow_none=True)

    @validates_schema
    def _consistent(self, data, **_kwargs) -> None:
        if "resolve_in" in data and data["status"] != "resolved":
            raise ValidationError("resolve_in only goes with status resolved", "resolve_in")
        if data.get("ignore_until") is not None and data["status"] != "ignored":
            raise ValidationError("ignore_until only goes with status ignored", "ignore_until")


class BulkTriageIn(TriageIn):
    """A status change for many groups at once."""

    ids = fields.List(
        fields.Integer(), required=True, validate=validate.Length(min=1, max=MAX_BULK_IDS)
    )


class MergeIn(ApiSchema):
    """Groups to merge into one."""

    ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=2, max=100))


class ProjectIn(ApiSchema):
    """A project to create or rename."""

    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), _not_blank])


class UserIn(ApiSchema):
    """A local account to create (app/access/accounts.py applies the same rules to the CLI)."""

    email = fields.Email(required=True, validate=validate.Length(max=MAX_EMAIL_LENGTH))
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH),
    )
    role = fields.String(load_default="member", validate=validate.OneOf(ROLES))
    # Older clients say is_admin; it means role "admin".
    is_admin = fields.Boolean(load_default=False, load_only=True)

    @post_load
    def _role_from_is_admin(self, data: dict, **_kwargs) -> dict:
        if data.pop("is_admin"):
            data["role"] = "admin"
        return data


class UserPatch(ApiSchema):
    """A change to an account: its role."""

    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class TokenIn(ApiSchema):
    """An API token to create: what it is for, what it may do, on which projects, how long."""

    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), _not_blank])
    # Absent: every scope the owner's role allows.
    scopes = fields.List(
        fields.String(validate=validate.OneOf(SCOPES)), validate=validate.Length(min=1, max=3)
    )
    # Absent or null: every project, present and future.
    project_ids = fields.List(
        fields.Integer(), allow_none=True, validate=validate.Length(min=1, max=1000)
    )
    # Absent or null: the token never expires.
    expires_in_days = fields.Integer(
        allow_none=True, validate=validate.Range(min=1, max=MAX_TOKEN_DAYS)
    )


class TimeText(fields.String):
    """An instant as ISO 8601 or epoch milliseconds, loaded as an aware UTC datetime."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_instant(text)
        except (ValueError, OverflowError) as error:
            raise ValidationError("not an ISO 8601 time or epoch milliseconds") from error


class GroupListArgs(ApiSchema):
    """Query string of the group list."""

    project = fields.Integer()
    status = fields.String(validate=validate.OneOf(STATUSES))
    q = fields.String(validate=validate.Length(max=200))
    release = fields.String(validate=validate.Length(max=120))
    browser = fields.String(validate=validate.Length(max=64))
    environment = fields.String(validate=validate.Length(max=64))
    handled = fields.Boolean()
    sort = fields.String(
        load_default="last_seen",
        validate=validate.OneOf(("last_seen", "first_seen", "count", "per_1k")),
    )
    # With `since`, `counts` also tells how many groups are new or regressed since then.
    since = TimeText()
    cursor = fields.String(validate=validate.Length(max=200))
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class PageArgs(ApiSchema):
    """Cursor paging for plain lists."""

    cursor = fields.String(validate=validate.Length(max=200))
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class DroppedArgs(ApiSchema):
    """Query string of a project's dropped counts."""

    days = fields.Integer(load_default=30, validate=validate.Range(min=1, max=365))


class SourceMapUploadIn(ApiSchema):
    """Form fields of a source map upload (the files come as `file` parts)."""

    release = fields.String(validate=validate.Length(min=1, max=120), load_default=None)
    url_prefix = fields.String(validate=validate.Length(min=1, max=500), load_default=None)


class SourceListArgs(PageArgs):
    """Query string of the source list."""

    project = fields.Integer()


class PixelIn(ApiSchema):
    """A pixel to create."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    event_name = fields.String(load_default="pixel", validate=validate.Length(min=1, max=256))
    metadata = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=256)),
        values=fields.String(validate=validate.Length(max=1024)),
        load_default=dict,
        validate=validate.Length(max=32),
    )


class PixelPatch(PixelIn):
    """Changes to a pixel: any of its fields, none required."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    event_name = fields.String(validate=validate.Length(min=1, max=256))
    metadata = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=256)),
        values=fields.String(validate=validate.Length(max=1024)),
        validate=validate.Length(max=32),
    )


class StatsArgs(ApiSchema):
    """Query string of the stats endpoints."""

    project = fields.Integer()
    from_ = TimeText(data_key="from")
    to = TimeText()
    interval = fields.String(validate=validate.OneOf(REQUESTABLE))
    filter = fields.String(validate=validate.Length(max=2000))
    breakdowns = fields.String(validate=validate.Length(max=400))
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))


class ErrorsPerPageviewArgs(StatsArgs):
    """Query string of errors per 1,000 page views."""

    by = fields.String(required=True, validate=validate.OneOf(("page", "browser", "release")))


class SourcePatch(ApiSchema):
    """Changes to a source: its project (null unassigns it) and its display name."""

    project = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True, validate=validate.Length(max=200))


class ProjectDeleteArgs(ApiSchema):
    """Where the sources of a deleted project go (unassigned without it)."""

    move_sources_to = fields.Integer()


# Who can stand behind an audit entry: a signed-in user, an API token, the server's command
# line, or nobody known (a failed sign-in).
ACTOR_KINDS = ("user", "token", "cli", "anonymous")


class AuditArgs(PageArgs):
    """Query string of the audit log: `action` is one action, or a prefix ending in "."."""

    action = fields.String(
        validate=[
            validate.Length(max=64),
            validate.Regexp(
                r"^[a-z0-9_]+(\.[a-z0-9_]+)*\.?$",
                error='an action such as "group.resolve", or a prefix such as "group."',
            ),
        ]
    )
    actor = fields.Integer(validate=validate.Range(min=1))
    actor_kind = fields.String(validate=validate.OneOf(ACTOR_KINDS))
    target_type = fields.String(validate=validate.Length(min=1, max=32))
    target_id = fields.String(validate=validate.Length(min=1, max=64))
    since = TimeText()
    until = TimeText()

    @validates_schema
    def _in_order(self, data, **_kwargs) -> None:
        if "since" in data and "until" in data and data["since"] >= data["until"]:
            raise ValidationError("until must be after since", "until")


class IdentityIn(ApiSchema):
    """An identity to link to a user: a configured provider's name and the subject (`sub`)
    its ID tokens give that person."""

    provider = fields.String(required=True, validate=validate.Length(min=1, max=32))
    subject = fields.String(required=True, validate=validate.Length(min=1, max=255))
