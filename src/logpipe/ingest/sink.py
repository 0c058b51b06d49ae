"""The Delta Lake table: commit data and offsets in one transaction, exactly once."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from deltalake import (
    ColumnProperties,
    CommitProperties,
    DeltaTable,
    Schema,
    Transaction,
    WriterProperties,
)
from deltalake.exceptions import CommitFailedError, DeltaError, TableNotFoundError
from deltalake.transaction import AddAction, RemoveAction

from logpipe.errors import DatasetError
from logpipe.ingest import _layout, _teardown

__all__ = [
    "CHECKPOINT_INTERVAL",
    "CHECKPOINT_KEY",
    "CommitFn",
    "DeltaSink",
    "META_KEY",
    "PARTITIONS",
    "app_id",
    "commit_files",
    "writer_properties",
]

log = logging.getLogger("logpipe.ingest.sink")

#: The table is partitioned by source name and the UTC date of ingestion.
PARTITIONS = ["source", "date"]
#: The commit-info key holding logpipe's offsets payload.
META_KEY = "logpipe"

# Columns whose min/max go into the Delta stats (file skipping by offset or time).
_STATS = ("generation", "offset", "lineno", "ingested_at", "ts")
#: Delta writes a checkpoint every this many commits (the table property below, which
#: delta-rs and Spark honour after each commit): opening the table then replays at most
#: this many JSON commits, not the whole log (at 80 commits an open took 27 ms, a commit
#: 50). Set on the tables logpipe creates, and on its tables without one.
CHECKPOINT_INTERVAL = 10
CHECKPOINT_KEY = "delta.checkpointInterval"


def app_id(source: str) -> str:
    """The Delta application-transaction id of the writer of ``source``."""
    return f"logpipe/{source}"


def writer_properties() -> WriterProperties:
    """For delta-rs rewrites (compaction): zstd, no dictionary for long free text."""
    return WriterProperties(
        compression="ZSTD",
        column_properties={
            c: ColumnProperties(dictionary_enabled=False) for c in _layout.FREE_TEXT if "." not in c
        },
    )


def commit_files(
    table: DeltaTable, actions: list[AddAction], schema: pa.Schema, props: CommitProperties
) -> None:
    """Commit written files: one Delta transaction (the real ``CommitFn``)."""
    ops: list[AddAction | RemoveAction] = [*actions]
    table.create_write_transaction(
        ops, "append", schema, partition_by=PARTITIONS, commit_properties=props
    )


#: ``commit_files``'s signature (injected in tests: fail before or after it lands).
CommitFn = Callable[[DeltaTable, list[AddAction], pa.Schema, CommitProperties], None]


def _describe(uri: str, exc: BaseException) -> str:
    text = str(exc)
    if "No space left on device" in text or "os error 28" in text:
        return f"disk full while committing to {uri}: nothing was committed ({text})"
    return f"cannot commit to {uri}: {text}"


def _stat_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return value


def _stats(part: pa.Table) -> str:
    """Delta file statistics: row count, and min/max/nulls of the columns worth skipping on."""
    mins: dict[str, Any] = {}
    maxs: dict[str, Any] = {}
    nulls: dict[str, int] = {}
    for name in _STATS:
        if name in part.column_names:
            column = part[name]
            nulls[name] = column.null_count
            bounds = pc.min_max(column).as_py()
            if bounds["min"] is not None:
                mins[name], maxs[name] = _stat_value(bounds["min"]), _stat_value(bounds["max"])
    doc = {"numRecords": part.num_rows, "minValues": mins, "maxValues": maxs, "nullCount": nulls}
    return json.dumps(doc)


class DeltaSink:
    """One Delta table at ``uri``: exactly-once appends and the log's payloads.

    Data files are written with pyarrow (zstd, several times faster than delta-rs'
    writer here) into the table folder; they only become part of the table with the
    one commit that also records the writers' versions and the offsets payload, so a
    crash before it leaves unreferenced files (removed by a vacuum), never data.
    """

    def __init__(
        self,
        uri: str | Path,
        *,
        filesystem: pafs.FileSystem | None = None,
        commit: CommitFn = commit_files,
    ) -> None:
        self.uri = str(uri)
        where = self.uri if "://" in self.uri else Path(self.uri).absolute().as_uri()
        fs, base = pafs.FileSystem.from_uri(where)
        self.fs = filesystem or fs
        self.base = base.rstrip("/")
        self._commit = commit

    def table(self) -> DeltaTable | None:
        """The latest snapshot, or None when no table exists yet."""
        try:
            return DeltaTable(self.uri)
        except TableNotFoundError:
            return None
        except (DeltaError, OSError) as exc:
            raise DatasetError(f"cannot open dataset {self.uri}: {exc}") from exc

    def versions(self, apps: list[str], table: DeltaTable | None = None) -> dict[str, int]:
        """Each writer's last committed transaction version (0 when it never committed)."""
        table = table or self.table()
        return {a: (table.transaction_version(a) or 0) if table else 0 for a in apps}

    def plan(self, data: pa.Table) -> _layout.Plan:
        """The files ``data`` is to be written as (to shape it on the caller's thread, and
        let the batch go before the files are written)."""
        return _layout.plan(data, PARTITIONS)

    def commit(
        self, data: pa.Table | _layout.Plan, txns: Mapping[str, int], meta: Mapping[str, Any]
    ) -> None:
        """Append ``data`` with writer versions ``txns`` and payload ``meta``, exactly once.

        Each writer version must follow the table's by one, else nothing is written.
        A commit that fails but did land (seen in the writer versions) counts as done;
        any other failure is a ``DatasetError`` and nothing of this commit is in the
        table. The caller then re-reads its offsets from the table before going on.
        """
        written: list[str] = []
        try:
            plan = data if isinstance(data, _layout.Plan) else self.plan(data)
            table = self._prepare(plan.schema)
            self._check(txns, table)
            actions = self._write_files(plan, written)
        except (DeltaError, OSError, pa.ArrowException) as exc:
            self._discard(written)
            raise DatasetError(_describe(self.uri, exc)) from exc
        props = CommitProperties(
            custom_metadata={META_KEY: json.dumps(meta, separators=(",", ":"))},
            app_transactions=[Transaction(a, v) for a, v in txns.items()],
        )
        try:
            # Through the snapshot just checked: a concurrent commit by the same writer
            # id is then a conflict, not a silent duplicate.
            self._commit(table, actions, pa.schema(table.schema().to_arrow()), props)
        except (DeltaError, CommitFailedError, OSError) as exc:
            _teardown.silence_native_teardown()
            if self._landed(txns):
                fields = {"dataset": self.uri, "error": str(exc)}
                log.warning("commit reported an error but landed; not repeated", extra=fields)
                return
            self._discard(written)
            raise DatasetError(_describe(self.uri, exc)) from exc

    def _discard(self, paths: list[str]) -> None:
        """Delete files of a commit that did not land (best effort: a vacuum would too)."""
        for path in paths:
            with contextlib.suppress(OSError):
                self.fs.delete_file(path)

    def _check(self, txns: Mapping[str, int], table: DeltaTable) -> None:
        current = self.versions(list(txns), table)
        clash = {a: current[a] for a, v in txns.items() if current[a] != v - 1}
        if clash:
            raise DatasetError(
                f"{self.uri}: another writer moved {sorted(clash)} to versions {clash}; "
                "two logpipe processes are writing the same source"
            )

    def _prepare(self, schema: pa.Schema) -> DeltaTable:
        """The table, created or given the batch's new (parser) columns first."""
        table = self.table()
        if table is None:
            try:
                DeltaTable.create(
                    self.uri,
                    schema,
                    partition_by=PARTITIONS,
                    name="logpipe",
                    description="log lines landed exactly once by logpipe",
                    configuration={CHECKPOINT_KEY: str(CHECKPOINT_INTERVAL)},
                )
            except DeltaError as exc:  # created meanwhile by another writer: fine
                log.debug("table creation raced", extra={"error": str(exc)})
                table = self.table()
                if table is None:
                    raise DatasetError(f"cannot create a Delta table at {self.uri}: {exc}") from exc
                return table
            return DeltaTable(self.uri)
        known = set(pa.schema(table.schema().to_arrow()).names)
        new = [f.with_nullable(True) for f in schema if f.name not in known]
        if new:
            names = [f.name for f in new]
            log.info("adding columns", extra={"dataset": self.uri, "columns": names})
            table.alter.add_columns(list(Schema.from_arrow(pa.schema(new)).fields))
            table = DeltaTable(self.uri)
        if CHECKPOINT_KEY not in table.metadata().configuration:
            with contextlib.suppress(DeltaError):  # set meanwhile by another writer: fine
                table.alter.set_table_properties({CHECKPOINT_KEY: str(CHECKPOINT_INTERVAL)})
            table = DeltaTable(self.uri)
        return table

    def _write_files(self, plan: _layout.Plan, written: list[str]) -> list[AddAction]:
        """The planned Parquet files, not yet committed, written at once: encoding and
        compressing Parquet is the slowest step of ingest, and pyarrow releases the GIL."""
        jobs = plan.files
        if len(jobs) == 1:
            return [self._write_part(jobs[0][0], jobs[0][1], written)]
        with ThreadPoolExecutor(_layout.SLICES, thread_name_prefix="logpipe-parquet") as pool:
            return list(pool.map(lambda job: self._write_part(job[0], job[1], written), jobs))

    def _write_part(self, part: pa.Table, values: dict[str, str], written: list[str]) -> AddAction:
        folder = "/".join(f"{k}={quote(v, safe='')}" for k, v in values.items())
        name = f"{folder}/part-00000-{uuid.uuid4()}-c000.zstd.parquet"
        path = f"{self.base}/{name}"
        self.fs.create_dir(f"{self.base}/{folder}", recursive=True)
        written.append(path)  # before writing: a half-written file is discarded too
        pq.write_table(
            part,
            path,
            filesystem=self.fs,
            compression="zstd",
            compression_level=1,
            **_layout.encodings(part.schema),
        )
        info = self.fs.get_file_info(path)
        mtime = int(info.mtime.timestamp() * 1000) if info.mtime else 0
        # The path as on disk: delta-rs URL-encodes it once more for the log.
        return AddAction(name, info.size, values, mtime, True, _stats(part))

    def _landed(self, txns: Mapping[str, int]) -> bool:
        try:
            now = self.versions(list(txns))
        except DatasetError:
            return False  # unknown: the next commit's version check decides
        return all(now[a] >= v for a, v in txns.items())
