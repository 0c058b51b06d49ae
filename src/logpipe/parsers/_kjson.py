"""JSON lines in the kernels: ``_json.parse_json`` for flat objects with plain keys.

Values are strings (decoded), numbers, ``true``/``false``/``null`` and Python's ``NaN``,
``Infinity``, ``-Infinity``, with JSON whitespace anywhere between tokens, exactly as
``json`` reads them. Anything else (nested values, keys with escapes, any error, so
that the reference words the error) goes to the reference.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from logpipe.parsers._kbytes import DIGIT, N, byte_class, digits, lit, run, starts
from logpipe.parsers._klayout import (
    F_JSON,
    FALLBACK,
    K_JSON,
    K_NULL,
    K_RAW,
    P_KE,
    P_KK,
    P_KS,
    P_VE,
    P_VK,
    P_VS,
    R_MAP,
)
from logpipe.parsers._kquote import escapes_ok
from logpipe.parsers._kroles import MAX_PAIRS, bind
from logpipe.parsers._nb import jit

_NULL: Final = lit("null")
_TRUE: Final = lit("true")
_FALSE: Final = lit("false")
_NAN: Final = lit("NaN")
_INF: Final = lit("Infinity")
_MINUS_INF: Final = lit("-Infinity")
_WS: Final = byte_class(b" \t\n\r")
#: Bytes that end the plain run of a string: quote, backslash, control characters.
_STOP: Final = byte_class(b'"\\' + bytes(range(32)))


@jit
def _ws(d: np.ndarray, p: int, e: int) -> int:
    return run(d, p, e, _WS)


@jit
def _string(d: np.ndarray, p: int, e: int) -> tuple[int, bool]:
    """(position of the closing quote, has escapes) of the JSON string whose body starts
    at ``p``; -1 when it is not a valid strict JSON string."""
    k = p
    escaped = False
    while 0 <= k < e:
        c = d[k]
        if not _STOP[c]:
            k += 1
        elif c == 34:
            break
        elif c < 32:
            return -1, escaped
        else:
            escaped = True
            k += 2
    if k >= e or (escaped and not escapes_ok(d, p, k, N[K_JSON])):
        return -1, escaped
    return k, escaped


@jit
def _number(d: np.ndarray, p: int, e: int) -> int:
    """End of the JSON number at ``p`` as Python's scanner reads it, or -1."""
    q = p + 1 if d[p] == 45 else p
    if q >= e or not DIGIT[d[q]]:
        return -1
    q = q + 1 if d[q] == 48 else digits(d, q, e)
    if q + 1 < e and d[q] == 46 and DIGIT[d[q + 1]]:
        q = digits(d, q + 1, e)
    if q < e and (d[q] == 101 or d[q] == 69):
        r = q + 1
        if r < e and (d[r] == 43 or d[r] == 45):
            r += 1
        s = digits(d, r, e)
        if s > r:
            q = s
    return q


@jit
def _value(d: np.ndarray, p: int, e: int) -> tuple[int, int, int, int]:
    """(start, end, kind, next position) of the value at ``p``; next is -1 if invalid."""
    c = d[p]
    if c == 34:
        end, escaped = _string(d, p + 1, e)
        if end < 0:
            return 0, 0, 0, -1
        return p + 1, end, (K_JSON if escaped else K_RAW), end + 1
    size = 0
    if c == 110 and starts(d, p, e, _NULL):
        return p, p + 4, K_NULL, p + 4
    if c == 116 and starts(d, p, e, _TRUE):
        size = 4
    elif c == 102 and starts(d, p, e, _FALSE):
        size = 5
    elif c == 78 and starts(d, p, e, _NAN):
        size = 3
    elif c == 73 and starts(d, p, e, _INF):
        size = 8
    elif c == 45 and starts(d, p, e, _MINUS_INF):
        size = 9
    if size:
        return p, p + size, K_RAW, p + size
    if c == 45 or DIGIT[c]:
        end = _number(d, p, e)
        return p, end, K_RAW, end
    return 0, 0, 0, -1


@jit
def _pairs(d: np.ndarray, b: int, e: int, q: np.ndarray) -> int:
    """Pairs of the flat object ``d[b:e]`` written to ``q``; -1 when not read here."""
    p = _ws(d, b + 1, e)
    if p < e and d[p] == 125:
        return 0 if _ws(d, p + 1, e) == e else -1
    count = 0
    while count < MAX_PAIRS:
        if p >= e or d[p] != 34:
            return -1
        key_end, escaped = _string(d, p + 1, e)
        if key_end < 0 or escaped:
            return -1
        q[count, P_KS], q[count, P_KE], q[count, P_KK] = p + 1, key_end, K_RAW
        p = _ws(d, key_end + 1, e)
        if p >= e or d[p] != 58:
            return -1
        p = _ws(d, p + 1, e)
        if p >= e:
            return -1
        vs, ve, kind, p = _value(d, p, e)
        if p < 0:
            return -1
        q[count, P_VS], q[count, P_VE], q[count, P_VK] = vs, ve, kind
        count += 1
        p = _ws(d, p, e)
        if p < e and d[p] == 44:
            p = _ws(d, p + 1, e)
        elif p < e and d[p] == 125:
            return count if _ws(d, p + 1, e) == e else -1
        else:
            return -1
    return -1


@jit
def json_body(
    d: np.ndarray, b: int, e: int, q: np.ndarray, r: np.ndarray, t: np.ndarray, i: int
) -> tuple[int, int]:
    """(format code, pairs in ``q``) of a text starting with ``{``."""
    count = _pairs(d, b, e, q)
    if count < 0 or not bind(d, q, count, N[F_JSON], r, t, i):
        return FALLBACK, 0
    r[R_MAP, i] = 1
    return F_JSON, count
