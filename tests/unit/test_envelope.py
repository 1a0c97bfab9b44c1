"""Sentry envelopes: round trips, arbitrary bytes, malformed items and the captured corpus."""

import gzip
import json
import zlib
from pathlib import Path

import brotli
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.envelope import MAX_ITEMS, Envelope, EnvelopeError, parse_envelope

CORPUS = Path(__file__).parent.parent / "fixtures" / "sentry" / "envelopes"
SIDECARS = sorted(
    path
    for path in CORPUS.glob("*/*.json")
    if json.loads(path.read_text("utf-8"))["path"].endswith("/envelope/")
)
DECODE = {None: bytes, "gzip": gzip.decompress, "deflate": zlib.decompress, "br": brotli.decompress}
TYPES = ["session", "sessions", "client_report", "transaction", "event", "attachment", "unknown"]
GOOD = [(b'{"type":"session","length":9}', b'{\n"a":1\n}'), (b'{"type":"event"}', b'{"b":2}')]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
# An item: its type, whether its header gives the length, and its payload, which may hold
# newlines only when the length is given; then how many empty lines come before it.
item = st.one_of(
    st.tuples(st.sampled_from(TYPES), st.just(True), st.binary(max_size=40)),
    st.tuples(st.sampled_from(TYPES), st.just(False), json_values.map(orjson.dumps)),
)
items = st.tuples(item, st.integers(0, 2))


def envelope(*lines: bytes) -> bytes:
    return b"\n".join([b'{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}', *lines]) + b"\n"


def pairs(parsed: Envelope) -> list[tuple[str, bytes]]:
    return [(item.type, item.payload) for item in parsed.items]


@settings(deadline=None, max_examples=300)
@given(st.lists(items, max_size=8), st.booleans())
def test_round_trip(generated, final_newline):
    """Serialised items, with or without length, empty lines or final newline, come back."""
    lines = [b'{"sent_at":"2026-12-07T02:10:21.343Z"}']
    for (kind, with_length, payload), empty_lines in generated:
        header = {"type": kind, "length": len(payload)} if with_length else {"type": kind}
        lines += [b""] * empty_lines + [orjson.dumps(header), payload]
    parsed = parse_envelope(b"\n".join(lines) + (b"\n" if final_newline else b""))
    assert parsed.headers == {"sent_at": "2026-12-07T02:10:21.343Z"}
    assert pairs(parsed) == [(kind, payload) for (kind, _, payload), _ in generated]
    assert parsed.malformed == 0


FRAGMENTS = [b"{}", b'{"type":"event"', b',"length":', b"3", b"-1", b'"2"', b"}", b"\n", b"x", b" "]
near_envelopes = st.lists(st.sampled_from(FRAGMENTS)).map(lambda parts: b"{}\n" + b"".join(parts))


@settings(deadline=None, max_examples=300)
@given(st.binary() | near_envelopes)
def test_any_bytes(data):
    """Any bytes give an Envelope or an EnvelopeError, and never more than MAX_ITEMS items."""
    try:
        parsed = parse_envelope(data)
    except EnvelopeError:
        return
    assert isinstance(parsed, Envelope)
    assert len(parsed.items) <= MAX_ITEMS


@pytest.mark.parametrize("data", [b"", b"\n{}", b"[]\n", b"not json\n{}", b"{\n}"])
def test_bad_envelope_header(data):
    """An envelope whose first line is not a JSON object is refused as a whole."""
    with pytest.raises(EnvelopeError):
        parse_envelope(data)


# An unreadable header gives no length to skip by: the line after it is taken as its payload.
@pytest.mark.parametrize(
    ("bad", "malformed"),
    [
        ([b'{"type":"event"', b'{"a":1}'], 1),
        ([b'["event"]', b'{"a":1}'], 1),
        ([b'{"type":5}', b"x"], 1),
        ([b'{"type":"event","length":-1}', b'{"a":1}'], 1),
        ([b'{"type":"event","length":"7"}', b'{"a":1}'], 1),
        ([b'{"type":"event","length":true}', b'{"a":1}'], 1),
    ],
    ids=["bad-json", "not-object", "type-not-str", "negative-length", "str-length", "bool-length"],
)
def test_malformed_item_between_good_ones(bad, malformed):
    """A malformed item is counted and costs the items around it nothing."""
    (h1, p1), (h2, p2) = GOOD
    parsed = parse_envelope(envelope(h1, p1, *bad, h2, p2))
    assert pairs(parsed) == [("session", p1), ("event", p2)]
    assert parsed.malformed == malformed


def test_payload_of_an_unreadable_header_is_never_taken_for_an_item():
    """A transaction payload after a broken header looks like a header; it must not swallow
    the event that follows it."""
    (h1, p1), (h2, p2) = GOOD
    parsed = parse_envelope(envelope(h1, p1, b'{"type":', b'{"type":"transaction"}', h2, p2))
    assert pairs(parsed) == [("session", p1), ("event", p2)]
    assert parsed.malformed == 1


@pytest.mark.parametrize("tail", [b"", b"\n"])
def test_empty_last_item_with_length_zero(tail):
    """`length: 0` on a last item whose header ends the data is an empty item, not malformed."""
    parsed = parse_envelope(b'{}\n{"type":"client_report","length":0}' + tail)
    assert pairs(parsed) == [("client_report", b"")]
    assert parsed.malformed == 0


def test_length_past_the_end():
    """A payload shorter than its length is counted; the items before it are kept."""
    (h1, p1), (h2, p2) = GOOD
    parsed = parse_envelope(envelope(h1, p1, h2, p2, b'{"type":"attachment","length":99}', b"ab"))
    assert pairs(parsed) == [("session", p1), ("event", p2)]
    assert parsed.malformed == 1


def test_max_items():
    """Items beyond MAX_ITEMS are counted, not kept."""
    parsed = parse_envelope(envelope(*[b'{"type":"event"}\n{}'] * (MAX_ITEMS + 5)))
    assert len(parsed.items) == MAX_ITEMS
    assert parsed.malformed == 5


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus(sidecar):
    """Every envelope the real SDKs sent parses with at least one item and none malformed."""
    encoding = json.loads(sidecar.read_text("utf-8"))["content_encoding"]
    parsed = parse_envelope(DECODE[encoding](sidecar.with_suffix(".bin").read_bytes()))
    assert parsed.items
    assert parsed.malformed == 0
