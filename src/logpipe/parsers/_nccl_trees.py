"""The ``Trees`` entries of many records at once (vectorized ``_nccl_values.parse_trees``).

A captured text is `` [c] spec`` repeated (spec has no spaces), so splitting at `` [``
cuts it into entries exactly. A spec is one tree (``c0/c1/c2->me->parent`` 2.8+,
``parent->me->c0/c1/c2`` 2.4) or, 2.5-2.7, ``up|down``: one entry per tree found, in
order; entries no layout reads (cut by the 1023-byte limit) are skipped.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.parsers._nccl_record import TREE_ENTRY

__all__ = ["trees_column"]

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
