"""Quoted values in the kernels: Go ``%q`` and JSON strings checked and unescaped, level names.

``escapes_ok`` says whether the kernels decode a quoted body exactly as the reference
(``_fields.go_unquote``; ``json.scanstring`` + ``_json.no_surrogates``): not when the
reference fails (a bad escape) or needs Python's replacement rules (Go escapes of single
bytes >= 0x80); rows holding such values go to the reference. ``decode`` writes the
text; decoding never makes a text longer.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from logpipe.parsers._kbytes import N
from logpipe.parsers._klayout import K_GO
from logpipe.parsers._nb import jit

_HEX: Final = np.full(256, -1, np.int64)
_HEX[list(b"0123456789")] = np.arange(10)
_HEX[list(b"abcdef")] = np.arange(10, 16)
_HEX[list(b"ABCDEF")] = np.arange(10, 16)
#: Single-character escapes (``\\n`` ...): byte -> value, -1 where none.
_GO_SIMPLE: Final = np.full(256, -1, np.int64)
_GO_SIMPLE[list(b"abfnrtv\\\"'")] = (7, 8, 12, 10, 13, 9, 11, 92, 34, 39)
_JSON_SIMPLE: Final = np.full(256, -1, np.int64)
_JSON_SIMPLE[list(b'"\\/bfnrt')] = (34, 92, 47, 8, 12, 10, 13, 9)
#: ``_fields.LEVEL_NAMES`` as rows of bytes (zero padded), their lengths and level codes.
_NAMES: Final = (
    ("trace", 0), ("debug", 1), ("info", 2), ("warn", 3), ("warning", 3), ("error", 4),
    ("err", 4), ("fatal", 5), ("critical", 5), ("panic", 6),
)  # fmt: skip
_LEVEL_TEXT: Final = np.zeros((len(_NAMES), 8), np.uint8)
for _row, (_name, _) in enumerate(_NAMES):
    _LEVEL_TEXT[_row, : len(_name)] = np.frombuffer(_name.encode(), np.uint8)
_LEVEL_LEN: Final = np.array([len(n) for n, _ in _NAMES], np.int64)
_LEVEL_CODE: Final = np.array([c for _, c in _NAMES], np.int64)
#: Which names are logrus's own ``Level.String()`` (``warn``, ``err``, ``critical`` are not).
_LOGRUS: Final = np.array([n not in ("warn", "err", "critical") for n, _ in _NAMES])


@jit
def hex_value(d: np.ndarray, p: int, count: int, e: int) -> int:
    """The value of ``count`` hex digits at ``p``, or -1."""
    if e - p < count:
        return -1
    value = 0
    for k in range(count):
        h = _HEX[d[p + k]]
        if h < 0:
            return -1
        value = value * 16 + h
    return value


@jit
def put_utf8(out: np.ndarray, o: int, code: int) -> int:
    """Write the UTF-8 bytes of ``code`` at ``o``; the end."""
    if code < 0x80:
        out[o] = code
        return o + 1
    size = 2 if code < 0x800 else 3 if code < 0x10000 else 4
    lead = (0, 0, 0xC0, 0xE0, 0xF0)[size]
    out[o] = lead | (code >> (6 * (size - 1)))
    for k in range(1, size):
        out[o + k] = 0x80 | ((code >> (6 * (size - 1 - k))) & 0x3F)
    return o + size


@jit
def go_escape(d: np.ndarray, k: int, e: int) -> tuple[int, int]:
    """(code point, end) of the Go escape whose backslash is at ``k`` (``_fields._ESCAPE``);
    code -1: the reference rejects it or it is a single byte >= 0x80."""
    c = d[k + 1] if k + 1 < e else 0
    if _GO_SIMPLE[c] >= 0:
        return _GO_SIMPLE[c], k + 2
    if c == 120:  # \xHH
        code = hex_value(d, k + 2, N[2], e)
        return (code if code < 0x80 else -1), k + 4
    if c in (117, 85):  # \uHHHH, \UHHHHHHHH
        count = 4 if c == 117 else 8
        code = hex_value(d, k + 2, count, e)
        return (-1 if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF else code), k + 2 + count
    if k + 3 < e and 48 <= c <= 55 and 48 <= d[k + 2] <= 55 and 48 <= d[k + 3] <= 55:
        code = ((int(c) - 48) * 64 + (int(d[k + 2]) - 48) * 8 + int(d[k + 3]) - 48) & 0xFF
        return (code if code < 0x80 else -1), k + 4
    return -1, k + 2


@jit
def json_escape(d: np.ndarray, k: int, e: int) -> tuple[int, int]:
    """(code point, end) of the JSON escape at ``k``: surrogate pairs joined, lone
    surrogates U+FFFD (``_json.no_surrogates``); code -1 when invalid."""
    c = d[k + 1] if k + 1 < e else 0
    if c != 117:
        return _JSON_SIMPLE[c], k + 2
    code = hex_value(d, k + 2, N[4], e)
    if 0xD800 <= code <= 0xDBFF and k + 7 < e and d[k + 6] == 92 and d[k + 7] == 117:
        low = hex_value(d, k + 8, N[4], e)
        if low < 0:
            return -1, k + 12
        if 0xDC00 <= low <= 0xDFFF:
            return 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00), k + 12
    return (0xFFFD if 0xD800 <= code <= 0xDFFF else code), k + 6


@jit
def escapes_ok(d: np.ndarray, p: int, e: int, kind: int) -> bool:
    """Can the quoted body ``d[p:e]`` (``K_GO`` or ``K_JSON``) be decoded here."""
    k = p
    while 0 <= k < e:
        if d[k] != 92:
            k += 1
            continue
        code, k = go_escape(d, k, e) if kind == K_GO else json_escape(d, k, e)
        if code < 0:
            return False
    return True


@jit
def decode(d: np.ndarray, p: int, e: int, kind: int, out: np.ndarray, o: int) -> int:
    """Write the decoded body ``d[p:e]`` (checked by ``escapes_ok``) at ``o``; the end."""
    k = p
    while 0 <= k < e:
        c = d[k]
        if c != 92:
            out[o] = c
            o += 1
            k += 1
            continue
        code, k = go_escape(d, k, e) if kind == K_GO else json_escape(d, k, e)
        o = put_utf8(out, o, code)
    return o


@jit
def level(d: np.ndarray, p: int, e: int) -> tuple[int, bool]:
    """(``_fields.normalize_level`` as a level code or -1, is it one of logrus's own
    ``Level.String()`` names exactly)."""
    size = e - p
    for row in range(_LEVEL_LEN.shape[0]):
        if _LEVEL_LEN[row] != size:
            continue
        exact = _LOGRUS[row]
        k = 0
        while k < size:
            c = d[p + k]
            if 65 <= c <= 90:
                c += 32
                exact = False
            if c != _LEVEL_TEXT[row, k]:
                break
            k += 1
        if k == size:
            return _LEVEL_CODE[row], exact
    return -1, False
