"""Go ``encoding/json`` of Python values: escaping, floats, types, errors."""

from __future__ import annotations

import dataclasses
import enum
import json
import math
from datetime import timedelta
from decimal import Decimal
from typing import Any, NamedTuple

import pytest
from hypothesis import given

from logpipe.errors import FormatError
from logpipe.formatting._gojson import Encoder, json_float
from tests.strategies import finite_floats, json_values, log_text


@given(finite_floats)
def test_float_reads_back_and_follows_gos_layout(x: float) -> None:
    text = json_float(x)
    assert float(text) == x
    assert math.copysign(1, float(text)) == math.copysign(1, x)
    exponent_form = x != 0 and not 1e-6 <= abs(x) < 1e21
    assert ("e" in text) == exponent_form
    assert "e-0" not in text
    assert "e+0" not in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1e20, "100000000000000000000"), (1e21, "1e+21"), (1e-7, "1e-7"), (1e-5, "0.00001")],
)
def test_float_examples(value: float, expected: str) -> None:
    assert json_float(value) == expected


def same(decoded: Any, value: Any) -> bool:
    """Equal, reading a float that Go wrote without a fraction (1e20 as 100...0) as a float."""
    if isinstance(value, float):
        return float(decoded) == value
    if isinstance(value, list):
        return len(decoded) == len(value) and all(map(same, decoded, value))
    if isinstance(value, dict):
        return decoded.keys() == value.keys() and all(same(decoded[k], value[k]) for k in value)
    return bool(decoded == value and type(decoded) is type(value))


@given(json_values)
def test_json_reads_back_as_the_same_value(value: Any) -> None:
    for encoder in (Encoder(), Encoder(escape_html=False), Encoder(indent=True)):
        assert same(json.loads(encoder.encode(value)), value)


@given(log_text)
def test_strings_are_escaped_as_go_does(text: str) -> None:
    encoded = Encoder().encode(text)
    assert not any(ch in encoded for ch in "<>&\u2028\u2029")
    assert all(ord(ch) >= 0x20 for ch in encoded)
    assert "\\b" not in encoded.replace("\\\\", "")
    assert "\\f" not in encoded.replace("\\\\", "")
    assert json.loads(encoded) == text
    raw = Encoder(escape_html=False).encode(text)
    assert json.loads(raw) == text
    assert "\\u003c" not in raw.replace("\\\\", "")


def test_escape_examples() -> None:
    assert Encoder().encode("\x00\b\f\n\r\t\x7f") == '"\\u0000\\u0008\\u000c\\n\\r\\t\x7f"'
    assert Encoder().encode('<a href="x">&') == '"\\u003ca href=\\"x\\"\\u003e\\u0026"'
    assert Encoder(escape_html=False).encode("<&>") == '"<&>"'
    assert Encoder().encode("lone \udc80") == '"lone \\ufffd"'


@dataclasses.dataclass
class Person:
    Name: str
    Age: int


class Pair(NamedTuple):
    b: int
    a: int


class Color(enum.IntEnum):
    GREEN = 2


class Mode(enum.Enum):
    FAST = "fast"


def test_types() -> None:
    encode = Encoder().encode
    assert encode({"b": 1, "a": [1, 2], "c": {}}) == '{"a":[1,2],"b":1,"c":{}}'
    assert encode(Person("bob", 42)) == '{"Name":"bob","Age":42}'  # field order kept
    assert encode(Pair(1, 2)) == '{"b":1,"a":2}'
    assert encode(b"hi") == '"aGk="'
    assert encode(timedelta(seconds=1.5)) == "1500000000"
    assert encode(Color.GREEN) == "2"
    assert encode(Mode.FAST) == '"fast"'
    assert encode(Decimal("1.50")) == "1.50"
    assert encode({1: "x", 2: "y"}) == '{"1":"x","2":"y"}'
    assert encode({"e": ValueError("inner")}) == '{"e":{}}'  # nested errors: Go's {}
    assert encode(ValueError("top")) == '"top"'
    assert encode(2**64 - 1) == "18446744073709551615"
    assert encode({3, 1}) == "[1,3]"


def test_pretty_print() -> None:
    encoded = Encoder(indent=True).encode({"a": [1, {"b": None}], "e": [], "m": {}})
    assert (
        encoded
        == '{\n  "a": [\n    1,\n    {\n      "b": null\n    }\n  ],\n  "e": [],\n  "m": {}\n}'
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (float("nan"), "json: unsupported value: NaN"),
        ({"x": [float("-inf")]}, "json: unsupported value: -Inf"),
        (1j, "json: unsupported type: complex128"),
        (Decimal("NaN"), "json: unsupported value: NaN"),
    ],
)
def test_what_go_cannot_encode_is_an_error(value: object, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        Encoder().encode(value)


def test_a_cycle_is_an_error() -> None:
    loop: dict[str, object] = {}
    loop["me"] = loop
    with pytest.raises(FormatError, match="encountered a cycle"):
        Encoder().encode(loop)
