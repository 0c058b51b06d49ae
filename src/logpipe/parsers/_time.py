"""Timestamp text -> UTC microseconds, by one set of patterns shared by both engines.

Recognised layouts (Go names; ``_2`` is a space-padded day):

* ISO family: ``2006-01-02T15:04:05`` or with a space instead of ``T``, an optional
  fraction (``.`` or ``,``, 1-9 digits, truncated to microseconds) and an optional zone
  ``Z``, ``UTC``, ``GMT``, ``-07:00``, ``-0700``, ``-07`` (attached or after one space),
  optionally followed by a zone abbreviation or a repeated offset as Go's ``%v`` prints
  it (``2006-01-02 15:04:05 -0700 MST``) - RFC3339, RFC3339Nano, ``DateTime``, kubectl.
* ``Mon Jan _2 15:04:05 [MST ]2006`` (ANSIC, UnixDate, OpenMPI ``--timestamp-output``).
* ``Mon, 02 Jan 2006 15:04:05 [-0700|MST]`` and ``02-Jan-2006 ...`` (RFC1123, RFC1123Z).

A layout without a zone is taken as UTC; the only zone names understood are ``UTC``,
``GMT`` and ``Z`` (an abbreviation such as ``CET`` names no offset, so such a text gives
no timestamp). Two-digit years, 12-hour clocks and layouts without a year give none
either. Leap seconds (``:60``) are invalid, as are dates outside years 1-9999 in UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MON = "(?P<b>" + "|".join(MONTHS) + ")[a-z]*"
_DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*"
_CLOCK = r"(?P<H>[0-9]{2}):(?P<M>[0-9]{2}):(?P<S>[0-9]{2})(?:[.,](?P<f>[0-9]{1,9}))?"
_OFFSET = "(?P<zs>[+-])(?P<zh>[0-9]{2})"
_NAMED = "(?:UTC|GMT|Z)"

_ZONE = "(?:" + _NAMED + "|" + _OFFSET + r":?(?P<zm>[0-9]{2}))"
_ISO_ZONE = (
    r"(?: ?(?:" + _NAMED + "|" + _OFFSET + r"(?::?(?P<zm>[0-9]{2}))?)"
    r"(?: [A-Za-z]{1,5}| [+-][0-9]{4})?)?"
)
#: The three layout families, tried in this order; every pattern is full-match.
LAYOUTS: Final = (
    r"(?P<Y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})[T ]" + _CLOCK + _ISO_ZONE,
    f"(?:{_DAY},? )?{_MON} +(?P<d>[0-9]{{1,2}}) {_CLOCK}(?: {_ZONE})? (?P<Y>[0-9]{{4}})",
    f"(?:{_DAY}, )?(?P<d>[0-9]{{1,2}})[ -]{_MON}[ -](?P<Y>[0-9]{{4}}) {_CLOCK}(?: {_ZONE})?",
)
_PY_LAYOUTS: Final = tuple(re.compile(p, re.ASCII) for p in LAYOUTS)

#: ``[0429]`` elapsed-seconds stamps (logrus colored layout, x-cray formatted layout).
ELAPSED: Final = "-?[0-9]{1,10}"
_PY_ELAPSED: Final = re.compile(ELAPSED, re.ASCII)

_MIN_US: Final = -62135596800 * 1_000_000  # 0001-01-01T00:00:00Z
_MAX_US: Final = 253402300800 * 1_000_000 - 1  # 9999-12-31T23:59:59.999999Z
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def parse_elapsed(stamp: str) -> int | None:
    """The seconds of an elapsed stamp's inner text (``0429`` -> 429), else None."""
    return int(stamp) if _PY_ELAPSED.fullmatch(stamp) else None


def parse_ts(text: str) -> datetime | None:
    """Reference: the UTC instant a timestamp text names, or None when it names none."""
    for layout in _PY_LAYOUTS:
        m = layout.fullmatch(text)
        if m is not None:
            return _from_parts(m.groupdict())
    return None


