"""key=value lines in the kernels: ``_logfmt.parse_kv`` for lines that split cleanly.

The split is ``_logfmt.tokenize`` (``KEY=VALUE`` pairs, one space apart, values bare or Go
quoted); the format is ``_logfmt.classify``. What only the reference does goes there:
lines that do not split but start with ``time=``/``level=`` (its lenient retries),
custom quote characters, an escaped signature level, values it would fail to unquote.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from logpipe.parsers._kbytes import N, byte_class, lit, starts
from logpipe.parsers._klayout import (
    F_LOGFMT,
    F_PLAIN,
    F_PREFIXED,
    F_TEXT,
    FALLBACK,
    K_GO,
    K_NULL,
    K_RAW,
    P_KE,
    P_KEEP,
    P_KK,
    P_KS,
    P_VE,
    P_VK,
    P_VS,
    R_MAP,
    R_MSG,
    R_PFX,
)
from logpipe.parsers._kquote import escapes_ok, level
from logpipe.parsers._kroles import MAX_PAIRS, bind
from logpipe.parsers._logfmt import GENERIC_SECOND
from logpipe.parsers._nb import jit

_TIME: Final = lit("time")
_LEVEL: Final = lit("level")
_TIME_EQ: Final = lit("time=")
_LEVEL_EQ: Final = lit("level=")
_PREFIX: Final = lit("prefix")
_KEY_END: Final = byte_class(b' ="')
#: What may follow ``time=`` in a line with the standard quote (``_logfmt.CUSTOM_QUOTE``).
_QUOTE_OK: Final = byte_class(b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" =')
_GENERIC: Final = np.zeros((len(GENERIC_SECOND), 12), np.uint8)
for _row, _key in enumerate(sorted(GENERIC_SECOND)):
    _GENERIC[_row, : len(_key)] = np.frombuffer(_key.encode(), np.uint8)
_GENERIC_LEN: Final = np.array([len(k) for k in sorted(GENERIC_SECOND)], np.int64)
_LOGFMT_KEY: Final = byte_class(  # _logfmt.LOGFMT_KEY
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.@/-"
)
_BARE: Final = byte_class(  # inside _logfmt.BARE_QUOTED
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/@^+-"
)


@jit
def _key_is(d: np.ndarray, q: np.ndarray, j: int, key: np.ndarray) -> bool:
    p, e = q[j, P_KS], q[j, P_KE]
    return e - p == key.shape[0] and starts(d, p, e, key)


@jit
def tokenize(d: np.ndarray, b: int, e: int, q: np.ndarray) -> tuple[int, bool]:
    """(pairs written to ``q``, trailing space) of ``_logfmt.tokenize``; (-1, False) when
    the text does not split, (-2, False) when it has more than ``MAX_PAIRS`` pairs."""
    if b < 0:  # tells LLVM indices are >= 0: no negative-index wraparound in the loops
        return -1, False
    pos, count = b, 0
    while True:
        k = pos
        while k < e and not _KEY_END[d[k]]:
            k += 1
        if k >= e or d[k] != 61:
            return -1, False
        ve = vs = k + 1
        kind = K_RAW
        if vs < e and d[vs] == 34:  # QVAL (no DOTALL: a backslash does not escape LF)
            ve = -1
            j = vs + 1
            while j < e:
                if d[j] == 34:
                    ve = j + 1
                    break
                if d[j] == 92:
                    if j + 1 >= e or d[j + 1] == 10:
                        break
                    kind = K_GO  # escaped (decoded unless the format is x-cray's)
                    j += 1
                j += 1
            if ve < 0:
                return -1, False
        else:
            while ve < e and d[ve] != 32 and d[ve] != 34:
                ve += 1
        if (ve < e and d[ve] != 32) or count == MAX_PAIRS:
            return (-1 if ve < e and d[ve] != 32 else -2), False
        q[count, P_KS], q[count, P_KE], q[count, P_KK] = pos, k, K_RAW
        q[count, P_VS], q[count, P_VE], q[count, P_VK] = vs, ve, kind
        count += 1
        pos = ve + 1
        if pos >= e:
            return count, pos == e


@jit
def classify(d: np.ndarray, q: np.ndarray, count: int, trailing: bool) -> int:
    """``_logfmt.classify`` as a format code (``F_PLAIN``: none; ``FALLBACK``: escaped level)."""
    at = -1  # the level pair of a logrus signature (``_logfmt._signature_level``)
    zero, one = N[0], N[1]
    if count >= 2 and _key_is(d, q, zero, _TIME) and _key_is(d, q, one, _LEVEL):
        at = 1
    elif _key_is(d, q, zero, _LEVEL):
        at = 0
        size = q[1, P_KE] - q[1, P_KS] if count > 1 else -1
        for g in range(_GENERIC_LEN.shape[0]):  # a generic logfmt key second: no signature
            if _GENERIC_LEN[g] == size:
                same = True
                for k in range(size):
                    same = same and d[q[1, P_KS] + k] == _GENERIC[g, k]
                at = -1 if same else at
    if at >= 0:
        vs, ve = q[at, P_VS], q[at, P_VE]
        off = 1 if ve > vs and d[vs] == 34 else 0
        for k in range(vs + off, ve - off):
            if off and d[k] == 92:
                return FALLBACK
        if level(d, vs + off, ve - off)[1]:
            evidence = trailing
            for j in range(count):
                evidence = evidence or _key_is(d, q, j, _PREFIX)
                vs, ve = q[j, P_VS], q[j, P_VE]
                if not off and not evidence and ve - vs >= 3 and d[vs] == 34 and d[ve - 1] == 34:
                    evidence = True  # a quoted value logrus would print bare
                    for k in range(vs + 1, ve - 1):
                        if not _BARE[d[k]]:
                            evidence = False
                            break
            return F_PREFIXED if evidence else F_TEXT
    for j in range(count):
        if q[j, P_KE] == q[j, P_KS]:
            return F_PLAIN
        for k in range(q[j, P_KS], q[j, P_KE]):
            if not _LOGFMT_KEY[d[k]]:
                return F_PLAIN
    return F_LOGFMT


@jit
def kv_body(
    d: np.ndarray, b: int, e: int, q: np.ndarray, r: np.ndarray, t: np.ndarray, i: int
) -> tuple[int, int]:
    """(format code, pairs in ``q``) of a key=value text; ``F_PLAIN`` when it is none."""
    starts_time = starts(d, b, e, _TIME_EQ)
    if starts_time and e - b > 5 and not _QUOTE_OK[d[b + 5]]:
        return FALLBACK, 0  # a custom QuoteCharacter (``time='...'``)
    count, trailing = tokenize(d, b, e, q)
    if count < 0:  # a line of logrus's may still split leniently: the reference does that
        lenient = count == -2 or starts_time or starts(d, b, e, _LEVEL_EQ)
        return (FALLBACK if lenient else F_PLAIN), 0
    fmt = classify(d, q, count, trailing)
    if fmt in (F_PLAIN, FALLBACK):
        return fmt, 0
    for j in range(count):  # values without their quotes; Go-decoded but in x-cray's form
        vs, ve = q[j, P_VS], q[j, P_VE]
        if ve - vs < 2 or d[vs] != 34:
            continue
        q[j, P_VS], q[j, P_VE] = vs + 1, ve - 1
        if q[j, P_VK] == K_GO and fmt == F_PREFIXED:
            q[j, P_VK] = K_RAW
        elif q[j, P_VK] == K_GO and not escapes_ok(d, vs + 1, ve - 1, N[K_GO]):
            return FALLBACK, 0
    if not bind(d, q, count, fmt, r, t, i):
        return FALLBACK, 0
    if fmt != F_LOGFMT and r[R_MSG + 2, i] == K_NULL:
        r[R_MSG, i], r[R_MSG + 1, i], r[R_MSG + 2, i] = b, b, K_RAW  # ""
    for j in range(count):
        if fmt == F_PREFIXED and q[j, P_KEEP] and _key_is(d, q, j, _PREFIX):
            r[R_PFX, i], r[R_PFX + 1, i], r[R_PFX + 2, i] = q[j, P_VS], q[j, P_VE], K_RAW
    r[R_MAP, i] = 1
    return fmt, count
