"""SQL over a logpipe dataset: one pinned Delta snapshot, DuckDB views for logs and NCCL.

``connect(DATASET)`` returns an in-process DuckDB connection on which these views exist
(their SQL ships in ``logpipe/query/sql/``, one commented file per theme):

* ``logs``: every row of the snapshot (provenance columns and parsed ones).
* ``nccl_lines``: every NCCL record, with host, pid, tid, device, level, family, body.
* ``nccl_runs``, ``nccl_ranks``, ``nccl_edges``, ``nccl_rings``, ``nccl_ring_hops``,
  ``nccl_trees``, ``nccl_colls``, ``nccl_warnings``, ``nccl_transport_summary``.

The connection reads one version of the table (the latest, or ``snapshot=``): what later
commits or a compaction do is invisible to it. NCCL records are flattened once per data
file into a cache beside the table (``DATASET/_logpipe/``) and the small ones indexed per
version, so the NCCL views cost what the snapshot added since the last query.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from logpipe import errors
from logpipe.query import _cache, _snapshot, _views
from logpipe.query._snapshot import SnapshotSpec
from logpipe.query._views import VIEWS

__all__ = ["VIEWS", "connect", "snapshot_version"]


def connect(dataset: str | Path, *, snapshot: SnapshotSpec = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the views over one snapshot of ``dataset``.

    ``snapshot`` is a Delta version number, a ``datetime`` (the last version committed
    at or before it), or None for the latest. ``DatasetError`` when there is no such
    dataset or version, or its files cannot be read.
    """
    snap = _snapshot.pin(dataset, snapshot)
    try:
        cache = _cache.prepare(snap)
    except OSError as exc:
        raise errors.DatasetError(f"cannot read or cache {dataset}: {exc}") from exc
    con = duckdb.connect()
    try:
        _views.install(con, snap, cache)
        con.execute(f"CREATE MACRO snapshot_version() AS {snap.version}")
    except duckdb.Error as exc:
        con.close()
        raise errors.DatasetError(f"cannot read dataset {dataset}: {exc}") from exc
    return con


def snapshot_version(con: duckdb.DuckDBPyConnection) -> int:
    """The Delta version a connection from ``connect`` reads."""
    ((version,),) = con.execute("SELECT snapshot_version()").fetchall()
    return int(version)
