"""Timestamps and elapsed stamps in the kernels: RFC3339 shapes read here, the rest deferred.

``ts_fast`` reads ``YYYY-MM-DD[T ]HH:MM:SS[.,frac]`` with no zone, ``Z`` or ``±hh:mm`` -
what logs carry almost always - exactly as ``_time.parse_ts`` reads it. Any other text
that could be a timestamp in one of ``_time.LAYOUTS`` is ``TS_PENDING``: the batch path
parses those afterwards with the full layout set (``_vtime.parse_ts_array``).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from logpipe.parsers._kbytes import DATE_CLOCK, DIGIT, N, byte_class, digits, shape
from logpipe.parsers._klayout import TS_NONE, TS_OK, TS_PENDING
from logpipe.parsers._nb import jit
from logpipe.parsers._time import MAX_US, MIN_US

#: First bytes a timestamp text can have (a digit, or a day or month name).
_FIRST: Final = byte_class(b"0123456789MTWFSJAOND")
_MDAYS: Final = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)
_TEN: Final = np.array([100000, 10000, 1000, 100, 10, 1], np.int64)
_INVALID: Final = MIN_US - 1


@jit
def _two(d: np.ndarray, p: int) -> int:
    return (int(d[p]) - 48) * 10 + int(d[p + 1]) - 48


@jit
def epoch_us(date: tuple[int, int, int], clock: tuple[int, int, int, int], offset: int) -> int:
    """UTC microseconds of a local date and clock ``offset`` seconds east of UTC; below
    ``MIN_US`` when ``_time._from_parts`` finds no instant (the range check aside)."""
    year, month, day = date
    hour, minute, sec, micros = clock
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if year < 1 or month < 1 or month > 12 or day < 1 or hour > 23 or minute > 59 or sec > 59:
        return _INVALID
    if day > _MDAYS[month - 1] + (1 if month == 2 and leap else 0):
        return _INVALID
    y = year - 1 if month <= 2 else year  # days from civil (H. Hinnant's algorithm)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    secs = days * 86400 + hour * 3600 + minute * 60 + sec - offset
    return secs * 1_000_000 + micros


@jit
def ts_fast(d: np.ndarray, p: int, e: int) -> tuple[int, int]:
    """(state, UTC microseconds) of the timestamp text ``d[p:e]`` (``_time.parse_ts``)."""
    if p >= e or not _FIRST[d[p]]:
        return TS_NONE, 0
    q = shape(d, p, e, DATE_CLOCK)
    if q < 0 or not (d[p + 10] == 84 or d[p + 10] == 32):
        return TS_PENDING, 0
    micros = N[0]
    if q < e and (d[q] == 46 or d[q] == 44):
        r = digits(d, q + 1, e)
        if r - q - 1 < 1 or r - q - 1 > 9:
            return TS_PENDING, 0
        for k in range(min(6, r - q - 1)):
            micros += (int(d[q + 1 + k]) - 48) * _TEN[k]
        q = r
    offset = 0
    if q < e and not (e - q == 1 and d[q] == 90):  # zone: none, Z, or +hh:mm / -hh:mm
        if e - q != 6 or not (d[q] == 43 or d[q] == 45) or d[q + 3] != 58:
            return TS_PENDING, 0
        if not (DIGIT[d[q + 1]] and DIGIT[d[q + 2]] and DIGIT[d[q + 4]] and DIGIT[d[q + 5]]):
            return TS_PENDING, 0
        hours, minutes = _two(d, q + 1), _two(d, q + 4)
        if hours > 23 or minutes > 59:
            return TS_NONE, 0
        offset = (-1 if d[q] == 45 else 1) * (hours * 3600 + minutes * 60)
    year = _two(d, p) * 100 + _two(d, p + 2)
    date = (year, _two(d, p + 5), _two(d, p + 8))
    us = epoch_us(date, (_two(d, p + 11), _two(d, p + 14), _two(d, p + 17), micros), offset)
    if us < MIN_US or us > MAX_US:
        return TS_NONE, 0
    return TS_OK, us


@jit
def elapsed(d: np.ndarray, p: int, e: int) -> tuple[bool, int]:
    """The seconds of an elapsed stamp ``-?[0-9]{1,10}`` (``_time.parse_elapsed``)."""
    q = p + 1 if p < e and d[p] == 45 else p
    if e - q < 1 or e - q > 10 or digits(d, q, e) != e:
        return False, 0
    value = 0
    for k in range(q, e):
        value = value * 10 + int(d[k]) - 48
    return True, -value if q > p else value
