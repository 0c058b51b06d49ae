"""Timestamps: the vectorized parser equals the reference on any text, and known instants."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.parsers._time import parse_elapsed, parse_ts
from logpipe.parsers._vtime import parse_ts_array

_PIECES = ["2024", "-", "03", "05", "T", " ", "14", ":", "07", "09", ".", ",", "123456789"]
_PIECES += ["Z", "+01:00", "-0700", "+01", " UTC", " CET", " -0700 MST", "Mar", "Tue", "2"]
_SHAPES = st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=12).map("".join),
    st.builds(
        "{}-{}-{}{}{}:{}:{}{}{}".format,
        st.sampled_from(["2024", "0001", "9999", "1969", "2000", "0000", "20x4"]),
        st.sampled_from(["01", "02", "12", "13", "00"]),
        st.sampled_from(["01", "28", "29", "30", "31", "32"]),
        st.sampled_from(["T", " ", "t"]),
        st.sampled_from(["00", "23", "24"]),
        st.sampled_from(["00", "59", "60"]),
        st.sampled_from(["00", "59", "60"]),
        st.sampled_from(["", ".5", ",123", ".1234567890", ".", ".123456789"]),
        st.sampled_from(["", "Z", "+23:59", "-24:00", "+01:60", "+0100", " Z", "z", "+01:00x"]),
    ),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_SHAPES, st.text(max_size=40), st.none()), max_size=20))
def test_vectorized_timestamps_equal_the_reference(texts: list[str | None]) -> None:
    got = parse_ts_array(pa.array(texts, pa.string())).to_pylist()
    assert got == [None if t is None else parse_ts(t) for t in texts]


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2024-03-05T14:07:09Z", datetime(2024, 3, 5, 14, 7, 9, tzinfo=UTC)),
        ("2024-03-05T14:07:09.123456789+01:00", datetime(2024, 3, 5, 13, 7, 9, 123456, tzinfo=UTC)),
        ("2024-03-05 14:07:09", datetime(2024, 3, 5, 14, 7, 9, tzinfo=UTC)),
        ("2024-03-05 14:07:09,5", datetime(2024, 3, 5, 14, 7, 9, 500000, tzinfo=UTC)),
        ("2024-06-01 08:00:00 +0100 CET", datetime(2024, 6, 1, 7, 0, tzinfo=UTC)),
        ("Tue Mar  5 14:07:09 UTC 2024", datetime(2024, 3, 5, 14, 7, 9, tzinfo=UTC)),
        ("Fri Aug 11 12:31:45 2023", datetime(2023, 8, 11, 12, 31, 45, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 14:07:09 -0700", datetime(2024, 3, 5, 21, 7, 9, tzinfo=UTC)),
        ("2024-02-30T00:00:00Z", None),
        ("2024-03-05T14:07:60Z", None),
        ("2024-03-05 14:07:09 CET", None),
        ("Mar  5 14:07:09.123", None),
        ("0001-01-01T00:00:00+01:00", None),
    ],
)
def test_known_timestamps(text: str, instant: datetime | None) -> None:
    assert parse_ts(text) == instant
    assert parse_ts_array(pa.array([text])).to_pylist() == [instant]


def test_elapsed_stamps() -> None:
    assert parse_elapsed("0429") == 429
    assert parse_elapsed("-001") == -1
    assert parse_elapsed("12345678901") is None
    assert parse_elapsed("2024-03-05") is None


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(_SHAPES, st.none()), min_size=1, max_size=8), st.integers(10, 40))
def test_repeated_timestamps_are_parsed_once_each_and_agree(
    texts: list[str | None], times: int
) -> None:
    many = texts * times
    got = parse_ts_array(pa.array(many, pa.string())).to_pylist()
    assert got == [None if t is None else parse_ts(t) for t in many]
