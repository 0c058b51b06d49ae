"""The NCCL record cache of a dataset: flat segments per data file, an index per snapshot.

Layout under ``DATASET/_logpipe/nccl-v<FORMAT>/`` (Delta ignores ``_`` folders, and a
vacuum leaves them alone):

* ``segments/<data file path>``: every NCCL record of that data file, flattened
  (``_records.flatten``) and widened to the full record type, so that DuckDB binds all
  segments from one footer. Data files never change, so a segment is built once; it is
  deleted when its data file is gone (vacuumed).
* ``index/<version>/``: the tables built (``_build``) from the small records
  (``_records.is_small``) of every file of one snapshot, one Arrow file each, and
  ``files.json`` listing the data files. It is built from the newest earlier index
  (records of files still in the snapshot) plus the new files' segments, so a new commit
  costs what it added. An index whose file list differs from its snapshot's is never
  used: a reader cannot see another snapshot's records.

When the dataset folder is read-only the cache lives under the user's cache folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from logpipe.query import _build, _records
from logpipe.query._snapshot import DataFile, Snapshot

__all__ = ["FORMAT", "FileInfo", "NcclCache", "cache_root", "prepare"]

#: Bump when the cached layout changes: older caches are then ignored.
FORMAT: Final = 4
_MANIFEST: Final = "files.json"


@dataclass(frozen=True, slots=True)
class FileInfo:
    """What the index remembers of one data file: its record count and schemas."""

    records: int
    data_schema: str  # fingerprints: equal schemas let DuckDB skip reading every footer
    segment_schema: str


@dataclass(frozen=True, slots=True)
class NcclCache:
    """A snapshot's NCCL tables (built from its small records) and its segments."""

    tables: dict[str, pa.Table]
    files: dict[str, FileInfo]
    folder: Path


def fingerprint(schema: pa.Schema) -> str:
    text = schema.remove_metadata().to_string(show_field_metadata=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def cache_root(dataset_root: Path) -> Path:
    """Where the cache of the dataset at ``dataset_root`` lives."""
    inside = dataset_root / "_logpipe" / f"nccl-v{FORMAT}"
    if _writable(inside):
        return inside
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(str(dataset_root.resolve()).encode()).hexdigest()[:16]
    return home / "logpipe" / f"nccl-v{FORMAT}" / key


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary name: readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _segment(snap: Snapshot, file: DataFile, folder: Path) -> tuple[pa.Table, FileInfo]:
    path = folder / "segments" / file.rel
    data_schema = pq.read_schema(snap.uri(file))
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowInvalid):  # not built yet (or cut short): build it
        table = _records.widen(
            _records.flatten(snap.uri(file), rel=file.rel, source=file.source, date=file.date)
        )
        _atomic(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))
    info = FileInfo(table.num_rows, fingerprint(data_schema), fingerprint(table.schema))
    return table, info


def _write_index(path: Path, tables: dict[str, pa.Table], files: dict[str, FileInfo]) -> None:
    """The index folder, complete or not at all (another process may have written it)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.mkdir(parents=True)
    try:
        for name, table in tables.items():
            sink = pa.OSFile(str(tmp / f"{name}.arrow"), "wb")
            with sink, pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
        doc = {rel: [i.records, i.data_schema, i.segment_schema] for rel, i in files.items()}
        (tmp / _MANIFEST).write_text(json.dumps(doc, sort_keys=True))
        with contextlib.suppress(OSError):  # already there: written by a concurrent reader
            os.rename(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _read_index(path: Path) -> tuple[dict[str, pa.Table], dict[str, FileInfo]] | None:
    try:
        doc = json.loads((path / _MANIFEST).read_text())
        files = {str(rel): FileInfo(int(n), str(d), str(s)) for rel, (n, d, s) in doc.items()}
        tables = {}
        for table in path.glob("*.arrow"):
            with pa.memory_map(str(table)) as source:
                tables[table.stem] = pa.ipc.open_file(source).read_all()
    except (OSError, KeyError, ValueError, TypeError, pa.ArrowInvalid):
        return None
    return (tables, files) if _build.PLACED in tables else None


def _base(folder: Path, wanted: set[str]) -> tuple[list[pa.Table], dict[str, FileInfo]]:
    """The records and file facts of the newest readable index, for files still wanted."""
    for path in sorted(folder.glob("[0-9]*"), reverse=True):
        found = _read_index(path)
        if found is not None:
            tables, files = found
            placed = tables[_build.PLACED]
            keep = pc.is_in(placed["_file"], pa.array(sorted(wanted), pa.string()))
            kept = {rel: info for rel, info in files.items() if rel in wanted}
            return [_build.unplaced(placed.filter(keep))], kept
    return [], {}


def _make(snap: Snapshot, folder: Path) -> tuple[dict[str, pa.Table], dict[str, FileInfo]]:
    parts, files = _base(folder / "index", {f.rel for f in snap.files})
    for file in snap.files:
        if file.rel not in files:
            table, files[file.rel] = _segment(snap, file, folder)
            parts.append(table.filter(_records.is_small(table)))
    raw = pa.concat_tables([*parts, _records.empty()], promote_options="permissive")
    return _build.build(raw), files


def _collect_garbage(snap: Snapshot, folder: Path, keep: Path) -> None:
    """Drop older indexes and the segments of data files that no longer exist."""
    for path in (folder / "index").glob("[0-9]*"):
        if path.name < keep.name:
            shutil.rmtree(path, ignore_errors=True)
    segments = folder / "segments"
    for path in segments.rglob("*.parquet"):
        if not (snap.root / path.relative_to(segments)).exists():
            with contextlib.suppress(OSError):
                path.unlink()


def prepare(snap: Snapshot) -> NcclCache:
    """The cache of ``snap``, building whatever part of it is missing."""
    folder = cache_root(snap.root)
    target = folder / "index" / f"{snap.version:020d}"
    found = _read_index(target)
    if found is not None and set(found[1]) == {f.rel for f in snap.files}:
        return NcclCache(found[0], found[1], folder)
    tables, files = _make(snap, folder)
    _write_index(target, tables, files)
    _collect_garbage(snap, folder, target)
    return NcclCache(tables, files, folder)
