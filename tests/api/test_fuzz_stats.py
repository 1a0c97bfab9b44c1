"""Hostile query strings on the stats API: whatever arrives, a 200 or a clear 4xx JSON error."""

import json

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.core.filters import FIELDS, FilterError, parse_filter
from tests.stats_data import Recorder, days_ago

# Filter-shaped text: real fields, operators and quotes mixed with anything at all.
pieces = st.one_of(
    st.sampled_from([*FIELDS, "==", "!=", "&&", ".startsWith(", ".contains(", ")", '"', "\\"]),
    st.text(max_size=12),
)
noise = st.lists(pieces, max_size=12).map(" ".join)


def _condition(field: str, op: str, value: str) -> str:
    quoted = json.dumps(value)
    return f"{field} {op} {quoted}" if op in ("==", "!=") else f"{field}.{op}({quoted})"


# Well-formed filters with any values at all (quotes, %, _, NUL-free unicode): these must run.
conditions = st.builds(
    _condition,
    st.sampled_from(FIELDS),
    st.sampled_from(["==", "!=", "startsWith", "contains"]),
    st.text(max_size=20).filter(lambda value: "\x00" not in value),
)
well_formed = st.lists(conditions, min_size=1, max_size=4).map(" && ".join)
filters = st.one_of(noise, well_formed)
times = st.one_of(
    st.none(),  # left out: the default window, so the filter itself gets exercised
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**16), max_value=10**16).map(str),
    st.sampled_from(["0", "2026-02-30", "2026-11-24T25:00:00Z", "9" * 40, "2026-11-24"]),
)


@given(text=filters)
def test_the_filter_parser_reads_or_refuses(text):
    try:
        conditions = parse_filter(text)
    except FilterError as error:
        assert str(error)
        return
    assert all(condition.field in FIELDS for condition in conditions)


@pytest.fixture
def recorded(app):
    """A little traffic, so that the queries have rows to go through."""
    record = Recorder(app)
    record.hit(days_ago(1, hours=2), u="https://example.com/a")
    record.exception(days_ago(1, hours=3))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=filters, start=times, end=times, interval=st.none() | st.text(max_size=8))
def test_stats_never_fail_on_odd_input(client, auth, recorded, text, start, end, interval):
    given_query = {"filter": text, "from": start, "to": end, "interval": interval}
    query = {key: value for key, value in given_query.items() if value is not None}
    for path, extra in (
        ("/api/v1/stats", {}),
        ("/api/v1/stats/errors-per-pageview", {"by": "page"}),
    ):
        response = client.get(path, query_string={**query, **extra}, headers=auth)
        assert response.status_code in (200, 400), (path, query, response.get_json())
        assert response.is_json
        event(f"{path} {response.status_code}")  # --hypothesis-show-statistics: both kinds occur
