"""Write one commit's Parquet files as its batches arrive: a file per partition and kind of row.

A commit of many megabytes is parsed in small batches, so only a few of them are in
memory at once; each batch is planned (``_layout``: rows with NCCL records apart,
null columns left out) and appended to the open file of its partition and kind as
one more row group. The files stay few and large however small the batches. A batch
that holds values its file's schema left out (a column null in every earlier row)
closes that file and opens another. Nothing here is committed: ``close()`` gives the
Delta add actions, ``discard()`` deletes what was written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
import threading
import uuid
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from deltalake.transaction import AddAction

from logpipe.ingest import _layout

__all__ = ["FileSet", "conform"]

#: Parquet writer settings for every file. A run is encoded in batches of 64 Ki rows (not
#: 1 Ki) and a page ends at its byte size (1 MiB), not at 20,000 rows: fewer, larger
#: pages to compress and less per-batch work (measured: writing 6% cheaper, same size).
WRITER: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 1,
    "write_batch_size": 1 << 16,
    "max_rows_per_page": 1 << 20,
}

#: Columns whose min/max go into the Delta stats (file skipping by offset or time).
DELTA_STATS = ("generation", "offset", "lineno", "ingested_at", "ts")


def _stat_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return value


@dataclass
class _Stats:
    """Delta file statistics, gathered over the row groups of one file."""

    rows: int = 0
    mins: dict[str, Any] = field(default_factory=dict)
    maxs: dict[str, Any] = field(default_factory=dict)
    nulls: dict[str, int] = field(default_factory=dict)

    def add(self, part: pa.Table) -> None:
        self.rows += part.num_rows
        for name in DELTA_STATS:
            if name not in part.column_names:
                continue
            column = part[name]
            self.nulls[name] = self.nulls.get(name, 0) + column.null_count
            bounds = pc.min_max(column).as_py()
            if bounds["min"] is not None:
                low, high = self.mins.get(name), self.maxs.get(name)
                self.mins[name] = bounds["min"] if low is None else min(low, bounds["min"])
                self.maxs[name] = bounds["max"] if high is None else max(high, bounds["max"])

    def json(self) -> str:
        doc = {
            "numRecords": self.rows,
            "minValues": {k: _stat_value(v) for k, v in self.mins.items()},
            "maxValues": {k: _stat_value(v) for k, v in self.maxs.items()},
            "nullCount": self.nulls,
        }
        return json.dumps(doc)


def _conform_array(array: pa.Array, type_: pa.DataType) -> pa.Array | None:
    """``array`` as ``type_``, whose struct fields may be more (null here), or None."""
    if array.type == type_:
        return array
    if isinstance(array, pa.ListArray) and pa.types.is_list(type_):
        values = _conform_array(array.values, type_.value_type)
        if values is None:
            return None
        mask = array.is_null() if array.null_count else None
        return pa.ListArray.from_arrays(array.offsets, values, type_, mask=mask)
    if not (isinstance(array, pa.StructArray) and pa.types.is_struct(type_)):
        return None
    have = {array.type.field(i).name: array.field(i) for i in range(array.type.num_fields)}
    if not set(have) <= {f.name for f in type_}:
        return None
    children = []
    for f in type_:
        child = have.get(f.name)
        child = pa.nulls(len(array), f.type) if child is None else _conform_array(child, f.type)
        if child is None:
            return None
        children.append(child)
    mask = array.is_null() if array.null_count else None
    return pa.StructArray.from_arrays(children, fields=list(type_), mask=mask)


def conform(part: pa.Table, schema: pa.Schema) -> pa.Table | None:
    """``part`` with exactly ``schema``'s columns (nulls where it has none); None when
    it holds a column or struct field the schema left out."""
    if not set(part.column_names) <= set(schema.names):
        return None
    arrays = []
    for f in schema:
        if f.name not in part.column_names:
            arrays.append(pa.nulls(part.num_rows, f.type))
            continue
        column = part[f.name]
        kept = column if column.type == f.type else _conform_array(column.combine_chunks(), f.type)
        if kept is None:
            return None
        arrays.append(kept)
    return pa.Table.from_arrays(arrays, schema=schema)


#: The writing threads' nice value (Linux: per thread). The parsing thread is the
#: pipeline's critical path; at equal priority the two writers took a core and a half
#: from it while they ran (measured on the 1 GB bench: 89 -> 94 MB/s at a lower one).
#: The writers still get every cycle the parser leaves, and their backlog is bounded
#: (the parser waits once a parsed run is queued), so they cannot fall behind for long.
WRITER_NICE = 10


def _yielding() -> None:
    """Lower the calling thread's priority (a writer's: see ``WRITER_NICE``)."""
    if sys.platform == "linux":  # elsewhere the id would name a process
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WRITER_NICE)


class _File:
    """One Parquet file being written: its writer, where it goes, its statistics."""

    def __init__(
        self,
        fs: pafs.FileSystem,
        base: str,
        values: dict[str, str],
        schema: pa.Schema,
        written: list[str],
    ) -> None:
        folder = "/".join(f"{k}={quote(v, safe='')}" for k, v in values.items())
        self.name = f"{folder}/part-00000-{uuid.uuid4()}-c000.zstd.parquet"
        self.path = f"{base}/{self.name}"
        self.values, self.schema, self.stats = values, schema, _Stats()
        fs.create_dir(f"{base}/{folder}", recursive=True)
        written.append(self.path)  # before opening: a half-written file is discarded too
        options = _layout.encodings(schema)
        self.writer = pq.ParquetWriter(self.path, schema, filesystem=fs, **WRITER, **options)

    def write(self, part: pa.Table) -> None:
        self.writer.write_table(part)
        self.stats.add(part)


class FileSet:
    """The files of one commit, appended to batch by batch (see the module docstring)."""

    def __init__(self, fs: pafs.FileSystem, base: str, partitions: Sequence[str]) -> None:
        self.fs, self.base, self.partitions = fs, base, list(partitions)
        self.schema: pa.Schema | None = None  # of the batches (the table's columns)
        self.written: list[str] = []  # every path opened, for ``discard``
        self._open: dict[tuple[str, bool], _File] = {}
        self._closed: list[_File] = []
        self._pool: ThreadPoolExecutor | None = None
        self._writing: list[Future[None]] = []  # the last batch's writes, under way

    @property
    def num_rows(self) -> int:
        return sum(f.stats.rows for f in [*self._open.values(), *self._closed])

    def add(self, data: pa.Table | _layout.Plan) -> None:
        """Append the pieces of ``data`` (planned if not yet) to their files, two at once.

        The writing goes on after this returns, so the caller can plan the next batch
        meanwhile; it is waited for by the next ``add`` (which raises what failed) or
        by ``close``. Encoding and compressing Parquet releases the GIL.
        """
        plan = data if isinstance(data, _layout.Plan) else _layout.plan(data, self.partitions)
        self._settle()
        if plan.num_rows == 0:
            return
        known = [plan.schema] if self.schema is None else [self.schema, plan.schema]
        self.schema = pa.unify_schemas(known)
        jobs = [self._target(piece, values) for piece, values in plan.files]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                _layout.SLICES, thread_name_prefix="logpipe-parquet", initializer=_yielding
            )
        self._writing = [self._pool.submit(target.write, rows) for target, rows in jobs]

    def _settle(self) -> None:
        """Wait for the writes under way; raise the first that failed."""
        writing, self._writing = self._writing, []
        for done in [f.exception() for f in writing]:
            if done is not None:
                raise done

    def _target(self, piece: pa.Table, values: dict[str, str]) -> tuple[_File, pa.Table]:
        """The open file ``piece`` goes to (a new one when it does not fit), and its rows."""
        nested = any(_layout.records_type(f.type) for f in piece.schema)
        key = ("/".join(values.values()), nested)
        current = self._open.get(key)
        rows = conform(piece, current.schema) if current is not None else None
        if current is None or rows is None:
            if current is not None:
                self._finish(current)
            current = _File(self.fs, self.base, values, piece.schema, self.written)
            self._open[key] = current
            rows = piece
        return current, rows

    def _finish(self, f: _File) -> None:
        f.writer.close()
        self._closed.append(f)

    def close(self) -> list[AddAction]:
        """Finish every file; their add actions (the files are not committed yet)."""
        self._settle()
        for f in self._open.values():
            self._finish(f)
        self._open.clear()
        self._shutdown()
        actions = []
        for f in self._closed:
            info = self.fs.get_file_info(f.path)
            mtime = int(info.mtime.timestamp() * 1000) if info.mtime else 0
            # The path as on disk: delta-rs URL-encodes it once more for the log.
            actions.append(AddAction(f.name, info.size, f.values, mtime, True, f.stats.json()))
        return actions

    def discard(self) -> None:
        """Delete everything written (best effort: a vacuum would too)."""
        with contextlib.suppress(Exception):
            self._settle()
        for f in self._open.values():
            with contextlib.suppress(OSError, pa.ArrowException):
                f.writer.close()
        self._open.clear()
        self._shutdown()
        for path in self.written:
            with contextlib.suppress(OSError):
                self.fs.delete_file(path)

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
