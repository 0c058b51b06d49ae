"""The line splitting kernels: find the newlines of a byte buffer and lay its lines out as Arrow.

Two passes over the bytes instead of the half dozen whole-buffer numpy and pyarrow
passes they replace: ``survey`` counts the lines (so every output is allocated at its
size) and sees whether any byte is non-ASCII (only then is UTF-8 validated);
``lay_out`` writes each line's offsets and copies its text, without the terminator and
cut if too long, to the values buffer of the string array.

Newlines are found eight bytes at a time (SWAR: one 64-bit word holds eight bytes);
lines are about a hundred bytes, so nearly every word has none. The words are read
through a ``uint64`` view that starts at the first 8-aligned address of the bytes
(``a0`` bytes in): numba assumes its arrays aligned, and the buffers come from anywhere.
Byte ``j`` of a word is its bits ``8j`` to ``8j+7``: little-endian, as is every platform
numba supports (x86-64, AArch64, ppc64le).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, cast

import numpy as np
from numba.cpython.unsafe.numbers import trailing_zeros

from logpipe.parsers._nb import jit

_LOW7: Final = np.uint64(0x7F7F7F7F7F7F7F7F)
_NLS: Final = np.uint64(0x0A0A0A0A0A0A0A0A)
_ONES: Final = np.uint64(0x0101010101010101)
_HIGH: Final = np.uint64(0x8080808080808080)
_FULL: Final = np.uint64(0xFFFFFFFFFFFFFFFF)
#: Count of trailing zero bits (an LLVM intrinsic; typed here for mypy).
_ctz = cast("Callable[[np.uint64], np.uint64]", trailing_zeros)
_U: Final = np.arange(64, dtype=np.uint64)  # ``_U[k]``: ``k`` typed uint64 (no float mixing)


@jit
def _nl_bits(x: np.uint64) -> np.uint64:
    """The high bit of every byte of ``x`` that is ``\\n`` (exact: no false positives)."""
    y = x ^ _NLS
    return ~(((y & _LOW7) + _LOW7) | y | _LOW7)


@jit
def survey(d: np.ndarray, w: np.ndarray, a0: int, lo: int, hi: int) -> tuple[int, bool]:
    """(newlines in ``d[lo:hi]``, whether a byte there is not ASCII)."""
    n = 0
    high = np.uint64(0)
    i = lo
    while i < hi and (i < a0 or ((i - a0) & 7) != 0):
        n += d[i] == 10
        high |= d[i]
        i += 1
    k = (i - a0) >> 3
    kend = min(w.shape[0], (hi - a0) >> 3)  # words wholly before ``hi``
    while 0 <= k < kend:  # (see ``next_nl``)
        x = w[k]
        high |= x
        # The high bits summed into the top byte: a count of at most 8.
        n += int(((_nl_bits(x) >> _U[7]) * _ONES) >> _U[56])
        k += 1
    i = max(i, a0 + 8 * kend)
    while i < hi:
        n += d[i] == 10
        high |= d[i]
        i += 1
    return n, (high & _HIGH) != 0


@jit
def next_nl(d: np.ndarray, w: np.ndarray, a0: int, i: int, hi: int) -> int:
    """The first ``\\n`` in ``d[i:hi]`` (``hi`` if there is none)."""
    while i < hi and i < a0:
        if d[i] == 10:
            return i
        i += 1
    k = (i - a0) >> 3
    nw = min(w.shape[0], (hi - a0 + 7) >> 3)  # words that start before ``hi``
    if 0 <= k < nw:  # (``k`` is never negative: the test spares each read a wraparound)
        m = _nl_bits(w[k]) & (_FULL << _U[((i - a0) & 7) * 8])  # bytes from ``i`` on
        while m == 0:
            k += 1
            if k >= nw:
                break
            m = _nl_bits(w[k])
        if m != 0:  # a "\n" at or past ``hi`` is none of ``d[i:hi]``
            return min(a0 + 8 * k + (int(_ctz(m)) >> 3), hi)
        i = a0 + 8 * k
    while i < hi:
        if d[i] == 10:
            return i
        i += 1
    return hi


@jit
def char_cut(d: np.ndarray, s: int, e: int, limit: int) -> int:
    """Where to cut ``d[s:e]`` to at most ``limit`` bytes without splitting a UTF-8
    sequence (``lines.char_cut``)."""
    cut = limit
    while cut > max(limit - 4, -1):
        if cut >= e - s or (d[s + cut] & 0xC0) != 0x80:
            return cut
        cut -= 1
    return limit


@jit
def lay_out(
    d: np.ndarray,
    w: np.ndarray,
    a0: int,
    lo: int,
    hi: int,
    base: int,
    limit: int,
    at: np.ndarray,
    starts: np.ndarray,
    nbytes: np.ndarray,
    offsets: np.ndarray,
    values: np.ndarray,
    cut: np.ndarray,
) -> None:
    """Append the lines of ``d[lo:hi]`` (which ends with ``\\n``) from row ``at[0]`` and
    value byte ``at[1]`` on (both advanced); ``base`` is the file offset of ``d[0]``."""
    k, pos = at[0], at[1]
    s = lo
    while s < hi:
        j = next_nl(d, w, a0, s, hi)
        e = j
        # One "\r" right before "\n" belongs to the terminator ("a\r\r\n" keeps "a\r").
        if e > s and d[e - 1] == 13:
            e -= 1
        n = e - s
        cut[k] = n > limit
        if n > limit:
            n = char_cut(d, s, e, limit)
        if s < 0 or pos < 0:  # never: tells LLVM the indices need no wraparound,
            return  # which makes this copy 20 times faster (vectorized)
        for t in range(n):
            values[pos + t] = d[s + t]
        pos += n
        starts[k] = base + s
        nbytes[k] = j + 1 - s
        offsets[k + 1] = pos
        k += 1
        s = j + 1
    at[0], at[1] = k, pos
