"""logrus's colored layout in the kernels (``_logrus.parse_tty``), and which lines need the
reference because they may be x-cray's or the colored layout without its codes.

The header regex ``TTY_HEAD`` takes its stamp and caller by the first choice at every
step; when that choice fails further on, the regex could still match by backtracking
(a stamp read as part of the caller): such lines, and every other surprise (a damaged
field, an escape the kernels do not decode), go to the reference.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from logpipe.parsers._kbytes import (
    DIGIT,
    N,
    byte_class,
    char_offset,
    digits,
    elapsed,
    lit,
    starts,
    ts_fast,
)
from logpipe.parsers._klayout import (
    F_TTY,
    FALLBACK,
    K_GO,
    K_RAW,
    P_KE,
    P_KK,
    P_KS,
    P_VE,
    P_VK,
    P_VS,
    R_EL_OK,
    R_FILE,
    R_FUNC,
    R_LEVEL,
    R_MAP,
    R_MSG,
    R_TS,
    T_EL,
    T_TS,
    TS_NONE,
)
from logpipe.parsers._kquote import escapes_ok
from logpipe.parsers._kroles import MAX_PAIRS, bind
from logpipe.parsers._logrus import PAD, PFX_LEVELS, TTY_LEVEL, TTY_LEVELS
from logpipe.parsers._nb import jit

_WORDS: Final = TTY_LEVELS.split("|")
_WORD: Final = np.zeros((len(_WORDS), 8), np.uint8)
for _row, _text in enumerate(_WORDS):
    _WORD[_row, : len(_text)] = np.frombuffer(_text.encode(), np.uint8)
_WORD_LEN: Final = np.array([len(w) for w in _WORDS], np.int64)
_WORD_LEVEL: Final = np.array(
    [("trace", "debug", "info", "warning", "error", "fatal", "panic").index(TTY_LEVEL[w[:4]])
     for w in _WORDS], np.int64,
)  # fmt: skip
_PFX_WORDS: Final = PFX_LEVELS.split("|")  # five characters each
_PFX: Final = np.frombuffer("".join(_PFX_WORDS).encode(), np.uint8).reshape(len(_PFX_WORDS), 5)
_RESET: Final = lit("\x1b[0m")
#: First bytes of both layouts without an escape code: a level word, or ``[``.
_TERMINAL_FIRST: Final = byte_class(("[" + "".join({w[0] for w in _WORDS})).encode())
_RESET_EQ: Final = lit("\x1b[0m=")


@jit
def _color(d: np.ndarray, p: int, e: int) -> int:
    """End of ``ESC[`` + 1 to 3 digits + ``m`` at ``p``, or -1."""
    if e - p < 4 or d[p] != 27 or d[p + 1] != 91:
        return -1
    q = digits(d, p + 2, e)
    return q + 1 if p + 2 < q <= p + 5 and q < e and d[q] == 109 else -1


@jit
def _word(d: np.ndarray, p: int, e: int, row: int) -> int:
    """End of the level word ``row`` of ``TTY_LEVELS`` at ``p``, or -1."""
    size: int = _WORD_LEN[row]
    if e - p < size:
        return -1
    for k in range(size):
        if d[p + k] != _WORD[row, k]:
            return -1
    return p + size


@jit
def _after_stamp(d: np.ndarray, p: int, e: int) -> tuple[int, int, int]:
    """(caller start, caller end, body start) after the stamp; body -1: no match."""
    if p < 0:  # tells LLVM indices are >= 0: no negative-index wraparound in the loops
        return 0, 0, -1
    if p < e and d[p] == 32:
        return p, p, p + 1
    r1 = p
    while r1 < e and d[r1] != 32 and d[r1] != 27:
        r1 += 1
    if r1 == p or r1 >= e or d[r1] != 32:
        return 0, 0, -1
    r2 = r1 + 1
    while r2 < e and d[r2] != 32 and d[r2] != 27:
        r2 += 1
    if r2 - r1 > 3 and d[r2 - 2] == 40 and d[r2 - 1] == 41 and r2 < e and d[r2] == 32:
        return p, r2, r2 + 1
    return p, r1, r1 + 1


@jit
def _caller(d: np.ndarray, p: int, e: int, r: np.ndarray, i: int) -> None:
    """``_logrus.split_caller`` of ``d[p:e]`` into the func and file fields."""
    if p == e:
        return
    q = e
    while q > p and DIGIT[d[q - 1]]:
        q -= 1
    func, file_end = p, p  # func start; file end (p: no file)
    for k in range(p, e):
        if d[k] == 32:
            func, file_end = k + 1, k
            break
    if func == p and q < e and q > p and d[q - 1] == 58:
        func, file_end = e, e
    if file_end > p:
        r[R_FILE, i], r[R_FILE + 1, i], r[R_FILE + 2, i] = p, file_end, K_RAW
    if func < e:
        end = e - 2 if e - func >= 2 and d[e - 2] == 40 and d[e - 1] == 41 else e
        r[R_FUNC, i], r[R_FUNC + 1, i], r[R_FUNC + 2, i] = func, end, K_RAW


@jit
def _header(d: np.ndarray, b: int, e: int, r: np.ndarray, t: np.ndarray, i: int) -> int:
    """Level, stamp and caller of the colored header at ``b``; the body start, or -1 when
    only the reference can tell (``_logrus.TTY_HEAD``)."""
    p = _color(d, b, e)
    q = -1
    for row in range(_WORD_LEN.shape[0] if p >= 0 else 0):
        q = _word(d, p, e, row)
        if q >= 0:
            while q < e and d[q] == 32:
                q += 1
            if starts(d, q, e, _RESET):
                r[R_LEVEL, i] = _WORD_LEVEL[row]
                break
        q = -1
    if q < 0 or q + 4 >= e:
        return -1
    p = q + 4
    if d[p] == 91:
        close = p + 1
        while close < e and d[close] != 93 and d[close] != 27:
            close += 1
        if close >= e or d[close] != 93:
            return -1
        ok, seconds = elapsed(d, p + 1, close)
        state, us = ts_fast(d, p + 1, close) if not ok else (TS_NONE, 0)
        r[R_EL_OK, i], t[T_EL, i] = ok, seconds
        r[R_TS, i], r[R_TS + 1, i], r[R_TS + 2, i], t[T_TS, i] = state, p + 1, close, us
        p = close + 1
    cs, ce, body = _after_stamp(d, p, e)
    if body >= 0:
        _caller(d, cs, ce, r, i)
    return body


@jit
def _fields(d: np.ndarray, p: int, e: int, q: np.ndarray) -> int:
    """Pairs of the colored fields ``d[p:e]`` (``_TTY_FIELD``) in ``q``, or -1."""
    if p < 0:  # tells LLVM indices are >= 0: no negative-index wraparound in the loops
        return -1
    count = 0
    while p < e:
        ks = _color(d, p + 1, e) if d[p] == 32 else -1
        if ks < 0 or count == MAX_PAIRS:
            return -1
        ke = ks
        while ke < e and d[ke] != 27:
            ke += 1
        if not starts(d, ke, e, _RESET_EQ):
            return -1
        vs = ve = ke + 5
        while ve < e and not (d[ve] == 32 and ve + 2 < e and d[ve + 1] == 27 and d[ve + 2] == 91):
            if d[ve] == 27:
                return -1
            ve += 1
        q[count, P_KS], q[count, P_KE], q[count, P_KK] = ks, ke, K_RAW
        q[count, P_VS], q[count, P_VE], q[count, P_VK] = vs, ve, K_RAW
        quoted = ve - vs >= 2 and d[vs] == 34 and d[ve - 1] == 34
        escaped = False  # a value that is all one Go quoted string (``QVAL``, DOTALL)
        k = vs + 1
        while quoted and k < ve - 1 and d[k] != 34:
            escaped = escaped or d[k] == 92
            k += 2 if d[k] == 92 else 1
        if quoted and k == ve - 1:
            q[count, P_VS], q[count, P_VE] = vs + 1, ve - 1
            if escaped:
                if not escapes_ok(d, vs + 1, ve - 1, N[K_GO]):
                    return -1
                q[count, P_VK] = K_GO
        count += 1
        p = ve
    return count


@jit
def tty_body(
    d: np.ndarray, b: int, e: int, q: np.ndarray, r: np.ndarray, t: np.ndarray, i: int
) -> tuple[int, int]:
    """(format code, pairs in ``q``) of a text starting with an escape code."""
    if b < 0:  # tells LLVM indices are >= 0: no negative-index wraparound in the loops
        return FALLBACK, 0
    body = _header(d, b, e, r, t, i) if d[e - 1] != 10 else -1  # a final LF ends a value early
    if body < 0:
        return FALLBACK, 0
    start = -1  # the fields start at "  ESC[<n>m" from column 44 of the message area on
    k = char_offset(d, body, e, N[PAD])
    while k + 2 < e and start < 0:
        if d[k] == 32 and d[k + 1] == 32 and _color(d, k + 2, e) > 0:
            start = k
        k += 1
    seg = start if start >= 0 else (e - 1 if e > body and d[e - 1] == 32 else e)
    if char_offset(d, body, seg, N[PAD]) == seg:  # 44 characters or fewer
        while seg > body and d[seg - 1] == 32:
            seg -= 1
    r[R_MSG, i], r[R_MSG + 1, i], r[R_MSG + 2, i] = body, seg, K_RAW
    count = _fields(d, start + 1, e, q) if start >= 0 else 0
    if count < 0 or not bind(d, q, count, N[F_TTY], r, t, i):
        return FALLBACK, 0
    r[R_MAP, i] = 1
    return F_TTY, count


@jit
def terminal_layout(d: np.ndarray, b: int, e: int) -> bool:
    """May the text be x-cray's layout or logrus's colored one without codes (reference):
    does ``_logrus.PFX_DETECT`` or ``_logrus.TTY_PLAIN_HEAD`` match at ``b``."""
    if b >= e or not _TERMINAL_FIRST[d[b]]:
        return False
    for row in range(_WORD_LEN.shape[0]):  # TTY_PLAIN_HEAD
        p = _word(d, b, e, row)
        while 0 <= p < e and d[p] == 32:
            p += 1
        if p < 0 or p >= e or d[p] != 91:
            continue
        close = p + 1
        while close < e and d[close] != 93 and d[close] != 27:
            close += 1
        if close < e and d[close] == 93 and _after_stamp(d, close + 1, e)[2] >= 0:
            return True
    if b >= e or d[b] != 91:  # PFX_DETECT, for a text not starting with an escape code
        return False
    p = b + 1
    while p < e and d[p] != 93:
        p += 1
    p = p + 5 if starts(d, p + 1, e, _RESET) else p + 1
    if p >= e or d[p] != 32:
        return False
    p += 1
    if p < e and d[p] == 27:
        p = p + 2 if e - p >= 3 and d[p + 1] == 91 else e
        while p < e and (DIGIT[d[p]] or d[p] == 59):
            p += 1
        p = p + 1 if p < e and d[p] == 109 else e
    for row in range(_PFX.shape[0] if e - p >= 5 else 0):
        same = True
        for k in range(5):
            same = same and d[p + k] == _PFX[row, k]
        if same:
            return True
    return False
