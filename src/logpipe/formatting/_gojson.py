"""Python values as Go's ``encoding/json`` (1.19) encodes their Go counterparts.

Map keys sorted by byte value at every level, structs (dataclasses, named tuples)
in field order, Go's string escaping (``\\u0008`` not ``\\b``, ``\\u2028``, HTML
escaping of ``< > &`` unless disabled), Go's float layout, datetimes as RFC 3339
with nanoseconds, timedeltas as integer nanoseconds, bytes as base64, exceptions
nested in containers as ``{}``. NaN, infinities, complex numbers and cycles are
errors, as in Go (``json: unsupported value: NaN``).
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from logpipe.errors import FormatError
from logpipe.formatting._gofmt import call_str, exp_form, fixed_form, float_digits, sprint
from logpipe.formatting._golayout import RFC3339_NANO, compile_layout

__all__ = ["Encoder", "json_float"]

_rfc3339_nano = compile_layout(RFC3339_NANO)
_HTML_UNSAFE = re.compile('[\x00-\x1f"\\\\<>&\u2028\u2029\ud800-\udfff]')
_UNSAFE = re.compile('[\x00-\x1f"\\\\\u2028\u2029\ud800-\udfff]')
_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _SHORT:
        return _SHORT[ch]
    if "\ud800" <= ch <= "\udfff":
        return "\\ufffd"  # Go replaces invalid UTF-8 (a lone surrogate here)
    return f"\\u{ord(ch):04x}"


def json_float(x: float) -> str:
    """Go ``encoding/json`` float64: plain decimal unless ``|x| < 1e-6`` or ``>= 1e21``."""
    if math.isnan(x) or math.isinf(x):
        raise FormatError(f"json: unsupported value: {sprint(x)}")
    sign = "-" if math.copysign(1.0, x) < 0 else ""
    digits, point = float_digits(x)
    if digits and not 1e-6 <= abs(x) < 1e21:
        text = exp_form(digits, point, sign)
        # Go trims the exponent's leading zero: 1e-07 -> 1e-7 (positive ones are >= 21).
        return re.sub(r"e-0(\d)$", r"e-\1", text)
    return fixed_form(digits, point, sign)


class Encoder:
    """A Go ``json.Encoder`` with ``SetEscapeHTML`` and optional ``SetIndent("", "  ")``."""

    def __init__(self, escape_html: bool = True, indent: bool = False) -> None:
        pattern = _HTML_UNSAFE if escape_html else _UNSAFE
        self._search = pattern.search
        self._sub: Callable[[re.Match[str]], str] = _escape
        self._pattern = pattern
        self._indent = indent

    def string(self, text: str) -> str:
        if self._search(text) is None:
            return f'"{text}"'
        return '"' + self._pattern.sub(self._sub, text) + '"'

    def encode(self, value: Any) -> str:
        """The JSON text of ``value`` (``Encoder.Encode`` then writes a newline)."""
        return self._value(value, 0, set(), top=True)

    def _value(self, value: Any, depth: int, seen: set[int], top: bool = False) -> str:
        kind = type(value)
        if kind is str:
            return self.string(value)
        if value is None:
            return "null"
        if kind is bool:
            return "true" if value else "false"
        if isinstance(value, int):
            return int.__repr__(int(value))  # IntEnum too: its number, as Go's named ints
        if isinstance(value, float):
            return json_float(float(value))
        if isinstance(value, str):
            return self.string(str.__str__(value))
        return self._other(value, depth, seen, top)

    def _other(self, value: Any, depth: int, seen: set[int], top: bool) -> str:
        if isinstance(value, BaseException):
            # logrus converts top-level errors to Error(); nested ones encode as Go's
            # errorString struct, which has no exported fields.
            return self.string(call_str(value, "Error")) if top else "{}"
        if isinstance(value, datetime):
            if value.utcoffset() is None:
                value = value.astimezone()
            return self.string(_rfc3339_nano(value))
        if isinstance(value, timedelta):
            return str((value // timedelta(microseconds=1)) * 1000)
        if isinstance(value, bytes | bytearray | memoryview):
            return self.string(base64.b64encode(bytes(value)).decode("ascii"))
        if isinstance(value, enum.Enum):
            return self._value(value.value, depth, seen)
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise FormatError(f"json: unsupported value: {value}")
            return str(value)
        if isinstance(value, complex):
            raise FormatError("json: unsupported type: complex128")
        return self._container(value, depth, seen)

    def _container(self, value: Any, depth: int, seen: set[int]) -> str:
        pairs: list[tuple[str, Any]] | None = None
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            pairs = [(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)]
        elif isinstance(value, tuple) and hasattr(value, "_fields"):
            pairs = list(zip(value._fields, value, strict=True))
        elif isinstance(value, Mapping):
            pairs = sorted(((sprint(k), v) for k, v in value.items()), key=_first)
        elif not isinstance(value, list | tuple | set | frozenset):
            return self.string(call_str(value))  # like a Go TextMarshaler: its text
        if id(value) in seen:
            raise FormatError(f"json: unsupported value: encountered a cycle via {kind_of(value)}")
        seen.add(id(value))
        try:
            if pairs is None:
                items = sorted(value, key=sprint) if isinstance(value, set | frozenset) else value
                parts = [self._value(v, depth + 1, seen) for v in items]
                return self._wrap("[", parts, "]", depth)
            parts = [
                f"{self.string(k)}:{self._space}{self._value(v, depth + 1, seen)}" for k, v in pairs
            ]
            return self._wrap("{", parts, "}", depth)
        finally:
            seen.discard(id(value))

    @property
    def _space(self) -> str:
        return " " if self._indent else ""

    def _wrap(self, open_: str, parts: list[str], close: str, depth: int) -> str:
        if not parts:
            return open_ + close
        if not self._indent:
            return open_ + ",".join(parts) + close
        inner = "\n" + "  " * (depth + 1)
        return open_ + inner + ("," + inner).join(parts) + "\n" + "  " * depth + close


def _first(pair: tuple[str, Any]) -> str:
    return pair[0]


def kind_of(value: object) -> str:
    """A Go-ish type name for error messages."""
    if isinstance(value, Mapping):
        return "map[string]interface {}"
    if isinstance(value, list | tuple | set | frozenset):
        return "[]interface {}"
    return type(value).__name__
