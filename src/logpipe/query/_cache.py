"""The NCCL record cache of a dataset: flat segments per data file, an index per snapshot.

Layout under ``DATASET/_logpipe/nccl-v<FORMAT>/`` (Delta ignores ``_`` folders, and a
vacuum leaves them alone):

* ``segments/<data file path>``: every NCCL record of that data file, flattened
  (``_records.flatten``). Data files never change, so a segment is built once; it is
  deleted when its data file is gone (vacuumed).
* ``index/<version>.parquet``: the small records (``_records.is_small``) of every file
  of one snapshot, with the file list and per-file record counts in its metadata. It
  is built from the newest earlier index (rows of files still in the snapshot) plus
  the new files' segments, so a new commit costs what it added. An index whose file
  list differs from its snapshot's is never used: a reader cannot see another
  snapshot's records.

When the dataset folder is read-only the cache lives under the user's cache folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from logpipe.query import _records
from logpipe.query._snapshot import DataFile, Snapshot

__all__ = ["FORMAT", "NcclCache", "cache_root", "prepare"]

#: Bump when the flattened layout changes: older caches are then ignored.
FORMAT: Final = 1
_META: Final = b"logpipe.nccl.files"


@dataclass(frozen=True, slots=True)
class NcclCache:
    """A snapshot's NCCL records: the small ones in memory, all of them in segment files."""

    index: pa.Table
    segments: tuple[str, ...]  # segment files holding at least one record


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


def _write(table: pa.Table, path: Path, meta: dict[bytes, bytes] | None = None) -> None:
    """Write atomically: readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    if meta:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _segment(snap: Snapshot, file: DataFile, folder: Path) -> tuple[Path, pa.Table]:
    path = folder / "segments" / file.rel
    try:
        return path, pq.read_table(path)
    except (OSError, pa.ArrowInvalid):
        pass  # not built yet (or cut short): build it
    table = _records.flatten(snap.uri(file), rel=file.rel, source=file.source, date=file.date)
    _write(table, path)
    return path, table


def _read_index(path: Path) -> tuple[pa.Table, dict[str, int]] | None:
    try:
        table = pq.read_table(path)
        counts = json.loads((table.schema.metadata or {})[_META])
    except (OSError, KeyError, ValueError, pa.ArrowInvalid):
        return None
    return table.replace_schema_metadata(None), {str(k): int(v) for k, v in counts.items()}


def _base_index(folder: Path, wanted: set[str]) -> tuple[pa.Table | None, dict[str, int]]:
    """The rows and counts of the newest readable index, for files still wanted."""
    for path in sorted(folder.glob("*.parquet"), reverse=True):
        found = _read_index(path)
        if found is not None:
            table, counts = found
            mask = pc.is_in(table["_file"], pa.array(sorted(wanted), pa.string()))
            return table.filter(mask), {k: v for k, v in counts.items() if k in wanted}
    return None, {}


def _build_index(snap: Snapshot, folder: Path) -> tuple[pa.Table, dict[str, int]]:
    wanted = {f.rel for f in snap.files}
    base, counts = _base_index(folder / "index", wanted)
    parts = [base] if base is not None else []
    for file in snap.files:
        if file.rel not in counts:
            _, table = _segment(snap, file, folder)
            counts[file.rel] = table.num_rows
            parts.append(table.filter(_records.is_small(table)))
    if not parts:
        parts.append(_records.empty())
    index = pa.concat_tables(parts, promote_options="permissive")
    return index, counts


def _collect_garbage(snap: Snapshot, folder: Path, keep: Path) -> None:
    """Drop older indexes and the segments of data files that no longer exist."""
    for path in (folder / "index").glob("*.parquet"):
        if path.name < keep.name:
            with contextlib.suppress(OSError):
                path.unlink()
    segments = folder / "segments"
    for path in segments.rglob("*.parquet"):
        if not (snap.root / path.relative_to(segments)).exists():
            with contextlib.suppress(OSError):
                path.unlink()


def prepare(snap: Snapshot) -> NcclCache:
    """The cache of ``snap``, building whatever part of it is missing."""
    folder = cache_root(snap.root)
    target = folder / "index" / f"{snap.version:020d}.parquet"
    found = _read_index(target)
    wanted = {f.rel for f in snap.files}
    if found is not None and set(found[1]) == wanted:
        index, counts = found
    else:
        index, counts = _build_index(snap, folder)
        meta = {_META: json.dumps(counts, sort_keys=True).encode()}
        _write(index, target, meta)
        _collect_garbage(snap, folder, target)
    segments = tuple(str(folder / "segments" / rel) for rel, n in sorted(counts.items()) if n)
    return NcclCache(index, segments)
