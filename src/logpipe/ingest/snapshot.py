"""Read one consistent snapshot of the table through its file list (never ``to_pyarrow_table``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs
from deltalake import DeltaTable
from deltalake.exceptions import DeltaError, TableNotFoundError

from logpipe import errors as _errors

if TYPE_CHECKING:
    import duckdb

__all__ = ["dataset", "duckdb_connect", "open_table", "read_table"]


def open_table(uri: str | Path) -> DeltaTable:
    """The table at ``uri``; a ``DatasetError`` naming it when there is none."""
    try:
        return DeltaTable(str(uri))
    except TableNotFoundError as exc:
        raise _errors.DatasetError(f"no logpipe dataset at {uri} (no Delta table there)") from exc
    except (DeltaError, OSError) as exc:
        raise _errors.DatasetError(f"cannot open dataset {uri}: {exc}") from exc


def dataset(uri: str | Path, *, source: str | None = None) -> ds.Dataset:
    """The table's current snapshot as a pyarrow dataset (optionally one source only).

    deltalake 1.6 with pyarrow 26 aborts the interpreter at exit after
    ``DeltaTable.to_pyarrow_table()``; building the dataset from the add actions
    (paths plus partition values) reads the same snapshot and exits cleanly.
    """
    dt = open_table(uri)
    schema = pa.schema(dt.schema().to_arrow())
    adds = pa.table(dt.get_add_actions(flatten=True))
    parts = [c.removeprefix("partition.") for c in adds.column_names if c.startswith("partition.")]
    if source is not None:
        adds = adds.filter(pc.equal(adds["partition.source"], source))
    fmt = ds.ParquetFileFormat()
    fs, base = pafs.FileSystem.from_uri(dt.table_uri)
    fragments = []
    for row in adds.select(["path", *(f"partition.{p}" for p in parts)]).to_pylist():
        expr = pc.scalar(True)
        for p in parts:
            value = row[f"partition.{p}"]
            expr = expr & (pc.field(p).is_null() if value is None else pc.field(p) == value)
        path = f"{base.rstrip('/')}/{unquote(row['path'])}"
        fragments.append(fmt.make_fragment(path, fs, partition_expression=expr))
    return ds.FileSystemDataset(fragments, schema, fmt, fs)


def read_table(
    uri: str | Path, *, columns: list[str] | None = None, source: str | None = None
) -> pa.Table:
    """The snapshot's rows (some columns, one source) as an Arrow table."""
    return dataset(uri, source=source).to_table(columns=columns)


def duckdb_connect(uri: str | Path, *, view: str = "logs") -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the snapshot registered as ``view``."""
    import duckdb  # noqa: PLC0415 (tens of MB: sync and watch never load it)

    con = duckdb.connect()
    con.register(view, dataset(uri))
    return con
