"""Zero-copy views of Arrow string buffers as numpy bytes, substrings by byte ranges, and
numpy arrays in Arrow's memory pool.

The batch path finds delimiters with numpy over a string array's data buffer and cuts
substrings out of that same buffer: ``slices`` lays the wanted ranges out as the pieces
of one string array over the original bytes (no copy) and gathers them with one
``take`` (one copy, at memcpy speed).
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def as_strings(lines: pa.Array | pa.ChunkedArray) -> pa.StringArray:
    """One ``string`` array (chunks combined, large strings narrowed)."""
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks() if lines.num_chunks != 1 else lines.chunk(0)
    if lines.type != pa.string():
        lines = lines.cast(pa.string())
    return lines


def buffers(arr: pa.StringArray) -> tuple[np.ndarray, np.ndarray]:
    """(read-only data bytes, int32 offsets of length n+1) of a string array, no copy."""
    bufs = arr.buffers()
    n = len(arr)
    if bufs[1] is None:
        return np.frombuffer(b"", np.uint8), np.zeros(n + 1, np.int32)
    offsets = np.frombuffer(bufs[1], np.int32, count=n + 1, offset=arr.offset * 4)
    data = np.frombuffer(bufs[2] if bufs[2] is not None else b"", np.uint8)
    return data, offsets


def view(arr: pa.StringArray) -> tuple[np.ndarray, np.ndarray]:
    """(data bytes, int64 row offsets of length n+1) of a string array, without copying
    the data."""
    data, offsets = buffers(arr)
    return data, offsets.astype(np.int64)


def empty(shape: int | tuple[int, ...], dtype: type) -> np.ndarray:
    """An uninitialized array in Arrow's memory pool.

    The pool (mimalloc or jemalloc) keeps freed memory for the next batch; a fresh
    many-megabyte ``np.empty`` is a new mapping whose every page the kernel zeroes first
    (a fifth of the batch time when measured).
    """
    count = shape if isinstance(shape, int) else math.prod(shape)  # (np.prod: 5 µs a call)
    size = count * np.dtype(dtype).itemsize
    return np.frombuffer(pa.allocate_buffer(size), dtype).reshape(shape)


def slices(
    arr: pa.StringArray, starts: np.ndarray, ends: np.ndarray, valid: np.ndarray | None = None
) -> pa.StringArray:
    """``data[starts[i]:ends[i]]`` of ``arr``'s buffer (ascending, non-overlapping ranges)."""
    k = len(starts)
    if k == 0:
        return pa.array([], pa.string())
    offsets = np.empty(2 * k, np.int32)
    offsets[0::2] = starts
    offsets[1::2] = ends
    data = arr.buffers()[2] if arr.buffers()[2] is not None else pa.py_buffer(b"")
    pieces = pa.StringArray.from_buffers(2 * k - 1, pa.py_buffer(offsets), data)
    index = np.arange(0, 2 * k, 2)
    return pieces.take(pa.array(index, mask=None if valid is None else ~valid))


def bools(arr: pa.Array) -> np.ndarray:
    """A boolean Arrow array as numpy (null as False)."""
    out: np.ndarray = pc.fill_null(arr, False).to_numpy(zero_copy_only=False)
    return out


def strip_eol(arr: pa.StringArray) -> pa.StringArray:
    """Drop one trailing ``\\n`` then one trailing ``\\r`` (``_reference.strip_eol``)."""
    lf = bools(pc.ends_with(arr, "\n"))
    cr = bools(pc.ends_with(arr, "\r"))
    if not (lf.any() or cr.any()):
        return arr
    data, offsets = view(arr)
    end = offsets[1:] - lf
    end -= (end > offsets[:-1]) & (data[np.maximum(end - 1, 0)] == 13)
    return slices(arr, offsets[:-1], end)
