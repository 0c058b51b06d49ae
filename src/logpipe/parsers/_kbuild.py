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
from logpipe.parsers._nb import jit, jit_alloc


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


@jit_alloc
def _strings(
    d: np.ndarray, x: np.ndarray, starts: np.ndarray, ends: np.ndarray, kinds: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(offsets, data, valid) of the texts of spans (int64 arrays; ``K_NULL``: null)."""
    n = starts.shape[0]
    size = 0
    for i in range(n):
        if kinds[i] != K_NULL:
            size += ends[i] - starts[i]
    out = np.empty(size, np.uint8)
    offsets = np.empty(n + 1, np.int32)
    valid = np.empty(n, np.bool_)
    o = N[0]
    offsets[0] = 0
    for i in range(n):
        valid[i] = kinds[i] != K_NULL
        if valid[i]:
            o = _put(d, x, starts[i], ends[i], kinds[i], out, o)
        offsets[i + 1] = o
    return offsets, out[:o], valid


@jit_alloc
def _fields(
    d: np.ndarray, x: np.ndarray, r: np.ndarray, p: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(map offsets, key offsets, key bytes, value offsets, value bytes, value valid) of
    the kept pairs of the rows that have a map, in row order."""
    n = r.shape[1]
    count = key_size = value_size = 0
    for i in range(n):
        for j in range(r[R_P0, i], r[R_P1, i] if r[R_MAP, i] else r[R_P0, i]):
            if p[j, P_KEEP]:
                count += 1
                key_size += p[j, P_KE] - p[j, P_KS]
                value_size += p[j, P_VE] - p[j, P_VS]
    rows = np.empty(n + 1, np.int32)
    key_offsets, value_offsets = np.empty(count + 1, np.int32), np.empty(count + 1, np.int32)
    keys, values = np.empty(key_size, np.uint8), np.empty(value_size, np.uint8)
    valid = np.empty(count, np.bool_)
    rows[0] = key_offsets[0] = value_offsets[0] = k = 0
    ko = vo = N[0]
    for i in range(n):
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
    return rows, key_offsets, keys[:ko], value_offsets, values[:vo], valid


def _array(offsets: np.ndarray, data: np.ndarray, valid: np.ndarray) -> pa.StringArray:
    n = len(valid)
    nulls = n - int(np.count_nonzero(valid))
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data), bitmap, nulls)


def strings(
    d: np.ndarray, extra: np.ndarray, starts: np.ndarray, ends: np.ndarray, kinds: np.ndarray
) -> pa.StringArray:
    """A string column from spans (see ``_klayout`` for the kinds)."""
    wide = (np.asarray(a, np.int64) for a in (starts, ends, kinds))
    return _array(*_strings(d, extra, *wide))


def fields_map(d: np.ndarray, extra: np.ndarray, r: np.ndarray, p: np.ndarray) -> pa.MapArray:
    """The ``fields`` column: kept pairs of the rows that have a map."""
    offsets, key_offsets, key_bytes, value_offsets, value_bytes, valid = _fields(d, extra, r, p)
    keys = _array(key_offsets, key_bytes, np.ones(len(valid), np.bool_))
    items = _array(value_offsets, value_bytes, valid)
    has = r[R_MAP] != 0
    mask = None if has.all() else pa.array(~has)
    return pa.MapArray.from_arrays(pa.array(offsets), keys, items, mask=mask)
