"""The Delta Lake table: commit data and offsets in one transaction, exactly once."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
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
from logpipe.ingest import _files, _layout, _teardown

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
        self._exists = False  # the table was seen to exist

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

    def files(self) -> _files.FileSet:
        """An empty set of files for one commit, to append its batches to."""
        return _files.FileSet(self.fs, self.base, PARTITIONS)

    def plan(self, data: pa.Table) -> _layout.Plan:
        """The pieces ``data`` is written as (so the batch itself can go first)."""
        return _layout.plan(data, PARTITIONS)

    def append(self, files: _files.FileSet, data: pa.Table | _layout.Plan) -> None:
        """Write ``data`` into ``files``; if it cannot be, all of them are discarded and
        it is a ``DatasetError``, as a failed commit."""
        try:
            if not self._exists:
                # The table first, while there is room: a full disk then fails a commit's
                # data, never the table's creation.
                self._prepare(data.schema)
                self._exists = True
            files.add(data)
        except (DeltaError, OSError, pa.ArrowException) as exc:
            files.discard()
            raise DatasetError(_describe(self.uri, exc)) from exc

    def commit(
        self, data: pa.Table | _files.FileSet, txns: Mapping[str, int], meta: Mapping[str, Any]
    ) -> None:
        """Append ``data`` with writer versions ``txns`` and payload ``meta``, exactly once.

        Each writer version must follow the table's by one, else nothing is written.
        A commit that fails but did land (seen in the writer versions) counts as done;
        any other failure is a ``DatasetError`` and nothing of this commit is in the
        table. The caller then re-reads its offsets from the table before going on.
        """
        files = data if isinstance(data, _files.FileSet) else self.files()
        try:
            if not isinstance(data, _files.FileSet):
                files.add(data)
            if files.schema is None:
                raise DatasetError(f"{self.uri}: a commit without rows")
            table = self._prepare(files.schema)
            self._check(txns, table)
            actions = files.close()
        except (DeltaError, OSError, pa.ArrowException) as exc:
            files.discard()
            raise DatasetError(_describe(self.uri, exc)) from exc
        except DatasetError:
            files.discard()
            raise
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
            files.discard()
            raise DatasetError(_describe(self.uri, exc)) from exc

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

    def _landed(self, txns: Mapping[str, int]) -> bool:
        try:
            now = self.versions(list(txns))
        except DatasetError:
            return False  # unknown: the next commit's version check decides
        return all(now[a] >= v for a, v in txns.items())
