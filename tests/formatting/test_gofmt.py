"""Go ``%v``/``%+v``/``%q`` of Python values: floats, durations, containers, quoting."""

from __future__ import annotations

import dataclasses
import enum
import math
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import NamedTuple

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from logpipe.formatting._gofmt import duration, format_float, go_time, quote, sprint
from tests.formatting.gounquote import go_unquote
from tests.strategies import finite_floats, log_text


@given(finite_floats)
@example(0.0)
@example(-0.0)
@example(5e-324)
@example(1.7976931348623157e308)
@example(123456.0)
@example(999999.9999999999)
def test_float_reads_back_as_the_same_float(x: float) -> None:
    text = format_float(x)
    assert float(text) == x
    assert math.copysign(1.0, float(text)) == math.copysign(1.0, x)


@given(finite_floats)
def test_float_uses_exponent_form_exactly_where_go_does(x: float) -> None:
    text = format_float(x)
    exponent = Decimal(repr(x)).adjusted()  # of the shortest digits, as Go's strconv
    expected_exponent_form = x != 0 and (exponent < -4 or exponent >= 6)
    assert ("e" in text) == expected_exponent_form, text
    if "e" in text:
        mantissa, exp = text.split("e")
        assert exp[0] in "+-"
        assert len(exp) >= 3
        assert not mantissa.endswith("0") or "." not in mantissa


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1e6, "1e+06"),
        (100000.0, "100000"),
        (1e-5, "1e-05"),
        (0.0001, "0.0001"),
        (1e21, "1e+21"),
        (123456789.0, "1.23456789e+08"),
        (3.0, "3"),
        (-0.0, "-0"),
        (float("nan"), "NaN"),
        (float("inf"), "+Inf"),
        (float("-inf"), "-Inf"),
        (1.5 + 2j, "(1.5+2i)"),
        (complex(1, float("nan")), "(1+NaNi)"),
    ],
)
def test_float_examples(value: float | complex, expected: str) -> None:
    assert sprint(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (timedelta(0), "0s"),
        (timedelta(microseconds=1), "1µs"),
        (timedelta(microseconds=1500), "1.5ms"),
        (timedelta(seconds=1.5), "1.5s"),
        (timedelta(minutes=90), "1h30m0s"),
        (timedelta(hours=49, seconds=0.25), "49h0m0.25s"),
        (timedelta(seconds=-61), "-1m1s"),
    ],
)
def test_durations(value: timedelta, expected: str) -> None:
    assert duration(value) == expected
    assert sprint(value) == expected


def test_time_string() -> None:
    cet = timezone(timedelta(hours=1), "CET")
    assert go_time(datetime(2024, 6, 1, 8, tzinfo=cet)) == "2024-06-01 08:00:00 +0100 CET"
    unnamed = timezone(timedelta(hours=-7))
    when = datetime(2025, 7, 14, 3, 4, 5, 987654, tzinfo=unnamed)
    assert go_time(when) == "2025-07-14 03:04:05.987654 -0700 -0700"
    assert go_time(datetime(2023, 12, 31, 23, 59, 59, 500000, tzinfo=UTC)) == (
        "2023-12-31 23:59:59.5 +0000 UTC"
    )


@dataclasses.dataclass
class Person:
    name: str
    age: int
    tags: list[str] = dataclasses.field(default_factory=list)


class Point(NamedTuple):
    x: int
    y: float


class Color(enum.Enum):
    GREEN = 2

    def __str__(self) -> str:
        return "green"


def test_composites() -> None:
    assert sprint({"b": 2, "a": "x y"}) == "map[a:x y b:2]"
    assert sprint({}) == "map[]"
    assert sprint({2: "b", 1: None}) == "map[1:<nil> 2:b]"
    assert sprint([1, "a b", None, True]) == "[1 a b <nil> true]"
    assert sprint((1.5, -0.0)) == "[1.5 -0]"
    assert sprint({3, 1, 2}) == "[1 2 3]"
    assert sprint(b"hi") == "[104 105]"
    assert sprint(Person("bob", 42)) == "{bob 42 []}"
    assert sprint(Person("bob", 42, ["x"]), plus=True) == "{name:bob age:42 tags:[x]}"
    assert sprint(Point(1, 2.5)) == "{1 2.5}"
    assert sprint({"p": Point(1, 2.0)}, plus=True) == "map[p:{x:1 y:2}]"
    assert sprint(ValueError("disk full")) == "disk full"
    assert sprint({"err": ValueError("inner")}) == "map[err:inner]"
    assert sprint(Color.GREEN) == "green"
    assert sprint(Decimal("1.50")) == "1.50"


def test_mixed_key_types_still_render() -> None:
    assert sprint({1: "int", "a": "str"}) == "map[1:int a:str]"


def test_a_cycle_renders_instead_of_recursing() -> None:
    items: list[object] = [1]
    items.append(items)
    assert sprint(items) == "[1 ...]"
    mapping: dict[str, object] = {}
    mapping["self"] = mapping
    assert sprint(mapping) == "map[self:...]"


class Broken:
    def __str__(self) -> str:
        raise RuntimeError("no text today")


class BrokenError(Exception):
    def __str__(self) -> str:
        raise KeyError("nope")


def test_a_raising_str_renders_gos_panic_marker() -> None:
    assert sprint(Broken()) == "%!v(PANIC=String method: no text today)"
    assert sprint([Broken()]) == "[%!v(PANIC=String method: no text today)]"
    assert sprint(BrokenError()) == "%!v(PANIC=Error method: 'nope')"


@given(log_text)
def test_quote_round_trips_through_go_unquote(text: str) -> None:
    assert go_unquote(quote(text)) == text


@given(log_text)
def test_quote_writes_printable_characters_only(text: str) -> None:
    quoted = quote(text)
    assert quoted.isprintable()
    # Raw exactly when Go leaves the text alone: printable, no quote, no backslash.
    plain = text.isprintable() and '"' not in text and "\\" not in text
    assert (quoted == f'"{text}"') == plain


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("日本語😀é", '"日本語😀é"'),
        ("\x00\x01\x1b[31m", '"\\x00\\x01\\x1b[31m"'),
        ("a\u200bb\u00a0\u2028", '"a\\u200bb\\u00a0\\u2028"'),
        ("\a\b\f\n\r\t\v\x7f", '"\\a\\b\\f\\n\\r\\t\\v\\x7f"'),
        ("\U000e0001", '"\\U000e0001"'),
        ("bad\udcff", '"bad\\xff"'),  # a surrogate-escaped byte is the raw byte it stands for
    ],
)
def test_quote_examples(text: str, expected: str) -> None:
    assert quote(text) == expected


@given(st.integers())
def test_ints_are_decimal(n: int) -> None:
    assert sprint(n) == str(n)
