"""Seeded Sentry envelopes as sentry-sdk 2.75 sends them: 40 bugs of a Flask shop, 12 frames.

The same shape as the tracker reports of `bench/reports.py` (8 feature areas x 5 error kinds,
three releases that move the code, messages with ids and numbers in them), but as the Python
SDK's `capture_exception` from a Flask view: an envelope of one event item, gzip-compressed,
`Content-Type: application/x-sentry-envelope` and `X-Sentry-Auth` with the DSN's public key.
Every event has its own event_id (the servers drop repeats), so a list is only good for one
database; pass another seed for another round on the same database.
"""

import gzip
import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

SDK_VERSION = "2.75.0"
USER_AGENT = f"sentry.python/{SDK_VERSION}"
RELEASES = ("shop@2024.06.1", "shop@2024.06.2", "shop@2024.07.0")
ENVIRONMENTS = ("production",) * 9 + ("staging",)
SERVERS = ("web-1", "web-2", "web-3", "web-4")
SITE_PACKAGES = "/srv/shop/.venv/lib/python3.11/site-packages"
APP_ROOT = "/srv/shop"

# Eight feature areas, two lines each: module, view, service chain (two functions), then five
# bug sites, one per error kind below: 8 x 5 = 40 bugs, each its own (type, in-app frames).
_AREAS = """
checkout checkout_submit  place_order,charge_customer
    validate_address post_order compute_tax apply_gift_card load_payment_step
cart     cart_update      update_line,recalculate
    read_line_item sync_cart set_quantity restore_saved_cart load_upsells
search   search_results   run_query,collect_hits
    render_hit fetch_results parse_facets highlight_terms load_filters
product  product_page     load_product,pick_variant
    variant_for fetch_stock format_price zoom_image load_reviews
account  order_history    list_orders,with_session
    read_order fetch_orders paginate refresh_token load_invoices
app      index            resolve_route,render_home
    resolve_locale prefetch_banner restore_basket hydrate_menu load_route
wishlist wishlist_toggle  toggle_item,persist_wishlist
    read_wishlist save_wishlist count_items merge_guest_list load_wishlist
reviews  review_submit    post_review,store_photos
    read_rating send_review resize_photo check_profanity load_editor
"""
_LINES = _AREAS.strip().splitlines()
AREAS = tuple(
    (name, view, tuple(chain.split(",")), tuple(sites.split()))
    for (name, view, chain), sites in zip(
        (line.split() for line in _LINES[::2]), _LINES[1::2], strict=True
    )
)

# Five kinds: (exception module or None for builtins, type, message template, the bug site's
# call into the kind's code, then the three innermost frames (path, function, line, in_app);
# the last one raises).
KINDS = (
    (
        None,
        "KeyError",
        "'sku-{n:05d}'",
        "total += price_for(line['sku'], line['quantity'])",
        (
            ("shop/lib/cache.py", "memoized.<locals>.wrapper", "value = fn(*args)", True),
            ("shop/catalog/prices.py", "price_for", "return _lookup(sku) * quantity", True),
            ("shop/catalog/prices.py", "_lookup", "return PRICES[sku]", True),
        ),
    ),
    (
        None,
        "AttributeError",
        "'NoneType' object has no attribute '{attr}'",
        "return to_dict(order, FIELDS)",
        (
            (
                "shop/lib/serialize.py",
                "to_dict",
                "return {f: _field(obj, f) for f in fields}",
                True,
            ),
            (
                "shop/lib/serialize.py",
                "<dictcomp>",
                "return {f: _field(obj, f) for f in fields}",
                True,
            ),
            ("shop/lib/serialize.py", "_field", "return getattr(obj.current, name)", True),
        ),
    ),
    (
        None,
        "ValueError",
        "invalid literal for int() with base 10: '{n}x'",
        "form.validate()",
        (
            ("shop/forms.py", "Form.validate", "field.process(self.data.get(name))", True),
            ("shop/forms.py", "IntegerField.process", "self.value = self.coerce(raw)", True),
            ("shop/forms.py", "IntegerField.coerce", "return int(raw)", True),
        ),
    ),
    (
        "requests.exceptions",
        "HTTPError",
        "{status} Server Error: Service Unavailable for url: "
        "http://inventory.internal:8081/api/v2/{area}/{n}",
        "stock = inventory.get(f'/{area}/{item_id}')",
        (
            ("shop/clients/base.py", "ApiClient.get", "return self._send('GET', path)", True),
            ("shop/clients/base.py", "ApiClient._send", "response.raise_for_status()", True),
            (
                "requests/models.py",
                "Response.raise_for_status",
                "raise HTTPError(http_error_msg, response=self)",
                False,
            ),
        ),
    ),
    (
        "sqlalchemy.exc",
        "IntegrityError",
        "(sqlite3.IntegrityError) UNIQUE constraint failed: {area}_items.token\n"
        "[SQL: INSERT INTO {area}_items (token, owner_id) VALUES (?, ?)]\n"
        "[parameters: ('{uuid}', {n})]\n"
        "(Background on this error at: https://sqlalche.me/e/20/gkpj)",
        "db.session.commit()",
        (
            ("sqlalchemy/orm/session.py", "Session.commit", "trans.commit(_to_root=True)", False),
            (
                "sqlalchemy/engine/base.py",
                "Connection._exec_single_context",
                "self.dialect.do_execute(cursor, str_statement, effective_parameters, context)",
                False,
            ),
            (
                "sqlalchemy/engine/default.py",
                "DefaultDialect.do_execute",
                "cursor.execute(statement, parameters)",
                False,
            ),
        ),
    ),
)

