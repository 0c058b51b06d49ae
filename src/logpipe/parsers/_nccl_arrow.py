"""Captured text -> typed value on whole Arrow arrays (mirror of ``_nccl_values.convert``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.parsers._nccl_record import COLUMN_KIND
from logpipe.parsers._nccl_trees import trees_column
from logpipe.parsers._nccl_values import COLUMNS

__all__ = ["attrs_map", "edge_post", "flatnonzero", "scatter", "typed"]

_STR = pa.string()
_NULL_STR = pa.scalar(None, _STR)
_HEX_DIGIT = np.zeros(256, np.int64)
_HEX_DIGIT[48:58] = np.arange(10)
_HEX_DIGIT[65:71] = np.arange(10, 16)
_HEX_DIGIT[97:103] = np.arange(10, 16)


def flatnonzero(mask: pa.BooleanArray | pa.ChunkedArray) -> np.ndarray:
    """Positions where ``mask`` is true (null counts as false)."""
    return np.flatnonzero(pc.fill_null(mask, False).to_numpy(zero_copy_only=False))


def _nonempty(text: pa.StringArray) -> pa.StringArray:
    return pc.if_else(pc.not_equal(text, ""), text, _NULL_STR)


def _hex_to_int64(text: pa.StringArray) -> pa.Int64Array:
    """Hex strings (at most 15 digits, never empty where valid) -> int64, nulls kept."""
    if len(text) == 0:
        return pa.array([], pa.int64())
    valid = text.is_valid()
    text = pc.fill_null(text, "0").cast(_STR)
    offsets = np.frombuffer(text.buffers()[1], np.int32)[text.offset : text.offset + len(text) + 1]
    data = np.frombuffer(text.buffers()[2], np.uint8)[offsets[0] : offsets[-1]]
    lengths = np.diff(offsets)
    row_end = np.repeat(offsets[1:] - offsets[0], lengths)
    shift = 4 * (row_end - 1 - np.arange(len(data)))
    values = np.add.reduceat(_HEX_DIGIT[data] << shift, offsets[:-1] - offsets[0])
    return pa.array(values, pa.int64(), mask=~valid.to_numpy(zero_copy_only=False))


def _ints(text: pa.StringArray) -> pa.ListArray:
    parts = pc.split_pattern_regex(pc.utf8_trim(text, " "), "[ /]+")
    return parts.cast(pa.list_(pa.int32()))


def _nics(text: pa.StringArray) -> pa.ListArray:
    parts = pc.split_pattern(pc.utf8_trim(text, " "), " ")
    names = pc.replace_substring_regex(parts.flatten(), r"^\[\d{1,9}\]", "")
    return pa.ListArray.from_arrays(parts.offsets, names, mask=parts.is_null())


def typed(name: str, text: pa.StringArray) -> pa.Array:
    """Column ``name`` from captured text (``""`` = not captured), as ``convert`` does."""
    arrow = COLUMNS[name]
    if pa.types.is_boolean(arrow):
        return pc.not_equal(pc.fill_null(text, ""), "")
    text = _nonempty(text)
    kind = COLUMN_KIND.get(name)
    if kind == "hex":
        return _hex_to_int64(text)
    if kind == "ints":
        return _ints(text)
    if kind == "nics":
        return _nics(text)
    if kind == "trees":
        return trees_column(text)
    return text.cast(arrow)


def attrs_map(names: Sequence[str], columns: Sequence[pa.StringArray]) -> pa.MapArray:
    """Per row, a map of the non-empty texts of ``columns`` keyed by ``names``."""
    rows, width = len(columns[0]), len(names)
    # Interleave row-major (row r, column j at r*width + j) with one take.
    order = (np.arange(width)[None, :] * rows + np.arange(rows)[:, None]).ravel()
    items = pa.concat_arrays([pc.fill_null(c, "").cast(_STR) for c in columns]).take(order)
    keys = pa.array(np.tile(np.array(names, dtype=object), rows), _STR)
    keep = pc.not_equal(items, "")
    counts = keep.to_numpy(zero_copy_only=False).reshape(rows, width).sum(axis=1)
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]), pa.int32())
    return pa.MapArray.from_arrays(
        offsets, keys.filter(keep), items.filter(keep), mask=pa.array(counts == 0)
    )


def edge_post(values: dict[str, pa.Array]) -> None:
    """Vectorized ``_nccl_values.edge_post``: transport kind, P2P mode, read flag."""
    transport = values["transport"]
    first = pc.list_element(pc.split_pattern(transport, "/", max_splits=1), 0)
    kind = pc.if_else(pc.equal(transport, "direct shared memory"), "SHM", first)
    values["transport_kind"] = kind
    if "p2p_mode" in values:
        mode = values["p2p_mode"]
        values["p2p_mode"] = pc.if_else(pc.starts_with(mode, "indirect/"), "indirect", mode)
    if "p2p_read" in values:
        values["p2p_read"] = pc.if_else(pc.equal(kind, "P2P"), values["p2p_read"], None)


def scatter(
    size: int, pieces: Sequence[tuple[np.ndarray, pa.Array]], arrow: pa.DataType
) -> pa.Array:
    """An array of ``size`` nulls with each piece's values placed at its positions."""
    if not pieces:
        return pa.nulls(size, arrow)
    values = pa.concat_arrays([*(v.cast(arrow) for _, v in pieces), pa.nulls(1, arrow)])
    index = np.full(size, len(values) - 1, np.int64)
    start = 0
    for positions, piece in pieces:
        index[positions] = np.arange(start, start + len(piece))
        start += len(piece)
    return values.take(pa.array(index))
