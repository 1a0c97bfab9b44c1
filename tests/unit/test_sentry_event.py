"""Sentry SDK events mapped to records: every captured event, then each rule on its own."""

import copy
import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.config import load_config
from app.core.pipeline import Drop, IngestRules
from app.core.sentry_event import SdkFacts, build_sentry_event
from tests.sentry.corpus import FILES, LABELS, captured_event, name_of

RULES = IngestRules(caps=load_config(None, environ={})["ingest"]["caps"])
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
FACTS = SdkFacts(project_id=7, received_at=NOW)
EVENTS = [path for path in FILES if name_of(path) in LABELS]
# Planted by the SDK scenarios (tests/clients/): the user, the host, secrets in locals,
# cookies and headers, the page's query string.
SECRETS = ("jane.doe@example.com", "jdoe", "u-314", "hunter2", "s3ss10n", "web-1", "web-2")
CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def build(event: dict, facts: SdkFacts = FACTS):
    return build_sentry_event(event, facts, RULES)


def stored_text(record) -> str:
    return json.dumps(dataclasses.asdict(record), default=str)


def exception_event(**changes) -> dict:
    event = {
        "event_id": "0f8e2c7a-1b3d-4e5f-9a8b-7c6d5e4f3a2b",
        "platform": "python",
        "exception": {
            "values": [
                {
                    "type": "GatewayTimeout",
                    "value": "gateway took 31s",
                    "module": "shop.gateway",
                    "stacktrace": {"frames": [{"filename": "shop/gateway.py", "function": "post"}]},
                },
                {
                    "type": "RefundFailed",
                    "value": "refund of order-7 failed",
                    "mechanism": {"type": "generic", "handled": False},
                    "stacktrace": {
                        "frames": [
                            {
                                "filename": "flask/app.py",
                                "abs_path": "/srv/.venv/lib/python3.11/site-packages/flask/app.py",
                                "module": "flask.app",
                                "function": "dispatch_request",
                                "in_app": False,
                            },
                            {
                                "filename": "shop/billing.py",
                                "abs_path": "/srv/shop/billing.py",
                                "module": "shop.billing",
                                "function": "refund",
                                "lineno": 31,
                                "context_line": '    raise RefundFailed(f"refund of {oid} failed")',
                                "pre_context": ['    password = "hunter2-local"', "    try:"],
                                "post_context": [""],
                                "vars": {"password": "hunter2-vars", "card": "4000000000000002"},
                                "in_app": True,
                            },
                        ]
                    },
                },
            ]
        },
    }
    event.update(changes)
    return event


@pytest.mark.parametrize("path", EVENTS, ids=name_of)
def test_every_captured_event_maps_to_a_record_without_personal_data(path):
    event = captured_event(path)
    record = build(event)
    assert not isinstance(record, Drop)
    assert record.event_id == event["event_id"].replace("-", "")
    assert record.project_id == 7 and record.source_key == "sdk://7"
    assert record.platform == event["platform"]
    assert record.sdk_name == event["sdk"]["name"]
    assert record.release == event["release"] and record.environment == event["environment"]
    text = stored_text(record)
    assert [secret for secret in SECRETS if secret in text] == []
    if record.url:
        assert "?" not in record.url


def test_chain_is_kept_in_order_with_frames_innermost_first():
    record = build(exception_event())
    cause, raised = record.chain
    assert (cause["type"], raised["type"]) == ("GatewayTimeout", "RefundFailed")
    assert record.exc_type == "RefundFailed" and record.message == "refund of order-7 failed"
    assert [frame["function"] for frame in raised["frames"]] == ["refund", "dispatch_request"]
    assert [frame["in_app"] for frame in raised["frames"]] == [True, False]
    assert raised["frames"][0]["context_line"].startswith("    raise RefundFailed")
    assert raised["frames"][0]["pre_context"] == ['    password = "[Filtered]"', "    try:"]
    assert raised["mechanism"] == {"type": "generic", "handled": False}
    assert record.handled is False
    assert record.fingerprint_basis == ["type:RefundFailed", "frame:shop.billing:refund"]
    assert record.culprit == "refund (shop.billing)"
    assert "vars" not in stored_text(record) and "4000000000000002" not in stored_text(record)


