"""Plan a commit's rows as the Parquet files cheapest to write: nested rows apart, nulls out.

Writing a ``list<struct>`` column (the parser's ``nccl`` records, 78 leaves) costs a
definition level per row and per leaf, and a row where the list is null costs more
than one that holds records when such rows alternate (each null run is handled per
leaf). So a large batch is written as two pieces: the rows that carry records, and the
rows that carry none (that one has no such column at all). Within a piece, a column
or a struct field null in every row is left out: Delta readers, DuckDB and pyarrow read
a missing column or struct field as null, as they do for files written before a
schema change added it. (``_files`` appends the pieces to a commit's files.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "ENCODED",
    "FREE_TEXT",
    "SLICES",
    "SPLIT_ROWS",
    "SPLIT_RUNS",
    "STATS",
    "Plan",
    "encodings",
    "pieces",
    "plan",
    "prune",
    "records_type",
]

#: Files written at once (the machine's cores are shared with parsing).
SLICES = 2

#: Below this many rows a batch stays one file (a flush of ``watch``: a second file
#: would cost more than the levels it saves).
SPLIT_ROWS = 4096
#: ... and unless rows with and without records alternate at least this often (runs
#: per row): copying the rows apart costs about what a run per leaf costs when writing,
#: and NCCL lines in blocks (init dumps, a pure NCCL debug file) cost little as they are.
SPLIT_RUNS = 1 / 8

#: Long, nearly unique text (dotted leaf paths): dictionary pages would be built to be
#: thrown away (measured: slower and no smaller).
FREE_TEXT = frozenset(
    {
        "line",
        "line_raw",
        "msg",
        "fields.key_value.value",
        "nccl.list.element.body",
        "nccl.list.element.attrs.key_value.value",
    }
)

#: Top-level columns given Parquet min/max statistics: the ones a reader skips row
#: groups on (computing them for every column costs ~10% of the write).
STATS = frozenset(
    {"path", "generation", "offset", "lineno", "ingested_at", "format", "level", "ts"}
)

#: Growing integers and times: delta-encoded they cost almost nothing (every value is
#: new, a dictionary would be built for nothing; ``ts``: 8% faster, 23% smaller).
ENCODED = frozenset({"offset", "lineno", "nbytes", "ts"})


@dataclass(frozen=True, slots=True)
class Plan:
    """A batch's rows as the pieces to write: (rows, partition values) each, and the
    schema of the whole batch (the table gets its new columns from it)."""

    schema: pa.Schema
    files: tuple[tuple[pa.Table, dict[str, str]], ...]

    @property
    def num_rows(self) -> int:
        return sum(rows.num_rows for rows, _ in self.files)


def plan(data: pa.Table, partitions: Sequence[str]) -> Plan:
    """The pieces of ``data``: per partition (its values as text), its ``pieces``."""
    keys = data.select(partitions).group_by(partitions).aggregate([]).to_pylist()
    files: list[tuple[pa.Table, dict[str, str]]] = []
    for key in keys:
        part = data
        if len(keys) > 1:
            part = data.filter(pc.and_(*[pc.equal(data[k], key[k]) for k in partitions]))
        values = {k: v.isoformat() if hasattr(v, "isoformat") else str(v) for k, v in key.items()}
        files += [(piece, values) for piece in pieces(part.drop_columns(partitions))]
    return Plan(data.schema, tuple(files))


def records_type(type_: pa.DataType) -> bool:
    """Whether a column holds lists of structs (not maps: their entries are never null)."""
    return bool(pa.types.is_list(type_) and pa.types.is_struct(type_.value_type))


def pieces(part: pa.Table, *, split_rows: int = SPLIT_ROWS) -> list[pa.Table]:
    """``part`` as the tables to write, each pruned: rows with records apart from the rest.

    The rows after the last one with records are one slice, not copied: ingest parses
    lines that may hold records first (``parsers.parse_nccl_first``), so that slice
    holds nearly all the rest.
    """
    nested = [f.name for f in part.schema if records_type(f.type)]
    if not nested or part.num_rows < split_rows:
        return [prune(part)]
    has = reduce(pc.or_, [pc.is_valid(part[name]) for name in nested]).combine_chunks()
    keep = has.to_numpy(zero_copy_only=False)
    block = int(np.flatnonzero(keep)[-1]) + 1 if keep.any() else 0
    rest = [prune(part.slice(block).drop_columns(nested))] if block < part.num_rows else []
    head, keep, has = part.slice(0, block), keep[:block], has.slice(0, block)
    runs = int(np.count_nonzero(keep[1:] != keep[:-1]))
    if block == 0 or runs < SPLIT_RUNS * block:
        return [prune(head), *rest] if block else rest
    other = head.drop_columns(nested).filter(pc.invert(has))
    return [prune(_with_records(head, has, keep)), prune(other), *rest]


def _with_records(part: pa.Table, has: pa.BooleanArray, keep: np.ndarray) -> pa.Table:
    """The rows of ``part`` where ``has``; lists of records kept without copying them."""
    columns = []
    for field, column in zip(part.schema, part.columns, strict=True):
        kept = _kept_lists(column.combine_chunks(), keep) if records_type(field.type) else None
        columns.append(column.filter(has) if kept is None else kept)
    return pa.Table.from_arrays(columns, schema=part.schema)


def _kept_lists(column: pa.ListArray, keep: np.ndarray) -> pa.ListArray | None:
    """``column`` at the rows ``keep``, sharing its values: the rows dropped hold none, so
    the kept lists lie end to end (None when a dropped row does hold values)."""
    offsets = column.offsets.to_numpy()
    starts, ends = offsets[:-1], offsets[1:]
    if np.any((ends != starts) & ~keep):
        return None
    new = np.append(starts[keep], ends[-1]).astype(offsets.dtype)
    mask = column.is_null().filter(pa.array(keep)) if column.null_count else None
    return pa.ListArray.from_arrays(pa.array(new), column.values, column.type, mask=mask)


def prune(table: pa.Table) -> pa.Table:
    """``table`` without its all-null columns, and its structs without all-null fields."""
    fields, arrays = [], []
    for field, column in zip(table.schema, table.columns, strict=True):
        if column.null_count == len(column) and len(column):
            continue
        kept = _pruned(column.combine_chunks()) if _nested(field.type) else column
        fields.append(field.with_type(kept.type))
        arrays.append(kept)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _nested(type_: pa.DataType) -> bool:
    return pa.types.is_struct(type_) or records_type(type_)


def _pruned(array: pa.Array) -> pa.Array:
    """``array`` (a struct, or a list of them) without the struct fields null throughout."""
    if isinstance(array, pa.ListArray):
        values = _pruned(array.values)
        item = array.type.value_field.with_type(values.type)
        mask = array.is_null() if array.null_count else None
        return pa.ListArray.from_arrays(array.offsets, values, pa.list_(item), mask=mask)
    if not isinstance(array, pa.StructArray):
        return array
    fields, children = [], []
    for i in range(array.type.num_fields):
        child = array.field(i)
        if child.null_count == len(child) and len(child):
            continue
        # One level only: structs deeper down (NCCL trees) keep their type, so files
        # differ in few ways (readers group files by schema).
        fields.append(array.type.field(i))
        children.append(child)
    if not fields:  # an empty struct cannot be written: keep one (null) field
        fields, children = [array.type.field(0)], [array.field(0)]
    mask = array.is_null() if array.null_count else None
    return pa.StructArray.from_arrays(children, fields=fields, mask=mask)


def _leaves(path: str, type_: pa.DataType) -> Iterator[str]:
    """The dotted Parquet paths of the leaf columns of a column (pyarrow's naming)."""
    if pa.types.is_struct(type_):
        for field in type_:
            yield from _leaves(f"{path}.{field.name}", field.type)
    elif pa.types.is_map(type_):
        yield f"{path}.key_value.key"
        yield from _leaves(f"{path}.key_value.value", type_.item_type)
    elif pa.types.is_list(type_) or pa.types.is_large_list(type_):
        yield from _leaves(f"{path}.list.element", type_.value_type)
    else:
        yield path


def encodings(schema: pa.Schema) -> dict[str, Any]:
    """Parquet writer options per leaf: dictionaries where values repeat, deltas for offsets."""
    leaves = [leaf for field in schema for leaf in _leaves(field.name, field.type)]
    return {
        "use_dictionary": [c for c in leaves if c not in FREE_TEXT and c not in ENCODED],
        "column_encoding": {c: "DELTA_BINARY_PACKED" for c in leaves if c in ENCODED},
        "write_statistics": [f.name for f in schema if f.name in STATS],
    }
