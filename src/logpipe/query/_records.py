"""One data file's NCCL records as a flat table: one row per record, one column per field.

DuckDB unnests ``list<NCCL_RECORD>`` (73 struct fields) at about 30 us a record, so
views over the raw column would take minutes on a large dataset; pyarrow flattens the
same column in a fraction of that. Each data file is flattened once (files never
change) and the views read the flat tables.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from logpipe.parsers._schema import NCCL_RECORD

__all__ = ["BULK_FAMILIES", "PROVENANCE", "empty", "flatten", "is_small", "widen"]

#: Families printed per operation rather than once per communicator: they make up most
#: records of a long job and stay out of the per-snapshot index the summaries read.
BULK_FAMILIES: Final = ("coll_call", "algo_select", "tuning_table", "proxy_conn")

#: Where each record comes from (``rec`` numbers the records of one line from 0;
#: ``line_ts`` is the line's own parsed time, ``ts`` in the record is NCCL's).
PROVENANCE: Final = pa.schema(
    [
        pa.field("_file", pa.string()),
        pa.field("source", pa.string()),
        pa.field("date", pa.date32()),
        pa.field("path", pa.string()),
        pa.field("generation", pa.int64()),
        pa.field("offset", pa.int64()),
        pa.field("lineno", pa.int64()),
        pa.field("rec", pa.int32()),
        pa.field("line_ts", pa.timestamp("us", tz="UTC")),
        pa.field("ingested_at", pa.timestamp("us", tz="UTC")),
    ]
)
_FROM_FILE = ("path", "generation", "offset", "lineno", "ts", "ingested_at")


def _schema(record: pa.StructType) -> pa.Schema:
    return pa.schema([*PROVENANCE, *(record.field(i) for i in range(record.num_fields))])


def empty(record: pa.StructType = NCCL_RECORD) -> pa.Table:
    """A table with no records, typed like ``flatten``'s output."""
    return _schema(record).empty_table()


def widen(table: pa.Table) -> pa.Table:
    """``table`` with every field of the full record type (null where it had none).

    Ingest leaves out struct fields null in a whole file, so flattened files differ in
    columns; one schema for all lets DuckDB bind a list of them from a single footer
    instead of one per distinct schema (about 10 ms a view on a 300-file snapshot).
    """
    return pa.concat_tables([empty(), table], promote_options="permissive")


def is_small(table: pa.Table) -> pa.BooleanArray:
    """Records kept in the per-snapshot index: all but the per-operation families.

    Records of no known family (topology dumps, proxy traces...) are left out too,
    unless they are warnings.
    """
    family = table["family"]
    bulk = pc.is_in(family, pa.array(BULK_FAMILIES))
    known = pc.invert(pc.fill_null(bulk, True))
    warn = pc.fill_null(pc.equal(table["level"], "WARN"), False)
    return pc.or_(known, warn).combine_chunks()


def _ordinals(column: pa.ListArray, parents: np.ndarray) -> np.ndarray:
    """Position of each flattened record within its line (0 for the first)."""
    offsets = column.offsets.to_numpy()
    ordinals: np.ndarray = np.arange(len(parents)) + offsets[0] - offsets[parents]
    return ordinals.astype(np.int32)


def flatten(path: str, *, rel: str, source: str, date: object) -> pa.Table:
    """Every NCCL record of the data file at ``path`` with its provenance.

    A file written before the ``nccl`` column existed (or by a parser without it) has
    no records.
    """
    parquet = pq.ParquetFile(path)
    names = parquet.schema_arrow.names
    if "nccl" not in names:
        return empty()
    wanted = [c for c in (*_FROM_FILE, "nccl") if c in names]
    data = parquet.read(columns=wanted)
    column = data["nccl"].combine_chunks()
    record_type = column.type.value_type
    if column.null_count == len(column):
        return empty(record_type)
    parents = pc.list_parent_indices(column).to_numpy()
    flat = pc.list_flatten(column)
    take = pa.array(parents)
    n = len(parents)
    provenance: dict[str, pa.Array] = {
        "_file": pa.repeat(pa.scalar(rel, pa.string()), n),
        "source": pa.repeat(pa.scalar(source, pa.string()), n),
        "date": pa.repeat(pa.scalar(date, pa.date32()), n),
        "rec": pa.array(_ordinals(column, parents)),
    }
    for name in _FROM_FILE:
        target = "line_ts" if name == "ts" else name
        kind = PROVENANCE.field(target).type
        provenance[target] = (
            data[name].take(take).cast(kind) if name in names else pa.nulls(n, kind)
        )
    arrays = [provenance[f.name] for f in PROVENANCE] + flat.flatten()
    return pa.Table.from_arrays(arrays, schema=_schema(record_type))