def test_sdk_in_app_flag_is_overruled_by_a_vendor_path():
    event = exception_event()
    frame = event["exception"]["values"][1]["stacktrace"]["frames"][0]
    frame["in_app"] = True  # a misconfigured SDK claims the framework's frame
    raised = build(event).chain[-1]
    assert [f["in_app"] for f in raised["frames"]] == [True, False]


def test_same_bug_in_another_release_host_and_line_is_one_group_another_function_is_not():
    base = build(exception_event())
    moved = exception_event(release="shop@2.0", server_name="web-9")
    frame = moved["exception"]["values"][1]["stacktrace"]["frames"][1]
    frame.update(lineno=77, abs_path="/opt/other-host/shop/billing.py")
    assert build(moved).fingerprint == base.fingerprint
    elsewhere = copy.deepcopy(moved)
    elsewhere["exception"]["values"][1]["stacktrace"]["frames"][1]["function"] = "charge"
    assert build(elsewhere).fingerprint != base.fingerprint


def test_messages_group_by_template_and_show_the_formatted_text():
    def message(order: str) -> dict:
        return {
            "platform": "python",
            "level": "warning",
            "logger": "shop.payments",
            "logentry": {
                "message": "Provider %s refused %s",
                "params": ["stripe", order],
                "formatted": f"Provider stripe refused {order}",
            },
        }

    first, second = build(message("order-1")), build(message("order-2"))
    assert first.fingerprint == second.fingerprint
    assert first.message == "Provider stripe refused order-1"
    assert first.message_template == "Provider %s refused %s"
    assert first.title == "Provider stripe refused order-1"
    assert (first.exc_type, first.level, first.logger) == ("Message", "warning", "shop.payments")
    plain = build({"message": "Nightly sync skipped", "platform": "python"})
    assert plain.level == "info" and plain.message_template is None
    assert plain.fingerprint != first.fingerprint


@pytest.mark.parametrize(
    ("fingerprint", "same_as_default"),
    [(["{{ default }}"], True), (["{{default}}", "tenant-a"], False), (["checkout"], False)],
)
def test_fingerprint_override_with_default(fingerprint, same_as_default):
    default = build(exception_event())
    record = build(exception_event(fingerprint=fingerprint))
    assert (record.fingerprint == default.fingerprint) is same_as_default
    assert record.fingerprint_override == fingerprint


def test_script_error_without_stack_extension_frames_and_browser_bots_are_dropped():
    script_error = {
        "platform": "javascript",
        "exception": {"values": [{"type": "Error", "value": "Script error."}]},
    }
    assert isinstance(build(script_error), Drop)
    extension = exception_event(platform="javascript")
    frames = extension["exception"]["values"][1]["stacktrace"]["frames"]
    frames.append({"abs_path": "chrome-extension://abcdef/content.js", "function": "inject"})
    assert isinstance(build(extension), Drop)
    bot = SdkFacts(7, NOW, GOOGLEBOT)
    assert isinstance(build(exception_event(platform="javascript"), bot), Drop)
    # A server SDK's User-Agent says nothing of who caused the error.
    assert not isinstance(build(exception_event(), bot), Drop)
    assert build(exception_event(platform="javascript"), SdkFacts(7, NOW, CHROME)).browser == (
        "Chrome"
    )


