"""Arrow columns from the scan's spans: bytes gathered (and unescaped) into new buffers.

A string column is two passes over its rows: sizes (an upper bound: decoding never grows
a text), then the bytes, each span copied from the batch's data buffer, decoded from a Go
or JSON quoted body, or copied from the side buffer. The ``fields`` map is one such walk
over the kept pairs for its keys and values at once. The buffers become Arrow arrays
without another copy.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from logpipe.parsers._kbytes import N
from logpipe.parsers._klayout import (
    K_EXTRA,
    K_GO,
    K_JSON,
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
    R_P0,
    R_P1,
)
from logpipe.parsers._kquote import decode
from logpipe.parsers._nb import jit
from logpipe.parsers._vbuf import empty


@jit
def _copy(src: np.ndarray, s: int, e: int, out: np.ndarray, o: int) -> int:
    """Copy ``src[s:e]`` to ``out`` at ``o``; the end."""
    dst, part = out[o : o + e - s], src[s:e]  # slices of both: the loop is a block copy
    for k in range(e - s):
        dst[k] = part[k]
    return o + e - s


@jit
def _put(d: np.ndarray, x: np.ndarray, s: int, e: int, kind: int, out: np.ndarray, o: int) -> int:
    """Write the text of a span at ``o``; the end."""
    if kind in (K_GO, K_JSON):
        return decode(d, s, e, kind, out, o)
    return _copy(x if kind == K_EXTRA else d, s, e, out, o)


@jit
def _strings(
    d: np.ndarray, x: np.ndarray, spans: np.ndarray, out: np.ndarray, offsets: np.ndarray
) -> None:
    """Write the texts of ``spans`` (rows start, end, kind; int64) to ``out`` (room for
    every span: ``span_bytes``) and their ``offsets``."""
    o = N[0]
    offsets[0] = 0
    for i in range(spans.shape[1]):
        if spans[2, i] != K_NULL:
            o = _put(d, x, spans[0, i], spans[1, i], spans[2, i], out, o)
        offsets[i + 1] = o


@jit
def span_bytes(spans: np.ndarray) -> int:
    """Room the texts of ``spans`` need at most (decoding never grows a text)."""
    size = 0
    for i in range(spans.shape[1]):
        if spans[2, i] != K_NULL:
            size += spans[1, i] - spans[0, i]
    return size


@jit
def _pair_sizes(r: np.ndarray, p: np.ndarray) -> tuple[int, int, int]:
    """(kept pairs, key bytes, value bytes) of the rows that have a map."""
    count = key_size = value_size = 0
    for i in range(r.shape[1]):
        for j in range(r[R_P0, i], r[R_P1, i] if r[R_MAP, i] else r[R_P0, i]):
            if p[j, P_KEEP]:
                count += 1
                key_size += p[j, P_KE] - p[j, P_KS]
                value_size += p[j, P_VE] - p[j, P_VS]
    return count, key_size, value_size


@jit
def _fields(
    d: np.ndarray, x: np.ndarray, r: np.ndarray, p: np.ndarray, out: tuple[np.ndarray, ...]
) -> None:
    """Write the ``fields`` map of the kept pairs of the rows that have a map, in row
    order, into ``out``: map offsets, key offsets and bytes, value offsets, bytes, valid."""
    rows, key_offsets, keys, value_offsets, values, valid = out
    rows[0] = key_offsets[0] = value_offsets[0] = k = 0
    ko = vo = N[0]
    for i in range(r.shape[1]):
        for j in range(r[R_P0, i], r[R_P1, i] if r[R_MAP, i] else r[R_P0, i]):
            if p[j, P_KEEP]:  # pair fields widened to int64 (the table is int32)
                ks, ke, kk = p[j, P_KS] + N[0], p[j, P_KE] + N[0], p[j, P_KK] + N[0]
                vs, ve, vk = p[j, P_VS] + N[0], p[j, P_VE] + N[0], p[j, P_VK] + N[0]
                ko = _copy(d, ks, ke, keys, ko) if kk == K_RAW else _put(d, x, ks, ke, kk, keys, ko)
                if vk == K_RAW:
                    vo = _copy(d, vs, ve, values, vo)
                elif vk != K_NULL:
                    vo = _put(d, x, vs, ve, vk, values, vo)
                valid[k] = vk != K_NULL
                k += 1
                key_offsets[k], value_offsets[k] = ko, vo
        rows[i + 1] = k


def _array(offsets: np.ndarray, data: np.ndarray, valid: np.ndarray | None) -> pa.StringArray:
    n = len(offsets) - 1
    bitmap, nulls = None, 0
    if valid is not None and (nulls := n - int(np.count_nonzero(valid))):
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data), bitmap, nulls)


def strings(d: np.ndarray, extra: np.ndarray, spans: np.ndarray) -> pa.StringArray:
    """A string column from spans (3 x n: start, end, kind; see ``_klayout``)."""
    wide = np.asarray(spans, np.int64)
    out, offsets = empty(span_bytes(wide), np.uint8), empty(wide.shape[1] + 1, np.int32)
    _strings(d, extra, wide, out, offsets)
    return _array(offsets, out, wide[2] != K_NULL)


def fields_map(d: np.ndarray, extra: np.ndarray, r: np.ndarray, p: np.ndarray) -> pa.MapArray:
    """The ``fields`` column: kept pairs of the rows that have a map."""
    count, key_size, value_size = _pair_sizes(r, p)
    rows, valid = empty(r.shape[1] + 1, np.int32), empty(count, np.bool_)
    key_offsets, keys = empty(count + 1, np.int32), empty(key_size, np.uint8)
    value_offsets, values = empty(count + 1, np.int32), empty(value_size, np.uint8)
    _fields(d, extra, r, p, (rows, key_offsets, keys, value_offsets, values, valid))
    has = r[R_MAP] != 0
    return pa.MapArray.from_arrays(
        pa.array(rows),
        _array(key_offsets, keys, None),
        _array(value_offsets, values, valid),
        mask=None if has.all() else pa.array(~has),
    )
