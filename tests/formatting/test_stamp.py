"""Entry times: UNIX microseconds (front-ends) and datetimes (Entry) render the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from logpipe.formatting import JSONFormatter, PrefixedFormatter, TextFormatter
from logpipe.formatting._stamp import TimeText, as_datetime, elapsed_seconds, epoch_us
from logpipe.formatting._world import local_datetime
from tests.strategies import aware_datetimes, epoch_seconds

LAYOUTS = ["2006-01-02T15:04:05Z07:00", "Jan _2 15:04:05.000000 MST", "%Y %j %H:%M:%S.%f"]


@given(st.lists(epoch_seconds, min_size=1, max_size=6))
def test_microseconds_and_datetimes_render_alike(seconds: list[float]) -> None:
    # Records arrive with repeated seconds: the per-second cache must never mix them up.
    times = sorted(seconds + [s + 0.25 for s in seconds])
    for layout in LAYOUTS:
        by_us, by_datetime = TimeText(layout), TimeText(layout)
        for t in times:
            us = round(t * 1e6)
            assert by_us(us) == by_datetime(local_datetime(us / 1e6))


@given(epoch_seconds)
def test_microseconds_convert_exactly(seconds: float) -> None:
    us = round(seconds * 1e6)
    assert epoch_us(as_datetime(us)) == us


@given(aware_datetimes, aware_datetimes)
def test_elapsed_truncates_toward_zero(later: datetime, earlier: datetime) -> None:
    seconds = elapsed_seconds(later, epoch_us(earlier))
    exact = (later - earlier) / timedelta(seconds=1)
    assert seconds == int(exact) or abs(exact - round(exact)) < 1e-6
    assert elapsed_seconds(epoch_us(later), epoch_us(earlier)) == seconds


def test_formatters_take_both_kinds_of_time() -> None:
    when = datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)
    us = epoch_us(when)
    start = when - timedelta(seconds=429.5)
    for formatter in (
        TextFormatter(is_terminal=False, timestamp_format="15:04:05.000 Z07:00"),
        TextFormatter(force_colors=True, start_time=start),
        JSONFormatter(timestamp_format="2006-01-02T15:04:05.999999Z07:00"),
        PrefixedFormatter(is_terminal=False),
    ):
        local = as_datetime(us)  # the int path renders local time, like Go's time.Local
        assert formatter._line(us, "info", "m", {"k": 1}, None, error="") == formatter._line(
            local, "info", "m", {"k": 1}, None, error=""
        )
