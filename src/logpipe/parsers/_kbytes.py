"""Byte-level matching helpers shared by the kernels: classes, literals, digits, timestamps.

Every helper looks at ``d[p:e]`` (``d`` the batch's uint8 data, ``e`` the end of the text)
and returns a position (the end of what matched, or -1) or a flag; none reads past ``e``.
Conventions of all kernel modules (compile time is about 0.1-0.3 s per jitted function
and argument-type combination, paid once per install): positions are int64 (the Arrow
offsets and span tables are widened before a kernel reads them), a constant passed to
a kernel is ``N[k]`` (numba would compile the kernel once more for a literal argument),
byte classes are table lookups.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from logpipe.parsers._klayout import TS_NONE, TS_OK, TS_PENDING
from logpipe.parsers._nb import jit
from logpipe.parsers._time import MAX_US, MIN_US


def byte_class(chars: bytes) -> np.ndarray:
    """A 256-entry table: which bytes are in ``chars``."""
    table = np.zeros(256, np.bool_)
    table[list(chars)] = True
    return table


def lit(text: str) -> np.ndarray:
    """A literal for ``starts`` (numba freezes module-level arrays into the code)."""
    return np.frombuffer(text.encode(), np.uint8)


#: ``N[k]`` is ``k`` as an int64 value rather than a literal (see above).
N: Final = np.arange(256, dtype=np.int64)
DIGIT: Final = byte_class(b"0123456789")
ALPHA: Final = byte_class(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
ALNUM: Final = DIGIT | ALPHA

ANY: Final = -2
DIG: Final = -1


def shape_of(text: str) -> np.ndarray:
    """A pattern for ``shape``: ``9`` any digit, ``?`` any byte, other bytes themselves."""
    return np.array([DIG if c == "9" else ANY if c == "?" else ord(c) for c in text], np.int64)


#: ``YYYY-MM-DD?HH:MM:SS`` (any byte at ``?``: users check the separator).
DATE_CLOCK: Final = shape_of("9999-99-99?99:99:99")
_MPI: Final = shape_of("??? ??? ?9 99:99:99 9999")
_DAYS: Final = np.frombuffer(b"MonTueWedThuFriSatSun", np.uint8).reshape(7, 3)
_MONTHS: Final = np.frombuffer(b"JanFebMarAprMayJunJulAugSepOctNovDec", np.uint8).reshape(12, 3)


@jit
def starts(d: np.ndarray, p: int, e: int, what: np.ndarray) -> bool:
    """Does ``d[p:e]`` start with the bytes ``what``."""
    if e - p < what.shape[0]:
        return False
    for k in range(what.shape[0]):
        if d[p + k] != what[k]:
            return False
    return True


@jit
def run(d: np.ndarray, p: int, e: int, cls: np.ndarray) -> int:
    """End of the run of bytes in ``cls`` (a ``byte_class``) starting at ``p`` (``p`` when
    there is none)."""
    if p < 0:  # tells LLVM indices are >= 0: no negative-index wraparound in the loops
        return p
    while p < e and cls[d[p]]:
        p += 1
    return p


@jit
def digits(d: np.ndarray, p: int, e: int) -> int:
    """End of the run of ASCII digits starting at ``p`` (``p`` when there is none)."""
    return run(d, p, e, DIGIT)


@jit
def shape(d: np.ndarray, p: int, e: int, pattern: np.ndarray) -> int:
    """End of ``pattern`` (see ``shape_of``) matched at ``p``, or -1."""
    size: int = pattern.shape[0]
    if e - p < size:
        return -1
    for k in range(size):
        want = pattern[k]
        c = d[p + k]
        if (want == DIG and not DIGIT[c]) or (want >= 0 and c != want):
            return -1
    return p + size


@jit
def iso(d: np.ndarray, p: int, e: int) -> int:
    """End of ``YYYY-MM-DDTHH:MM:SS[.digits](Z|+hh:mm|-hh:mm)`` at ``p``, or -1."""
    q = shape(d, p, e, DATE_CLOCK)
    if q < 0 or d[p + 10] != 84:
        return -1
    if q < e and d[q] == 46:
        r = digits(d, q + 1, e)
        if r == q + 1:
            return -1
        q = r
    if q < e and d[q] == 90:
        return q + 1
    offset = e - q >= 6 and d[q] in (43, 45) and d[q + 3] == 58
    offset = offset and DIGIT[d[q + 1]] and DIGIT[d[q + 2]] and DIGIT[d[q + 4]]
    return q + 6 if offset and DIGIT[d[q + 5]] else -1


@jit
def mpi_date(d: np.ndarray, p: int, e: int) -> int:
    """End of ``Mon Jan _2 15:04:05 2006`` (OpenMPI ``--timestamp-output``) at ``p``, or -1."""
    q = shape(d, p, e, _MPI)
    if q < 0 or not (d[p + 8] == 32 or DIGIT[d[p + 8]]):
        return -1
    day = month = False
    for k in range(12):
        if k < 7 and d[p] == _DAYS[k, 0] and d[p + 1] == _DAYS[k, 1] and d[p + 2] == _DAYS[k, 2]:
            day = True
        a, b, c = d[p + 4], d[p + 5], d[p + 6]
        if a == _MONTHS[k, 0] and b == _MONTHS[k, 1] and c == _MONTHS[k, 2]:
            month = True
    return q if day and month else -1


@jit
def char_offset(d: np.ndarray, p: int, e: int, count: int) -> int:
    """Position of the code point of index ``count`` after ``p`` (``e`` if the text has
    no more; the text is valid UTF-8, so code points start at non-continuation bytes)."""
    if p < 0:  # tells LLVM indices are >= 0: no negative-index wraparound in the loops
        return e
    if e - p > count:  # ASCII: one byte a code point (checked branch-free over a view)
        head = d[p : p + count + 1]
        ascii = True
        for k in range(count + 1):
            ascii &= head[k] < 0x80
        if ascii:
            return p + count
    seen = 0
    k = p
    while k < e:
        if d[k] & 0xC0 != 0x80:
            if seen == count:
                return k
            seen += 1
        k += 1
    return e


# --- Timestamps: RFC3339 shapes read here (exactly as ``_time.parse_ts`` reads them), every
# other text that may be a timestamp in one of ``_time.LAYOUTS`` is ``TS_PENDING``: parsed
# afterwards with the full layout set (``_vtime.parse_ts_array``).

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