@pytest.mark.parametrize(
    ("given_id", "kept"),
    [("0F8E2C7A1B3D4E5F9A8B7C6D5E4F3A2B", True), ("not-an-id", False), (42, False)],
)
def test_event_id_is_kept_when_valid(given_id, kept):
    record = build(exception_event(event_id=given_id))
    assert len(record.event_id) == 32
    assert (record.event_id == str(given_id).lower()) is kept


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("2026-12-07T11:59:30.5Z", datetime(2026, 12, 7, 11, 59, 30, 500000, tzinfo=UTC)),
        ((NOW - timedelta(hours=2)).timestamp(), NOW - timedelta(hours=2)),
        ((NOW + timedelta(days=2)).timestamp(), NOW),
        ("2020-01-01T00:00:00Z", NOW),
        ("yesterday", NOW),
        (1e300, NOW),
    ],
)
def test_timestamp_is_the_sdks_when_plausible(timestamp, expected):
    assert build(exception_event(timestamp=timestamp)).received_at == expected


def test_descriptive_fields_are_scrubbed_capped_and_whitelisted():
    record = build(
        exception_event(
            request={
                "url": "https://shop.example/orders/9?email=jane.doe@example.com#x",
                "cookies": {"session": "s3ss10n"},
                "headers": {"Authorization": "Bearer hunter2"},
                "data": {"card": "4000000000000002"},
            },
            tags=[["checkout_step", "payment"], ["api_token", "hunter2"], ["n", 5]],
            extra={"cart": {"items": 2}, "password": "hunter2", "sys.argv": ["--host=web-1"]},
            contexts={
                "os": {"name": "Debian", "version": "12.11\n", "kernel_version": "6.1"},
                "device": {"arch": "x64", "boot_time": "2026-12-06"},
                "order": {"id": "order-7"},
            },
            user={"email": "jane.doe@example.com", "ip_address": "{{auto}}"},
            server_name="web-1",
            breadcrumbs={"values": [{"message": "login jdoe"}]},
            transaction="/orders/<id>",
            sdk={"name": "sentry.python.flask", "version": "2.75.0"},
        )
    )
    assert record.url == "https://shop.example/orders/9" and record.path == "/orders/9"
    assert record.tags == {"checkout_step": "payment", "api_token": "[Filtered]", "n": "5"}
    assert record.extra == {"cart": '{"items":2}', "password": "[Filtered]"}
    assert record.contexts == {
        "os": {"name": "Debian", "version": "12.11"},
        "device": {"arch": "x64"},
    }
    assert (record.os, record.transaction) == ("Debian", "/orders/<id>")
    assert (record.sdk_name, record.sdk_version) == ("sentry.python.flask", "2.75.0")
    text = stored_text(record)
    assert [secret for secret in SECRETS if secret in text] == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=30,
)
event_keys = st.sampled_from(
    [
        "exception",
        "message",
        "logentry",
        "platform",
        "timestamp",
        "tags",
        "extra",
        "contexts",
        "request",
        "fingerprint",
        "event_id",
        "sdk",
        "level",
        "release",
        "environment",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(event_keys, json_values, max_size=8), st.sampled_from(FILES[:40]))
def test_any_event_shape_maps_or_drops_and_never_raises(fields, path):
    """Whatever types an SDK (or an attacker) puts in an event, mapping gives an answer."""
    event = {**(captured_event(path) or {}), **fields}
    record = build(event)
    if not isinstance(record, Drop):
        json.dumps(dataclasses.asdict(record), default=str)
        assert record.exc_type and len(record.fingerprint) == 64


def test_a_shared_helper_failing_for_two_callers_is_two_server_groups():
    """Server stacks are the same on every run, so every in-app frame counts, as in Sentry."""

    def failing_from(caller: str) -> dict:
        event = exception_event()
        event["exception"]["values"][1]["stacktrace"]["frames"] = [
            {"filename": "shop/views.py", "module": "shop.views", "function": caller},
            {"filename": "shop/money.py", "module": "shop.money", "function": "to_cents"},
        ]
        return event

    checkout, refund = build(failing_from("checkout")), build(failing_from("refund"))
    assert checkout.fingerprint != refund.fingerprint
    assert checkout.fingerprint_basis == [
        "type:RefundFailed",
        "frame:shop.money:to_cents",
        "frame:shop.views:checkout",
    ]
    assert build(failing_from("checkout")).fingerprint == checkout.fingerprint
