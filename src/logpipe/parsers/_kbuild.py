"""Arrow columns from the scan's spans: bytes gathered (and unescaped) into new buffers.

A string column is two passes over its rows: sizes (an upper bound: decoding never grows
a text), then the bytes, each span copied from the batch's data buffer, decoded from a Go
or JSON quoted body, or copied from the side buffer. The buffers become Arrow arrays
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
from logpipe.parsers._nb import jit_alloc


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
        s, e, kind = starts[i], ends[i], kinds[i]
        valid[i] = kind != K_NULL
        if kind in (K_GO, K_JSON):
            o = decode(d, s, e, kind, out, o)
        elif kind != K_NULL:
            src = x[s:e] if kind == K_EXTRA else d[s:e]
            dst = out[o : o + e - s]  # slices of both: the loop compiles to a block copy
            for k in range(e - s):
                dst[k] = src[k]
            o += e - s
        offsets[i + 1] = o
    return offsets, out[:o], valid


@jit_alloc
def _kept(r: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(map offsets, indices of the kept pairs in row order) of the ``fields`` column."""
    n = r.shape[1]
    offsets = np.empty(n + 1, np.int32)
    offsets[0] = 0
    total = 0
    for i in range(n):
        if r[R_MAP, i]:
            for j in range(r[R_P0, i], r[R_P1, i]):
                total += p[j, P_KEEP] != 0
        offsets[i + 1] = total
    index = np.empty(total, np.int64)
    k = 0
    for i in range(n):
        if r[R_MAP, i]:
            for j in range(r[R_P0, i], r[R_P1, i]):
                if p[j, P_KEEP]:
                    index[k] = j
                    k += 1
    return offsets, index


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
    offsets, index = _kept(r, p)
    keys = strings(d, extra, p[index, P_KS], p[index, P_KE], p[index, P_KK])
    items = strings(d, extra, p[index, P_VS], p[index, P_VE], p[index, P_VK])
    has = r[R_MAP] != 0
    mask = None if has.all() else pa.array(~has)
    return pa.MapArray.from_arrays(pa.array(offsets), keys, items, mask=mask)
