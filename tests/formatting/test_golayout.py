"""Go time layouts: every token, Go's chunking quirks, zones, strftime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given

from logpipe.formatting._golayout import compile_layout, zone_name
from tests.strategies import aware_datetimes

CET = timezone(timedelta(hours=1), "CET")
WHEN = datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=CET)


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        ("2006-01-02T15:04:05Z07:00", "2024-03-05T14:07:09+01:00"),
        ("2006-01-02T15:04:05.999999999Z07:00", "2024-03-05T14:07:09.123456+01:00"),
        ("Mon Jan _2 15:04:05 MST 2006", "Tue Mar  5 14:07:09 CET 2024"),
        ("Monday, 02-Jan-06 3:04:05.00 PM", "Tuesday, 05-Mar-24 2:07:09.12 PM"),
        ("January 2, 2006 03:04pm", "March 5, 2024 02:07pm"),
        ("06 002 __2 1/2 3:4:5", "24 065  65 3/5 2:7:9"),
        ("-0700 -07:00 -07 -070000 -07:00:00", "+0100 +01:00 +01 +010000 +01:00:00"),
        ("Z0700 Z07:00 Z07", "+0100 +01:00 +01"),
        ("15:04:05,000 .000000 .9 ,999", "14:07:09,123 .123456 .1 ,123"),
        ("no tokens here!", "no tokens here!"),
        ("15h04", "14h07"),
    ],
)
def test_layout_tokens(layout: str, expected: str) -> None:
    assert compile_layout(layout)(WHEN) == expected


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        ("Janet Monthly", "Janet Monthly"),  # Jan/Mon followed by a lower-case letter: literal
        ("_2006", "_2024"),  # a literal "_" then the year
        (".01 .0x", ".03 .1x"),  # ".01": no fraction (a digit follows), "01" the month
        ("2006.01.02", "2024.03.05"),
        ("MST", "CET"),
    ],
)
def test_go_chunking_quirks(layout: str, expected: str) -> None:
    assert compile_layout(layout)(WHEN) == expected


def test_zulu_and_unnamed_zones() -> None:
    utc = datetime(2024, 1, 1, tzinfo=UTC)
    assert compile_layout("Z07:00 MST -0700")(utc) == "Z UTC +0000"
    unnamed = datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=-7)))
    assert compile_layout("Z07:00 MST")(unnamed) == "-07:00 -0700"
    assert zone_name(unnamed) == ""
    assert zone_name(utc) == "UTC"
    odd = datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=5, minutes=45, seconds=30)))
    assert compile_layout("-07:00:00 -0700")(odd) == "+05:45:30 +0545"


def test_fractions_truncate_never_round() -> None:
    almost = WHEN.replace(microsecond=999999)
    assert compile_layout("05.000 05.999")(almost) == "09.999 09.999"
    whole = WHEN.replace(microsecond=0)
    assert compile_layout("05.999|05.000000000")(whole) == "09|09.000000000"


def test_percent_means_strftime() -> None:
    assert compile_layout("%Y-%m-%d %H:%M:%S.%f %Z")(WHEN) == "2024-03-05 14:07:09.123456 CET"


@given(aware_datetimes)
def test_layouts_agree_with_strftime(moment: datetime) -> None:
    go = compile_layout("2006-01-02 15:04:05 Mon January Jan 002 03PM -0700")(moment)
    assert go == moment.strftime("%Y-%m-%d %H:%M:%S %a %B %b %j %I%p %z")


@given(aware_datetimes)
def test_rfc3339_matches_isoformat(moment: datetime) -> None:
    go = compile_layout("2006-01-02T15:04:05.000000Z07:00")(moment)
    iso = moment.isoformat(timespec="microseconds")
    assert go == (iso.replace("+00:00", "Z") if moment.utcoffset() == timedelta(0) else iso)
