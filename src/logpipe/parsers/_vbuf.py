"""Zero-copy views of Arrow string buffers as numpy bytes, and substrings by byte ranges.

The batch path finds delimiters with numpy over a string array's data buffer and cuts
substrings out of that same buffer: ``slices`` lays the wanted ranges out as the pieces
of one string array over the original bytes (no copy) and gathers them with one
``take`` (one copy, at memcpy speed).
"""

from __future__ import annotations

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


def view(arr: pa.StringArray) -> tuple[np.ndarray, np.ndarray]:
    """(data bytes, int64 row offsets of length n+1) of a string array, without copying."""
    n = len(arr)
    bufs = arr.buffers()
    if n == 0 or bufs[1] is None:
        return np.zeros(0, np.uint8), np.zeros(n + 1, np.int64)
    offsets = np.frombuffer(bufs[1], np.int32, count=n + 1, offset=arr.offset * 4)
    data = np.frombuffer(bufs[2], np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    return data, offsets.astype(np.int64)


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


def first_bytes(arr: pa.StringArray) -> np.ndarray:
    """The first byte of every row (0 for an empty row)."""
    data, offsets = view(arr)
    first = np.zeros(len(arr), np.uint8)
    filled = offsets[1:] > offsets[:-1]
    first[filled] = data[offsets[:-1][filled]]
    return first


def replace_at(values: pa.Array, at: np.ndarray, new: pa.Array) -> pa.Array:
    """``values`` with ``values[at[i]]`` replaced by ``new[i]``."""
    index = np.arange(len(values))
    index[at] = len(values) + np.arange(len(at))
    return pa.concat_arrays([values, new.cast(values.type)]).take(pa.array(index))


def cut(arr: pa.StringArray, head: np.ndarray, tail: np.ndarray | None = None) -> pa.StringArray:
    """Every row without its first ``head`` (and last ``tail``) bytes."""
    _, offsets = view(arr)
    end = offsets[1:] if tail is None else offsets[1:] - tail
    return slices(arr, offsets[:-1] + head, end)


def firsts(rows: np.ndarray) -> np.ndarray:
    """Mask of the first element of each run of equal values in sorted ``rows``."""
    mask = np.ones(len(rows), np.bool_)
    mask[1:] = rows[1:] != rows[:-1]
    return mask


def lasts(rows: np.ndarray) -> np.ndarray:
    """Mask of the last element of each run of equal values in sorted ``rows``."""
    mask = np.ones(len(rows), np.bool_)
    mask[:-1] = rows[1:] != rows[:-1]
    return mask


def spread(n: int, rows: np.ndarray, values: pa.Array) -> pa.Array:
    """A length-``n`` array holding ``values[i]`` at ``rows[i]`` and null elsewhere."""
    index = np.full(n, -1, np.int64)
    index[rows] = np.arange(len(rows))
    return values.take(pa.array(index, mask=index < 0))


def keep_rows(cols: dict[str, pa.Array], keep: np.ndarray) -> dict[str, pa.Array]:
    """The columns at the rows where ``keep`` (no copy when every row stays)."""
    if keep.all():
        return cols
    mask = pa.array(keep)
    return {k: v.filter(mask) for k, v in cols.items()}


def bools(arr: pa.Array) -> np.ndarray:
    """A boolean Arrow array as numpy (null as False)."""
    out: np.ndarray = pc.fill_null(arr, False).to_numpy(zero_copy_only=False)
    return out


def matches(arr: pa.StringArray, pattern: str) -> np.ndarray:
    """Rows that an (anchored, RE2) pattern matches, as a numpy mask."""
    if len(arr) == 0:
        return np.zeros(0, np.bool_)
    return bools(pc.match_substring_regex(arr, pattern))


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
