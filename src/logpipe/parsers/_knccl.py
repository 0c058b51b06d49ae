"""NCCL prefilters as a byte kernel: which lines may hold records, which may be nccl-tests.

``prefilter`` computes, in one pass per line, the literal conditions the NCCL column and
the nccl-tests mask start from (``_nccl_tables.maybe_records``: ``NCCL `` or a pre-2.3
``] [file:line ]INFO|WARN ``; ``nccl_tests._PREFILTER``: after blanks and OpenMPI tags a
``-+.#`` or digit); only the lines it keeps go through their regexes. It also finds the
token the column splits a line at (``_nccl_vector._split``). Each matcher makes the same
choices as its regex (every optional part is told apart by its next byte).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from logpipe.parsers._kbytes import ALPHA, DIGIT, byte_class, digits, lit, starts
from logpipe.parsers._nb import jit

_WS: Final = byte_class(b" \t\n\r\x0b\x0c")
_LOWER: Final = byte_class(b"abcdefghijklmnopqrstuvwxyz")
_UPPER: Final = ALPHA & ~_LOWER
_TESTS_FIRST: Final = byte_class(b"-+.#0123456789")
_NCCL: Final = lit("NCCL ")
_INFO: Final = lit("INFO ")
_WARN: Final = lit("WARN ")
#: The record levels after ``NCCL `` (with their trailing space), in ``LEVELS`` order.
LEVELS: Final = ("INFO", "WARN", "TRACE", "CALL")
_LEVEL_WORDS: Final = tuple(lit(w + " ") for w in LEVELS)
_OUT: Final = lit("<stdout>:")
_ERR: Final = lit("<stderr>:")


@jit
def _tag(d: np.ndarray, p: int, e: int) -> int:
    """End of ``nccl_tests._TAG`` (``[Mon Jan  2 15:04:05 2006][1,0]<stdout>:``) at ``p``."""
    q = p
    if e - p >= 8 and _UPPER[d[p]] and _LOWER[d[p + 1]] and _LOWER[d[p + 2]] and d[p + 3] == 32:
        q = p + 4  # a date: two capitalized words, spaces, day, clock, year
        if not (e - q >= 4 and _UPPER[d[q]] and _LOWER[d[q + 1]] and _LOWER[d[q + 2]]):
            return -1
        r = q + 3
        while r < e and d[r] == 32:
            r += 1
        s = digits(d, r, e)
        if r == q + 3 or not r < s <= r + 2 or e - s < 15 or d[s] != 32:
            return -1
        clock = s + 1
        for k in range(8):
            if (d[clock + k] != 58) if k in (2, 5) else not DIGIT[d[clock + k]]:
                return -1
        if d[clock + 8] != 32 or digits(d, clock + 9, e) != clock + 13:
            return -1
        q = clock + 13
    if q >= e or d[q] != 91:
        return -1
    r = digits(d, q + 1, e)
    if r == q + 1 or r >= e or d[r] != 44:
        return -1
    s = digits(d, r + 1, e)
    if s == r + 1 or s >= e or d[s] != 93:
        return -1
    return s + 10 if starts(d, s + 1, e, _OUT) or starts(d, s + 1, e, _ERR) else -1


@jit
def _tests_candidate(d: np.ndarray, p: int, e: int) -> bool:
    """``^(?:\\s|TAG)*[-+.#\\d]`` (``nccl_tests._PREFILTER``)."""
    while p < e:
        if _WS[d[p]]:
            p += 1
            continue
        q = _tag(d, p, e) if d[p] == 91 or _UPPER[d[p]] else -1
        if q < 0:
            first: bool = _TESTS_FIRST[d[p]]
            return first
        p = q
    return False


@jit
def _pre23_at(d: np.ndarray, k: int, e: int) -> bool:
    """``\\] (?:[^\\s:]+:\\d+ )?(?:INFO|WARN) `` at ``k``."""
    p = k + 2
    if p > e or d[k + 1] != 32:
        return False
    q = p
    while q < e and not _WS[d[q]] and d[q] != 58:
        q += 1
    r = digits(d, q + 1, e) if q > p and q < e and d[q] == 58 else q  # file:line
    if (
        r > q + 1
        and r < e
        and d[r] == 32
        and (starts(d, r + 1, e, _INFO) or starts(d, r + 1, e, _WARN))
    ):
        return True
    return starts(d, p, e, _INFO) or starts(d, p, e, _WARN)


@jit
def _marks(d: np.ndarray, k: int, e: int) -> bool:
    """Does ``d[k:e]`` (at most 32 bytes) hold an ``N`` or a ``]``.

    A branch-free loop over a view, indexed from 0: compiled to vector instructions, so
    the bytes of most blocks are not looked at one by one.
    """
    block = d[k:e]
    hit = False
    for j in range(block.shape[0]):
        hit |= (block[j] == 78) | (block[j] == 93)
    return hit


@jit
def _tokens(d: np.ndarray, s: int, e: int, out: np.ndarray, i: int) -> bool:
    """May the line hold a record (``NCCL `` anywhere or a pre-2.3 record token); writes
    ``out[i]``: the start and end of the token the vectorized column splits the line at
    (the first `` NCCL INFO ``, else the first `` NCCL WARN|TRACE|CALL ``) and its level
    (an index of ``LEVELS``), or -1s."""
    maybe = False
    info = other = -1
    level = 0
    for block in range(s, e, 32):
        if info >= 0:  # the first `` NCCL INFO `` decides: the rest need not be read
            break
        if not _marks(d, block, min(block + 32, e)):
            continue
        for k in range(block, min(block + 32, e)):
            if d[k] == 93:
                maybe = maybe or _pre23_at(d, k, e)
            elif d[k] == 78 and starts(d, k, e, _NCCL):
                maybe = True
                if k == s or d[k - 1] != 32:
                    continue
                if info < 0 and starts(d, k + 5, e, _LEVEL_WORDS[0]):
                    info = k
                    break
                for code in range(1, 4 if other < 0 else 1):
                    if starts(d, k + 5, e, _LEVEL_WORDS[code]):
                        other, level = k, code
                        break
    at, code = (info, 0) if info >= 0 else (other, level)
    out[i, 0] = at - 1 if at >= 0 else -1
    out[i, 1] = at + 5 + _LEVEL_WORDS[code].shape[0] if at >= 0 else -1
    out[i, 2] = code if at >= 0 else -1
    return maybe


@jit
def prefilter(
    d: np.ndarray, offsets: np.ndarray, records: np.ndarray, tests: np.ndarray, token: np.ndarray
) -> None:
    """Per line (int64 ``offsets``), fill: may it hold NCCL records, may it be nccl-tests
    output, and its record token (n x 3: start, end, level; see ``_tokens``)."""
    for i in range(offsets.shape[0] - 1):
        s, e = offsets[i], offsets[i + 1]
        records[i] = _tokens(d, s, e, token, i)
        tests[i] = _tests_candidate(d, s, e)
