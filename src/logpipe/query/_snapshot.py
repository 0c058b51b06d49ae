"""Pin one version of the Delta table: its number, its schema and the Parquet files it holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import pyarrow as pa
from deltalake import DeltaTable
from deltalake.exceptions import DeltaError, TableNotFoundError

from logpipe import errors

__all__ = ["DataFile", "Snapshot", "SnapshotSpec", "pin"]

#: Which snapshot to read: the latest (None), a version number, or the last one at a time.
SnapshotSpec = int | dt.datetime | None


@dataclass(frozen=True, slots=True)
class DataFile:
    """One Parquet file of the snapshot and the partition values Delta keeps for it."""

    rel: str  # relative to the table root, decoded (as on disk)
    source: str
    date: dt.date | None
    rows: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What one version of the table holds. Data files never change once written."""

    root: Path
    version: int
    schema: pa.Schema
    files: tuple[DataFile, ...]

    def uri(self, file: DataFile) -> str:
        """The local path DuckDB and pyarrow read ``file`` from."""
        return str(self.root / file.rel)


def _local_root(table_uri: str) -> Path:
    parsed = urlparse(table_uri)
    if parsed.scheme not in ("", "file"):
        raise errors.DatasetError(f"{table_uri}: only local datasets can be queried")
    return Path(unquote(parsed.path) if parsed.scheme else table_uri)


def _open(dataset: str | Path, snapshot: SnapshotSpec) -> DeltaTable:
    where = str(dataset)
    try:
        table = DeltaTable(where, version=snapshot if isinstance(snapshot, int) else None)
        if isinstance(snapshot, dt.datetime):
            _before_creation(table, snapshot)
            table.load_as_version(snapshot)
    except TableNotFoundError as exc:
        raise errors.DatasetError(f"no logpipe dataset at {where} (no Delta table there)") from exc
    except (DeltaError, OSError, ValueError) as exc:
        if snapshot is None:
            raise errors.DatasetError(f"cannot open dataset {where}: {exc}") from exc
        why = f" ({exc})" if isinstance(exc, ValueError) else _latest(where)
        raise errors.DatasetError(f"no snapshot {snapshot} of {where}{why}") from exc
    return table


def _before_creation(table: DeltaTable, when: dt.datetime) -> None:
    """delta-rs pins a time before the table existed to version 0: say there is none."""
    created = table.metadata().created_time
    stamp = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    if created is not None and stamp.timestamp() * 1000 < created:
        made = dt.datetime.fromtimestamp(created / 1000, dt.UTC)
        raise ValueError(f"the table was created at {made:%Y-%m-%d %H:%M:%S} UTC")


def _latest(where: str) -> str:
    try:
        return f" (its versions are 0 to {DeltaTable(where).version()})"
    except (DeltaError, OSError):
        return ""


def _date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def pin(dataset: str | Path, snapshot: SnapshotSpec = None) -> Snapshot:
    """The files of one version of ``dataset``; a ``DatasetError`` naming what is wrong.

    The file list comes from the add actions, never ``to_pyarrow_table()`` (with
    deltalake 1.6 and pyarrow 26 that aborts the interpreter at exit). Partition values
    are not in the Parquet files; the add actions carry them.
    """
    table = _open(dataset, snapshot)
    root = _local_root(table.table_uri)
    schema = pa.schema(table.schema().to_arrow())
    adds = pa.table(table.get_add_actions(flatten=True))
    wanted = ["path", "num_records", "partition.source", "partition.date"]
    present = [c for c in wanted if c in adds.column_names]
    files = tuple(
        DataFile(
            rel=unquote(row["path"]),
            source=row.get("partition.source") or "",
            date=_date(row.get("partition.date")),
            rows=int(row.get("num_records") or 0),
        )
        for row in adds.select(present).to_pylist()
    )
    return Snapshot(root, table.version(), schema, tuple(sorted(files, key=lambda f: f.rel)))
