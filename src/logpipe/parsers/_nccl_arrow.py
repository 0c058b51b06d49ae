"""Captured text -> typed value on whole Arrow arrays (mirror of ``_nccl_values.convert``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.parsers._nccl_record import COLUMN_KIND, TREE_ENTRY
from logpipe.parsers._nccl_values import COLUMNS

__all__ = ["attrs_map", "edge_post", "flatnonzero", "trees_column", "typed"]

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
    """Column ``name`` from captured text, as ``convert`` does.

    ``""`` is "not captured": null, or false for a flag; a null stays null.
    """
    arrow = COLUMNS[name]
    if pa.types.is_boolean(arrow):
        return pc.not_equal(text, "")
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
    """Vectorized ``_nccl_values.edge_post`` on captured texts (``typed`` comes after)."""
    transport = values["transport"]
    first = pc.list_element(pc.split_pattern(transport, "/", max_splits=1), 0)
    kind = pc.if_else(pc.equal(transport, "direct shared memory"), "SHM", first)
    values["transport_kind"] = kind
    if "p2p_mode" in values:
        mode = values["p2p_mode"]
        values["p2p_mode"] = pc.if_else(pc.starts_with(mode, "indirect/"), "indirect", mode)
    if "p2p_read" in values:
        values["p2p_read"] = pc.if_else(pc.equal(kind, "P2P"), values["p2p_read"], None)


# --- Trees: a captured text is " [c] spec" repeated (spec has no spaces), so splitting at
# " [" cuts it into entries exactly. A spec is one tree (c0/c1/c2->me->parent 2.8+,
# parent->me->c0/c1/c2 2.4) or, 2.5-2.7, up|down: one entry per tree found, in order;
# entries no layout reads (cut by the 1023-byte limit) are skipped.

_N = r"-?\d{1,9}"
_ENTRY = r"^(?P<channel>\d{1,9})\] (?P<spec>.*)$"
_KIDS = rf"(?P<a>{_N})/(?P<b>{_N})/(?P<c>{_N})"
_CHILDREN_FIRST = rf"^{_KIDS}->(?P<rank>{_N})->(?P<other>{_N})$"
_PARENT_FIRST = rf"^(?P<other>{_N})->(?P<rank>{_N})->{_KIDS}$"
_ORDER = ("a", "b", "c", "rank", "other")
_I32 = pa.int32()


def _parts(specs: pa.StringArray) -> tuple[np.ndarray, pa.Array, pa.Array]:
    """Each spec's trees: the spec index, the tree text and its tag (null, up, down)."""
    halves = pc.split_pattern(specs, "|", max_splits=1)
    lengths = pc.list_value_length(halves).to_numpy()
    owner = np.repeat(np.arange(len(specs)), lengths)
    position = np.arange(len(owner)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    tags = np.where(position == 0, "up", "down").astype(object)
    tags[np.repeat(lengths, lengths) == 1] = None  # one tree per channel: no up/down
    return owner, halves.values, pa.array(tags, pa.string())


def _read(parts: pa.StringArray) -> tuple[pa.StructArray, np.ndarray]:
    """Rank, parent and children of each tree text, and which texts a layout reads."""
    first = pc.extract_regex(parts, _CHILDREN_FIRST)
    second = pc.extract_regex(parts, _PARENT_FIRST)
    use_first = first.is_valid().to_numpy(zero_copy_only=False)
    ok = use_first | second.is_valid().to_numpy(zero_copy_only=False)
    mask = pa.array(use_first)
    fields = [pc.if_else(mask, first.field(n), second.field(n)) for n in _ORDER]
    return pa.StructArray.from_arrays(fields, names=list(_ORDER)), ok


def trees_column(texts: pa.StringArray) -> pa.ListArray:
    """``list<TREE_ENTRY>`` per captured ``Trees`` text (null when empty or unreadable)."""
    entries = pc.split_pattern(pc.fill_null(texts, ""), " [")
    counts = pc.list_value_length(entries).to_numpy()
    record = np.repeat(np.arange(len(texts)), counts)
    found = pc.extract_regex(entries.values, _ENTRY)
    real = found.is_valid().to_numpy(zero_copy_only=False)  # drops the "" before the first
    record, found = record[real], found.filter(pa.array(real))
    owner, trees, tags = _parts(found.field("spec"))
    values, ok = _read(trees)
    owner, tags, values = owner[ok], tags.filter(pa.array(ok)), values.filter(pa.array(ok))
    owner_record = record[owner]
    size = len(values)
    kids = pa.concat_arrays([values.field(n) for n in ("a", "b", "c")])  # a.., b.., c..
    by_tree = pa.array(np.arange(3 * size).reshape(3, size).T.ravel())  # a0 b0 c0 a1 ..
    children = pa.ListArray.from_arrays(
        pa.array(np.arange(0, 3 * size + 1, 3), pa.int32()), kids.take(by_tree).cast(_I32)
    )
    entry = pa.StructArray.from_arrays(
        [
            found.field("channel").take(pa.array(owner)).cast(_I32),
            values.field("rank").cast(_I32),
            values.field("other").cast(_I32),
            children,
            tags,
        ],
        fields=list(TREE_ENTRY),
    )
    per_record = np.bincount(owner_record, minlength=len(texts))
    offsets = pa.array(np.concatenate([[0], np.cumsum(per_record)]), pa.int32())
    return pa.ListArray.from_arrays(offsets, entry, mask=pa.array(per_record == 0))
