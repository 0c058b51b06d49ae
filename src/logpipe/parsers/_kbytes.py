"""Byte-level matching helpers shared by the kernels: classes, literals, digit runs, dates.

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

from logpipe.parsers._nb import jit


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
def digits(d: np.ndarray, p: int, e: int) -> int:
    """End of the run of ASCII digits starting at ``p`` (``p`` when there is none)."""
    if p < 0:  # tells LLVM indices are >= 0: no negative-index wraparound in the loops
        return p
    while p < e and DIGIT[d[p]]:
        p += 1
    return p


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
