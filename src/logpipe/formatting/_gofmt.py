"""Python values as Go's ``fmt`` prints their Go counterparts: ``%v``, ``%+v`` and ``%q``.

The mapping (golden README): str as is, None ``<nil>``, bool ``true``, floats by
Go's shortest-``g`` rule, exceptions by message, datetimes as ``time.Time``,
timedeltas as ``time.Duration``, mappings ``map[k:v]``, dataclasses and named
tuples ``{v1 v2}`` (``%+v``: ``{A:v1 B:v2}``), bytes ``[104 105]``, sequences
``[a b]``; anything else by ``str()`` (a Go ``Stringer``). A ``__str__`` that
raises renders Go's ``%!v(PANIC=String method: ...)`` marker instead.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from logpipe.formatting._golayout import GO_TIME_STRING, compile_layout

__all__ = [
    "GO_SPACE",
    "call_str",
    "duration",
    "exp_form",
    "fixed_form",
    "float_digits",
    "format_float",
    "go_time",
    "quotable_as_is",
    "quote",
    "sprint",
]

#: what Go's ``unicode.IsSpace`` accepts (Python's ``str.strip()`` also strips \x1c-\x1f).
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

_go_time_layout = compile_layout(GO_TIME_STRING)
# A float subclass that keeps float's __str__ prints as a float; one that overrides
# it is a Go named type with a String() method.
_PLAIN_FLOAT_STR: tuple[object, ...] = (float.__str__, float.__repr__)


def go_time(value: datetime) -> str:
    """``time.Time.String()``: ``2006-01-02 15:04:05.999999999 -0700 MST``."""
    if value.utcoffset() is None:
        value = value.astimezone()  # a naive datetime is local time, as in Python
    return _go_time_layout(value)


def float_digits(x: float) -> tuple[str, int]:
    """Shortest round-trip digits of finite ``|x|`` and the decimal point position.

    ``x == 0.<digits> * 10**point``; both Python's ``repr`` and Go's ``strconv``
    produce the shortest digit string that reads back as the same float.
    """
    mantissa, _, exp = repr(abs(x)).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = whole + frac
    point = len(whole) + (int(exp) if exp else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    return stripped.rstrip("0"), point


def exp_form(digits: str, point: int, sign: str) -> str:
    """Go ``%e`` with the shortest digits: ``1.5e+06``, ``1e-05`` (2+ exponent digits)."""
    exponent = point - 1
    head = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{head}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"


def fixed_form(digits: str, point: int, sign: str) -> str:
    """Go ``%f`` with the shortest digits: ``100000``, ``0.0001``, ``-2.25``."""
    if not digits:
        return sign + "0"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def format_float(x: float) -> str:
    """Go ``%v`` of a float64: ``strconv.FormatFloat(x, 'g', -1, 64)``."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, x) < 0 else ""
    digits, point = float_digits(x)
    if digits and not -4 <= point - 1 < 6:  # %e when the exponent is < -4 or >= 6
        return exp_form(digits, point, sign)
    return fixed_form(digits, point, sign)


def _frac(value: int, precision: int) -> tuple[str, int]:
    """Go's ``fmtFrac``: ``.digits`` of ``value / 10**precision`` without trailing zeros."""
    whole, rest = divmod(value, 10**precision)
    text = f"{rest:0{precision}d}".rstrip("0") if precision else ""
    return ("." + text if text else ""), whole


