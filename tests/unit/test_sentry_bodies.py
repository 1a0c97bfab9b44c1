"""Compressed request bodies: each encoding undone, bombs and garbage refused cheaply."""

import contextlib
import gzip
import os
import zlib

import brotli
import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from app.sentry.bodies import BadEncoding, TooLarge, decode_body

ENCODERS = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "raw-deflate": lambda data: zlib.compress(data)[2:-4],
    "br": brotli.compress,
    "zstd": zstandard.ZstdCompressor().compress,
}
HEADER = {"raw-deflate": "deflate"}
DATA = os.urandom(64) + b"envelope line\n" * 50_000


@pytest.mark.parametrize("name", ENCODERS)
def test_each_encoding_round_trips(name):
    assert decode_body(ENCODERS[name](DATA), HEADER.get(name, name), len(DATA)) == DATA


@pytest.mark.parametrize("name", ENCODERS)
def test_past_the_cap_is_too_large(name):
    with pytest.raises(TooLarge):
        decode_body(ENCODERS[name](DATA), HEADER.get(name, name), len(DATA) - 1)


@pytest.mark.parametrize("name", ["gzip", "br", "zstd"])
def test_a_bomb_stops_at_the_cap(name):
    bomb = ENCODERS[name](b"\0" * (256 * 1024 * 1024))
    assert len(bomb) < 300_000
    with pytest.raises(TooLarge):
        decode_body(bomb, name, 1024 * 1024)


@pytest.mark.parametrize("name", ENCODERS)
def test_a_truncated_stream_is_refused(name):
    whole = ENCODERS[name](DATA)
    with pytest.raises(BadEncoding):
        decode_body(whole[: len(whole) // 2], HEADER.get(name, name), len(DATA))


def test_stacked_encodings_are_undone_in_reverse_and_unknown_ones_refused():
    assert decode_body(brotli.compress(gzip.compress(DATA)), "gzip, br", len(DATA)) == DATA
    assert decode_body(DATA, "identity", len(DATA)) == DATA
    with pytest.raises(BadEncoding):
        decode_body(DATA, "compress", len(DATA))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["gzip", "deflate", "br", "zstd"]))
def test_garbage_is_bad_encoding_or_decodes_within_the_cap(raw, name):
    with contextlib.suppress(BadEncoding, TooLarge):
        assert len(decode_body(raw, name, 4096)) <= 4096
