"""The text formatter's fast lane writes what its general path writes, byte for byte."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logpipe.formatting._stamp import (
    SpanText,
    TimeText,
    created_us,
    elapsed_bounds,
    elapsed_seconds,
)
from logpipe.formatting.stdlib import LogrusTextFormatter, record_fields
from logpipe.levels import TRACE
from tests.strategies import field_keys, field_values, log_text, logging_created

#: Keys biased to the fixed ones (clashes must leave the lane) and their field_map names.
lane_keys = st.one_of(
    field_keys, st.sampled_from(["time", "level", "msg", "func", "file", "logrus_error", "m"])
)
lane_options = st.fixed_dictionaries(
    {},
    optional={
        "force_colors": st.booleans(),
        "disable_timestamp": st.booleans(),
        "full_timestamp": st.booleans(),
        "timestamp_format": st.sampled_from(
            ["", "2006-01-02 15:04:05", "15:04:05.000", "Jan _2 15:04:05.000000 MST", "%H:%M:%S"]
        ),
        "force_quote": st.booleans(),
        "disable_quote": st.booleans(),
        "quote_empty_fields": st.booleans(),
        "disable_sorting": st.booleans(),
        "pad_level_text": st.booleans(),
        "disable_level_truncation": st.booleans(),
        "field_map": st.sampled_from([{}, {"msg": "m"}, {"time": "@t", "level": "lvl"}]),
        "report_caller": st.booleans(),
    },
)
levels = st.sampled_from([TRACE, 10, 20, 30, 40, 50, 60, 25, 1])


def make_record(
    created: float, level: int, message: str, fields: dict[str, Any], caller: tuple[str, str, int]
) -> logging.LogRecord:
    """A record as ``Logger.makeRecord`` builds one: extras set after ``__init__``."""
    function, path, line = caller
    record = logging.LogRecord("lane", level, path, line, message, (), None, func=function)
    record.created = created
    for key, value in fields.items():
        if key in ("message", "asctime") or key in record.__dict__:
            continue  # makeRecord refuses these
        record.__dict__[key] = value
    return record


@given(
    lane_options,
    st.lists(
        st.tuples(
            logging_created,
            levels,
            log_text,
            st.dictionaries(lane_keys, st.one_of(field_values, log_text), max_size=4),
            st.sampled_from([("serve", "/srv/a.py", 42), ("", "/srv/b.py", 7), ("f", "", 0)]),
        ),
        min_size=1,
        max_size=6,
    ),
    logging_created,
)
def test_the_lane_writes_what_the_general_path_writes(
    options: dict[str, Any], records: list[Any], start: float
) -> None:
    formatter = LogrusTextFormatter(
        is_terminal=False, start_time=datetime.fromtimestamp(start, UTC), **options
    )
    for parts in records:  # several records: the lane's caches must never mix them up
        record = make_record(*parts)
        assert formatter.format(record) == formatter._general(record)
    assert formatter._lane is not None  # these options all have a lane


def test_records_the_lane_leaves_to_the_general_path() -> None:
    formatter = LogrusTextFormatter(is_terminal=False, report_caller=True)
    clash = make_record(1e9, 20, "m", {"level": "x", "a": 1}, ("f", "/x.py", 1))
    assert formatter.format(clash) == formatter._general(clash)
    assert " fields.level=x" in formatter.format(clash)

    class Custom(logging.LogRecord):
        def getMessage(self) -> str:
            return "custom " + str(self.msg)

    custom = Custom("lane", 20, "/x.py", 1, "text", (), None)
    assert 'msg="custom text"' in formatter.format(custom)
    bad = logging.LogRecord("lane", 20, "/x.py", 1, "%d", ("x",), None)
    assert "logpipe_error=" in formatter.format(bad)  # repaired as before, not raised


@pytest.mark.parametrize(
    ("options", "line"),
    [
        ({"environment_override_colors": True}, "level=info msg=m a=1 b=2"),
        ({"sorting_func": sorted}, "a=1 b=2 level=info msg=m"),  # sorts the fixed keys too
    ],
)
def test_options_without_a_lane_still_render(options: dict[str, Any], line: str) -> None:
    formatter = LogrusTextFormatter(is_terminal=False, disable_timestamp=True, **options)
    record = make_record(1e9, 20, "m", {"b": 2, "a": 1}, ("f", "/x.py", 1))
    assert formatter.format(record) == line
    assert formatter._lane is None


def test_a_deleted_standard_attribute_shows_every_extra() -> None:
    record = make_record(1e9, 20, "m", {"rank": 3, "peer": "p"}, ("f", "/x.py", 1))
    del record.__dict__["thread"]
    record.__dict__["extra"] = 1  # as many attributes as a record without the deletion
    formatter = LogrusTextFormatter(is_terminal=False, disable_timestamp=True)
    assert record_fields(record) == {"rank": 3, "peer": "p", "extra": 1}
    assert formatter.format(record) == "level=info msg=m extra=1 peer=p rank=3"


@given(logging_created, logging_created)
def test_a_span_holds_exactly_the_times_with_its_text(created: float, other: float) -> None:
    start_us = created_us(other)
    for span in (
        SpanText(lambda us: str(us // 1_000_000), TimeText("15:04:05").bounds),
        SpanText(str, TimeText("15:04:05.000000").bounds),
        SpanText(lambda us: str(elapsed_seconds(us, start_us)), elapsed_bounds(start_us)),
    ):
        text = span(created)
        lo, hi, cached = span.last
        assert cached == text
        assert lo <= created < hi
        for inside in (lo, math.nextafter(hi, -math.inf)):
            assert span._text(created_us(inside)) == text
        # Just outside, the text may be the same, but the span must not claim it.
        assert created_us(math.nextafter(lo, -math.inf)) < span._bounds(created_us(created))[0]
        assert created_us(hi) >= span._bounds(created_us(created))[1]


def test_elapsed_spans_truncate_toward_zero() -> None:
    start = 1_000_000_000_000_000
    bounds = elapsed_bounds(start)
    assert bounds(start) == (start - 999_999, start + 1_000_000)
    assert bounds(start + 2_500_000) == (start + 2_000_000, start + 3_000_000)
    assert bounds(start - 2_500_000) == (start - 2_999_999, start - 1_999_999)
    assert SpanText.fixed("").last == (-math.inf, math.inf, "")


def test_defaults_added_after_the_first_record_still_show() -> None:
    formatter = LogrusTextFormatter(is_terminal=False, disable_timestamp=True)
    record = make_record(1e9, 20, "m", {"a": 1}, ("f", "/x.py", 1))
    assert formatter.format(record) == "level=info msg=m a=1"
    formatter.default_fields["region"] = "eu"
    assert formatter.format(record) == "level=info msg=m a=1 region=eu"