def duration(value: timedelta) -> str:
    """``time.Duration.String()``: ``1.5s``, ``1h30m0s``, ``250ms``, ``0s``."""
    ns = (value // timedelta(microseconds=1)) * 1000
    sign, ns = ("-" if ns < 0 else ""), abs(ns)
    if ns == 0:
        return "0s"
    if ns < 1_000_000_000:
        if ns < 1000:
            return f"{sign}{ns}ns"
        unit, precision = ("µs", 3) if ns < 1_000_000 else ("ms", 6)
        frac, whole = _frac(ns, precision)
        return f"{sign}{whole}{frac}{unit}"
    frac, seconds = _frac(ns, 9)
    out = f"{seconds % 60}{frac}s"
    minutes = seconds // 60
    if minutes:
        out = f"{minutes % 60}m{out}"
        if minutes // 60:
            out = f"{minutes // 60}h{out}"
    return sign + out


def _panic_text(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # the exception's own __str__ fails too: fall back to its type
        return type(exc).__name__


def call_str(value: object, method: str = "String") -> str:
    """``str(value)``, or Go's panic marker when ``__str__`` raises (fmt recovers too)."""
    try:
        return str(value)
    except Exception as exc:  # a user __str__ must never break logging
        return f"%!v(PANIC={method} method: {_panic_text(exc)})"


def _sorted_keys(keys: list[Any]) -> list[Any]:
    # Go's fmt prints map keys sorted; mixed key types sort by type, then value.
    try:
        return sorted(keys)
    except TypeError:
        return sorted(keys, key=lambda k: (type(k).__name__, sprint(k)))


def _struct(value: Any, names: tuple[str, ...], plus: bool, seen: set[int]) -> str:
    parts = [sprint(getattr(value, name), plus, seen) for name in names]
    if plus:
        parts = [f"{name}:{part}" for name, part in zip(names, parts, strict=True)]
    return "{" + " ".join(parts) + "}"


def _complex(value: complex) -> str:
    imag = format_float(value.imag)
    if imag[0] not in "+-":
        imag = "+" + imag
    return f"({format_float(value.real)}{imag}i)"


def sprint(value: Any, plus: bool = False, seen: set[int] | None = None) -> str:
    """Go ``%v`` (``%+v`` with ``plus``) of a Python value."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is int:
        return call_str(value)
    if kind is float:
        return format_float(value)
    if value is None:
        return "<nil>"
    if kind is bool:
        return "true" if value else "false"
    if isinstance(value, BaseException):
        return call_str(value, "Error")
    if isinstance(value, float) and getattr(kind, "__str__", None) in _PLAIN_FLOAT_STR:
        return format_float(value)
    if isinstance(value, str | int | float):
        return call_str(value)
    if isinstance(value, datetime):
        return go_time(value)
    if isinstance(value, timedelta):
        return duration(value)
    if isinstance(value, complex):
        return _complex(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "[" + " ".join(map(str, bytes(value))) + "]"
    return _composite(value, plus, set() if seen is None else seen)


def _composite(value: Any, plus: bool, seen: set[int]) -> str:
    """Containers, structs and Stringers; a container met again inside itself prints ``...``."""
    names: tuple[str, ...] | None = None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = tuple(f.name for f in dataclasses.fields(value))
    elif isinstance(value, tuple) and hasattr(value, "_fields"):
        names = tuple(value._fields)
    elif not isinstance(value, Mapping | list | tuple | set | frozenset):
        return call_str(value)
    if id(value) in seen:
        return "..."
    seen.add(id(value))
    try:
        if names is not None:
            return _struct(value, names, plus, seen)
        if isinstance(value, Mapping):
            items = [(k, value[k]) for k in _sorted_keys(list(value))]
            body = " ".join(f"{sprint(k, plus, seen)}:{sprint(v, plus, seen)}" for k, v in items)
            return f"map[{body}]"
        elements = _sorted_keys(list(value)) if isinstance(value, set | frozenset) else value
        return "[" + " ".join(sprint(v, plus, seen) for v in elements) + "]"
    finally:
        seen.discard(id(value))


_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    '"': '\\"',
    "\\": "\\\\",
}


def _escape_char(ch: str) -> str:
    code = ord(ch)
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if ch.isprintable():
        return ch
    if code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # a surrogate-escaped byte: Go's invalid UTF-8
    if 0xD800 <= code <= 0xDFFF:
        return "".join(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogatepass"))
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def quotable_as_is(text: str) -> bool:
    """Whether Go's ``%q`` of ``text`` is just ``text`` between double quotes."""
    return '"' not in text and "\\" not in text and text.isprintable()


def quote(text: str) -> str:
    """Go ``%q`` (``strconv.Quote``) of a string."""
    if '"' not in text and "\\" not in text and text.isprintable():
        return f'"{text}"'
    return '"' + "".join(map(_escape_char, text)) + '"'
