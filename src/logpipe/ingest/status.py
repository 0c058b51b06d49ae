"""``logpipe status``: per source, the files followed, committed offsets, lag, last commit."""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from logpipe.ingest import recover as _recover
from logpipe.ingest import sink as _sink
from logpipe.ingest import snapshot as _snapshot

__all__ = ["FileStatus", "SourceStatus", "status"]


@dataclass(frozen=True, slots=True)
class FileStatus:
    """One file generation: committed ``offset``; ``lag`` = bytes on disk past it."""

    path: str
    generation: int
    loc: str
    offset: int
    lines: int
    size: int | None  # None: not readable from here (other host, gone)
    lag: int | None


@dataclass
class SourceStatus:
    """One source of the table."""

    name: str
    version: int
    root: str | None = None
    host: str | None = None
    last_commit: dt.datetime | None = None
    files: list[FileStatus] = field(default_factory=list)

    @property
    def lag(self) -> int | None:
        """Total bytes waiting to be committed (None when no file could be looked at)."""
        lags = [f.lag for f in self.files if f.lag is not None]
        return sum(lags) if lags else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.name,
            "version": self.version,
            "root": self.root,
            "host": self.host,
            "last_commit": self.last_commit.isoformat() if self.last_commit else None,
            "lag": self.lag,
            "files": [_file_dict(f) for f in self.files],
        }


def _file_dict(f: FileStatus) -> dict[str, Any]:
    names = ("path", "generation", "loc", "offset", "lines", "size", "lag")
    return {n: getattr(f, n) for n in names}


def _sources(uri: str | Path) -> list[str]:
    adds = pa.table(_snapshot.open_table(uri).get_add_actions(flatten=True))
    if "partition.source" not in adds.column_names:
        return []
    return sorted({s for s in adds["partition.source"].to_pylist() if s is not None})


def _latest(sink: _sink.DeltaSink) -> dict[str, tuple[dict[str, Any], str | None, int | None]]:
    """The newest payload of each source found in the retained log (+ host, timestamp)."""
    seen: dict[str, tuple[dict[str, Any], str | None, int | None]] = {}
    dt_ = sink.table()
    infos = dt_.history(4096) if dt_ else []
    for payload in _recover.payloads(infos):
        for name, entry in payload.get("sources", {}).items():
            if name not in seen:
                seen[name] = (entry, payload.get("host"), payload.get("_timestamp"))
    return seen


def status(
    uri: str | Path, *, stat: Callable[[str], os.stat_result] = os.stat
) -> list[SourceStatus]:
    """The status of every source in the table at ``uri``."""
    sink = _sink.DeltaSink(uri)
    latest = _latest(sink)
    out = []
    for name in sorted(set(_sources(uri)) | set(latest)):
        state, _, _ = _recover.recover(sink, name)
        entry, host, stamp = latest.get(name, ({}, None, None))
        item = SourceStatus(name, state.version, entry.get("root"), host)
        if stamp is not None:
            item.last_commit = dt.datetime.fromtimestamp(stamp / 1000, dt.UTC)
        local = host is None or host == socket.gethostname()
        for rec in sorted(state.records.values(), key=lambda r: (r.path, r.generation)):
            size = None
            if local and item.root and rec.loc:
                try:
                    st = stat(os.path.join(item.root, rec.loc))
                    size = st.st_size if st.st_ino == rec.ino or not rec.ino else None
                except OSError:
                    size = None
            lag = None if size is None else max(0, size - rec.offset)
            item.files.append(
                FileStatus(rec.path, rec.generation, rec.loc, rec.offset, rec.lineno, size, lag)
            )
        out.append(item)
    return out