# The outermost frames of every event: Flask's dispatch (library code) and the shop's login
# decorator, as the SDK's Flask integration records them.
FLASK = (
    ("flask/app.py", "Flask.wsgi_app", 1511, "response = self.full_dispatch_request()"),
    ("flask/app.py", "Flask.full_dispatch_request", 919, "rv = self.handle_user_exception(e)"),
    ("flask/app.py", "Flask.full_dispatch_request", 917, "rv = self.dispatch_request()"),
    (
        "flask/app.py",
        "Flask.dispatch_request",
        902,
        "return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)",
    ),
)


def _module(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def _frame(path: str, qualname: str, lineno: int, line: str, in_app: bool) -> dict:
    """One frame with five lines of source either side, as the SDK reads them from disk. The
    SDK names the function by its code object's name, so `Form.validate` is sent as
    `validate` (the class and closure parts only shape the made-up source around it)."""
    parts = [part for part in qualname.split(".") if part != "<locals>"]
    name = parts[-1]
    outer = "    " * (len(parts) - 1)
    inner = outer + "    "
    method = len(parts) > 1 and parts[-2][:1].isupper()
    pre = [
        "",
        f"{outer}def {name}({'self, ' if method else ''}*args, **kwargs):",
        f'{inner}"""{name.strip("<>_").replace("_", " ").capitalize()}."""',
        f"{inner}log.debug('{name} %s', args)",
        f"{inner}try:",
    ]
    post = [
        f"{inner}except LookupError:",
        f"{inner}    log.warning('{name} failed', exc_info=True)",
        f"{inner}    raise",
        f"{inner}finally:",
        f"{inner}    metrics.incr('{_module(path)}.{name}')",
    ]
    root = APP_ROOT if in_app else SITE_PACKAGES
    return {
        "filename": path,
        "abs_path": f"{root}/{path}",
        "module": _module(path),
        "function": name,
        "lineno": lineno,
        "pre_context": pre,
        "context_line": f"{inner}    {line}",
        "post_context": post,
        "in_app": in_app,
    }


def frames(bug: int, release: int) -> list[dict]:
    """Twelve frames, outermost first: Flask, the login decorator, view, service chain, the
    bug's own function, then the three frames of its kind (the last one raises)."""
    area, view, chain, sites = AREAS[bug // len(KINDS)]
    site = sites[bug % len(KINDS)]
    call, tail = KINDS[bug % len(KINDS)][3:]
    shift = 7 * release  # a new release moves the shop's code; libraries stay where they are
    result = [_frame(path, fn, line, code, False) for path, fn, line, code in FLASK]
    result.append(
        _frame(
            "shop/auth.py",
            "login_required.<locals>.decorated",
            41 + shift,
            "return view(*a, **kw)",
            True,
        )
    )
    calls = [
        (f"shop/web/{area}.py", view, f"return render({chain[0]}(request.form))"),
        (f"shop/{area}/service.py", chain[0], f"result = {chain[1]}(ctx)"),
        (f"shop/{area}/service.py", chain[1], f"return {site}(ctx, session)"),
        (f"shop/{area}/steps.py", site, call),
    ]
    for depth, (path, fn, code) in enumerate(calls):
        result.append(_frame(path, fn, 20 + 13 * depth + 3 * (bug % 5) + shift, code, True))
    for depth, (path, fn, code, in_app) in enumerate(tail):
        lineno = (88 + 9 * depth + shift) if in_app else (1200 + 37 * depth)
        result.append(_frame(path, fn, lineno, code, in_app))
    return result


def event(index: int, rng: random.Random, now: datetime) -> dict:
    """One Sentry event; bug, release, environment and host vary with `index` and `rng`."""
    bug = index % (len(AREAS) * len(KINDS))
    release = rng.randrange(len(RELEASES))
    area, view = AREAS[bug // len(KINDS)][:2]
    module, exc_type, template = KINDS[bug % len(KINDS)][:3]
    value = template.format(
        n=rng.randrange(1, 99999),
        attr=rng.choice(("id", "price", "variant_id", "owner")),
        status=rng.choice((502, 503, 504)),
        area=area,
        uuid=f"{rng.getrandbits(128):032x}",
    )
    event_id = uuid.UUID(int=rng.getrandbits(128), version=4).hex
    timestamp = now - timedelta(seconds=rng.uniform(0.05, 2.0))
    environment = rng.choice(ENVIRONMENTS)
    return {
        "event_id": event_id,
        "timestamp": timestamp.isoformat().replace("+00:00", "Z"),
        "platform": "python",
        "level": "error",
        "release": RELEASES[release],
        "environment": environment,
        "server_name": rng.choice(SERVERS),
        "transaction": view,
        "transaction_info": {"source": "component"},
        "contexts": {
            "trace": {
                "trace_id": f"{rng.getrandbits(128):032x}",
                "span_id": f"{rng.getrandbits(64):016x}",
                "parent_span_id": None,
            },
            "runtime": {"name": "CPython", "version": "3.11.7"},
        },
        "tags": {"area": area},
        "breadcrumbs": {"values": []},
        "exception": {
            "values": [
                {
                    "type": exc_type,
                    "value": value,
                    "module": module,
                    "mechanism": {"type": "generic", "handled": True},
                    "stacktrace": {"frames": frames(bug, release)},
                }
            ]
        },
        "sdk": {
            "name": "sentry.python",
            "version": SDK_VERSION,
            "packages": [{"name": "pypi:sentry-sdk", "version": SDK_VERSION}],
            "integrations": ["argv", "atexit", "dedupe", "excepthook", "flask", "logging"],
        },
    }


def envelope(item: dict, dsn: str, sent_at: datetime) -> bytes:
    """The uncompressed envelope: header, item header, the event JSON, newline-separated."""
    payload = json.dumps(item, separators=(",", ":")).encode()
    header = {
        "event_id": item["event_id"],
        "sent_at": sent_at.isoformat().replace("+00:00", "Z"),
        "dsn": dsn,
    }
    item_header = {"type": "event", "length": len(payload), "content_type": "application/json"}
    return b"\n".join([json.dumps(header).encode(), json.dumps(item_header).encode(), payload, b""])


def dsn_parts(dsn: str) -> tuple[str, int]:
    """(public key, project id) of `http://<key>@host:port/<id>`."""
    parts = urlsplit(dsn)
    return parts.username or "", int(parts.path.strip("/").rsplit("/", 1)[-1])


def envelopes(count: int, dsn: str, seed: int = 20240601) -> list[tuple[bytes, str, dict]]:
    """`count` requests (gzip body, User-Agent, headers) for `dsn`, cycling through the 40 bugs."""
    rng = random.Random(seed)
    key, _project = dsn_parts(dsn)
    headers = {
        "Content-Type": "application/x-sentry-envelope",
        "Content-Encoding": "gzip",
        "X-Sentry-Auth": (f"Sentry sentry_key={key}, sentry_version=7, sentry_client={USER_AGENT}"),
    }
    now = datetime.now(UTC)
    result = []
    for index in range(count):
        body = envelope(event(index, rng, now), dsn, now)
        # The SDK's default: gzip at level 9 (sentry_sdk.transport, _compression_level).
        result.append((gzip.compress(body, compresslevel=9, mtime=0), USER_AGENT, headers))
    return result


def path_for(dsn: str) -> str:
    """The envelope endpoint of a DSN's project."""
    return f"/api/{dsn_parts(dsn)[1]}/envelope/"


if __name__ == "__main__":
    example = "http://0123456789abcdef0123456789abcdef@127.0.0.1:8080/1"
    body, agent, extra = envelopes(1, example)[0]
    print(agent, extra, f"{len(body)} bytes gzip", sep="\n")
    print(gzip.decompress(body).decode())
