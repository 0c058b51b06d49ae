"""The scan kernel: every line of a batch read once into row fields and pairs (``_klayout``).

Per line (its terminator already cut off), in the reference's order
(``_reference.parse_text``): strong launcher wrappers are skipped, the body is recognised
(JSON object, colored logrus, x-cray or colored-without-codes: reference, key=value,
plain); a plain body is tried again behind a weak wrapper, then gets its damage check;
a launcher gets its timestamp. Rows the kernels cannot settle are marked ``FALLBACK``.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from logpipe.parsers._kbytes import ALPHA, DIGIT, ts_fast
from logpipe.parsers._kjson import json_body
from logpipe.parsers._kkv import kv_body
from logpipe.parsers._klaunch import starts_nccl, strong, weak, wrapper_ts
from logpipe.parsers._klayout import (
    F_PLAIN,
    FALLBACK,
    K_EXTRA,
    K_NULL,
    K_RAW,
    P_WIDTH,
    PLAIN_ERRORS,
    R_EL_OK,
    R_ERR,
    R_FMT,
    R_LAUNCH,
    R_LEVEL,
    R_LTS,
    R_MAP,
    R_MSG,
    R_P0,
    R_P1,
    R_TS,
    R_TS_PAIR,
    T_LTS,
    T_ROWS,
    TEXT_FIELDS,
    TS_NONE,
)
from logpipe.parsers._kroles import MAX_PAIRS
from logpipe.parsers._ktty import terminal_layout, tty_body
from logpipe.parsers._nb import jit, jit_alloc

_FIELDS: Final = np.array(TEXT_FIELDS, np.int64)
#: Spans of the plain-line errors in the side buffer, which starts with ``PLAIN_ERRORS``.
_ERR_END: Final = np.cumsum([len(m.encode()) for m in PLAIN_ERRORS])
ERR_SPANS: Final = np.stack([_ERR_END - [len(m.encode()) for m in PLAIN_ERRORS], _ERR_END], 1)
#: Control bytes no text line has (``_reference.CONTROL``).
_CONTROL: Final = np.zeros(256, np.bool_)
_CONTROL[[*range(9), 11, 12, *range(14, 27), *range(28, 32), 127]] = True


@jit
def _clear(r: np.ndarray, t: np.ndarray, i: int) -> None:
    """Row ``i`` without any parsed field (the launcher aside)."""
    r[R_FMT, i], r[R_LEVEL, i], r[R_TS, i], r[R_TS_PAIR, i] = F_PLAIN, -1, TS_NONE, -1
    r[R_EL_OK, i], r[R_MAP, i] = 0, 0
    for f in _FIELDS:  # a null text's span is never read
        if f != R_LAUNCH:
            r[f + 2, i] = K_NULL
    for k in range(T_ROWS):
        t[k, i] = 0


@jit
def _body(
    d: np.ndarray, b: int, e: int, q: np.ndarray, r: np.ndarray, t: np.ndarray, i: int
) -> tuple[int, int]:
    """(format code, pairs in ``q``) of the text ``d[b:e]`` (``_reference.parse_body``)."""
    _clear(r, t, i)
    if b < e:
        c = d[b]
        if c == 123:
            return json_body(d, b, e, q, r, t, i)
        if c == 27:
            return tty_body(d, b, e, q, r, t, i)
        if terminal_layout(d, b, e):
            return FALLBACK, 0
        fmt, count = kv_body(d, b, e, q, r, t, i)
        if fmt != F_PLAIN:
            return fmt, count
        _clear(r, t, i)
    r[R_MSG, i], r[R_MSG + 1, i], r[R_MSG + 2, i] = b, e, K_RAW
    return F_PLAIN, 0


@jit
def plain_error(d: np.ndarray, p: int, e: int) -> int:
    """``_reference.plain_error`` as a 1-based index of ``PLAIN_ERRORS`` (0: none)."""
    text = d[p:e]
    suspect = False  # a first look, branch-free over a view: vector instructions
    for k in range(text.shape[0]):
        c = text[k]
        suspect |= (c < 9) | (c == 11) | (c == 12) | (c == 127) | (c == 0xEF)
        suspect |= (c >= 14) & (c < 32) & (c != 27)
    if not suspect and (p >= e or d[p] != 27):
        return 0
    control = False
    for k in range(p, e):
        c = d[k]
        if c == 0xEF and k + 2 < e and d[k + 1] == 0xBF and d[k + 2] == 0xBD:
            return 1
        control = control or _CONTROL[c]
    k = p  # only ANSI escape codes (``_reference.ONLY_ANSI``)
    while e - k >= 3 and d[k] == 27 and d[k + 1] == 91:
        j = k + 2
        while j < e and (DIGIT[d[j]] or d[j] == 59 or d[j] == 63):
            j += 1
        if j >= e or not ALPHA[d[j]]:
            break
        k = j + 1
    if k == e and e > p:
        return 2
    return 3 if control else 0


@jit
def _line(
    d: np.ndarray, s: int, e: int, q: np.ndarray, r: np.ndarray, t: np.ndarray, i: int
) -> int:
    """Parse one line (without its terminator) into row ``i``; its pair count in ``q``."""
    cut = strong(d, s, e)
    fmt, count = _body(d, cut, e, q, r, t, i)
    launch = cut
    if fmt == F_PLAIN:
        w = weak(d, cut, e)
        if w > 0:
            inner, inner_count = _body(d, w, e, q, r, t, i)
            if inner != F_PLAIN or starts_nccl(d, w, e):
                fmt, count, launch = inner, inner_count, w
            else:  # back to the plain body
                _clear(r, t, i)
                r[R_MSG, i], r[R_MSG + 1, i], r[R_MSG + 2, i] = cut, e, K_RAW
    r[R_FMT, i] = fmt
    r[R_LAUNCH, i], r[R_LAUNCH + 1, i], r[R_LAUNCH + 2, i] = s, launch, K_RAW
    r[R_LTS, i] = TS_NONE
    if launch == s:
        r[R_LAUNCH + 2, i] = K_NULL
    else:
        ts_start, ts_end = wrapper_ts(d, s, launch)
        if ts_start >= 0:
            state, us = ts_fast(d, ts_start, ts_end)
            r[R_LTS, i], r[R_LTS + 1, i], r[R_LTS + 2, i], t[T_LTS, i] = state, ts_start, ts_end, us
    if fmt == F_PLAIN:
        code = plain_error(d, launch, e)
        if code:
            r[R_ERR, i], r[R_ERR + 1, i] = ERR_SPANS[code - 1, 0], ERR_SPANS[code - 1, 1]
            r[R_ERR + 2, i] = K_EXTRA
    return count


@jit_alloc
def scan(
    d: np.ndarray, offsets: np.ndarray, r: np.ndarray, t: np.ndarray, p: np.ndarray
) -> tuple[np.ndarray, int]:
    """Fill the row fields ``r`` (``R_ROWS`` x n), values ``t`` (``T_ROWS`` x n) and pairs
    ``p`` of a string array's buffers (``d`` its data, ``offsets`` its n+1 offsets as
    int64); the pairs (``p``, or a larger copy when it was too small) and their count."""
    n = offsets.shape[0] - 1
    q = np.empty((MAX_PAIRS, P_WIDTH), np.int64)
    used = 0
    for i in range(n):
        s, e = offsets[i], offsets[i + 1]
        count = _line(d, s, e, q, r, t, i)
        if used + count > p.shape[0]:
            grown = np.empty((max(2 * p.shape[0], used + count), P_WIDTH), np.int32)
            flat_old, flat_new = p.ravel(), grown.ravel()
            for k in range(used * P_WIDTH):
                flat_new[k] = flat_old[k]
            p = grown
        for j in range(count):
            for f in range(P_WIDTH):
                p[used + j, f] = q[j, f]
        r[R_P0, i], r[R_P1, i] = used, used + count
        if r[R_TS_PAIR, i] >= 0:
            r[R_TS_PAIR, i] += used
        used += count
    return p, used
