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

MIN_US: Final = -62135596800 * 1_000_000  # 0001-01-01T00:00:00Z
MAX_US: Final = 253402300800 * 1_000_000 - 1  # 9999-12-31T23:59:59.999999Z
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
    return _EPOCH + timedelta(microseconds=us) if MIN_US <= us <= MAX_US else None