def _from_parts(g: dict[str, str | None]) -> datetime | None:
    month = MONTHS.index(g["b"]) + 1 if g.get("b") else int(g["m"] or 0)
    frac = ((g["f"] or "")[:6]).ljust(6, "0")
    sign = -1 if g["zs"] == "-" else 1
    zh, zm = int(g["zh"] or 0), int(g["zm"] or 0)
    if zh > 23 or zm > 59:
        return None
    try:
        local = datetime(
            int(g["Y"] or 0), month, int(g["d"] or 0), int(g["H"] or 0), int(g["M"] or 0),
            int(g["S"] or 0), int(frac), tzinfo=UTC,
        )  # fmt: skip
    except ValueError:
        return None
    us = (local - _EPOCH) // timedelta(microseconds=1) - sign * (zh * 3600 + zm * 60) * 1_000_000
    return _EPOCH + timedelta(microseconds=us) if _MIN_US <= us <= _MAX_US else None


def parse_ts_array(texts: pa.StringArray) -> pa.TimestampArray:
    """Vectorized ``parse_ts``: one ``timestamp[us, UTC]`` per text (null where none)."""
    n = len(texts)
    out = np.zeros(n, np.int64)
    valid = np.zeros(n, np.bool_)
    todo = np.arange(n)
    for layout in LAYOUTS:
        if len(todo) == 0:
            break
        parts = pc.extract_regex(texts.take(pa.array(todo)), "^(?:" + layout + ")$")
        hit = parts.is_valid().to_numpy(zero_copy_only=False)
        if hit.any():
            us, ok = _micros(parts.filter(pa.array(hit)))
            rows = todo[hit]
            out[rows], valid[rows] = us, ok
        todo = todo[~hit]
    return pa.array(out, pa.timestamp("us", tz="UTC"), mask=~valid)


def _ints(parts: pa.StructArray, name: str) -> np.ndarray:
    if parts.type.get_field_index(name) < 0:
        return np.zeros(len(parts), np.int64)
    col = parts.field(name)
    text = pc.if_else(pc.equal(col, ""), "0", col)
    ints: np.ndarray = pc.cast(text, pa.int64()).to_numpy(zero_copy_only=False)
    return ints


def _micros(parts: pa.StructArray) -> tuple[np.ndarray, np.ndarray]:
    """Epoch microseconds and validity of matched layout parts (the rules of ``_from_parts``)."""
    year, day = _ints(parts, "Y"), _ints(parts, "d")
    if parts.type.get_field_index("b") >= 0:
        month = pc.index_in(parts.field("b"), pa.array(MONTHS)).to_numpy(zero_copy_only=False) + 1
    else:
        month = _ints(parts, "m")
    hour, minute, sec = _ints(parts, "H"), _ints(parts, "M"), _ints(parts, "S")
    frac = pc.utf8_rpad(pc.utf8_slice_codeunits(parts.field("f"), 0, 6), 6, "0")
    micro = pc.cast(frac, pa.int64()).to_numpy(zero_copy_only=False)
    sign = np.where(pc.equal(parts.field("zs"), "-").to_numpy(zero_copy_only=False), -1, 1)
    zh, zm = _ints(parts, "zh"), _ints(parts, "zm")
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    mdays = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 1, 12) - 1]
    mdays = mdays + ((month == 2) & leap)
    ok = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= mdays)
    ok &= (hour < 24) & (minute < 60) & (sec < 60) & (zh <= 23) & (zm <= 59)
    days = _days_from_civil(year, np.clip(month, 1, 12), day)
    secs = days * 86400 + hour * 3600 + minute * 60 + sec - sign * (zh * 3600 + zm * 60)
    us = secs * 1_000_000 + micro
    ok &= (us >= _MIN_US) & (us <= _MAX_US)
    return np.where(ok, us, 0), ok


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * (m + np.where(m > 2, -3, 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days: np.ndarray = era * 146097 + doe - 719468
    return days
