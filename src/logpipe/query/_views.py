"""Define the views on a DuckDB connection: ``logs`` over the snapshot, the rest from SQL files."""

from __future__ import annotations

from urllib.parse import unquote

import duckdb

from logpipe.query import _build
from logpipe.query._cache import NcclCache
from logpipe.query._snapshot import Snapshot

__all__ = ["VIEWS", "install"]

#: The public views, in the order they are defined.
VIEWS = (
    "logs",
    "nccl_lines",
    "nccl_runs",
    "nccl_ranks",
    "nccl_comms",
    "nccl_edges",
    "nccl_rings",
    "nccl_ring_hops",
    "nccl_trees",
    "nccl_colls",
    "nccl_warnings",
    "nccl_transport_summary",
)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _hive_agrees(snap: Snapshot) -> bool:
    """Whether every file's folder names spell its partition values (DuckDB can read them)."""
    for file in snap.files:
        folders = dict(p.split("=", 1) for p in file.rel.split("/")[:-1] if "=" in p)
        if set(folders) != {"source", "date"} or file.date is None:
            return False
        if unquote(folders["source"]) != file.source:
            return False
        if unquote(folders["date"]) != file.date.isoformat():
            return False
    return True


def _scan(snap: Snapshot, cache: NcclCache) -> str:
    """SQL reading every row of the snapshot with its partition columns first."""
    paths = "[" + ", ".join(_literal(snap.uri(f)) for f in snap.files) + "]"
    # Reading every file's footer to union the schemas costs ~0.3 ms a file at each
    # connect; the cache knows when they are all the same.
    union = len({i.data_schema for i in cache.files.values()}) > 1
    if _hive_agrees(snap):
        return (
            f"SELECT source, date, * EXCLUDE (source, date) FROM read_parquet({paths}, "
            "hive_partitioning = true, hive_types = {'source': VARCHAR, 'date': DATE}, "
            f"hive_types_autocast = false, union_by_name = {union})"
        )
    values = ", ".join(
        f"({_literal(snap.uri(f))}, {_literal(f.source)}, "
        f"{'NULL' if f.date is None else _literal(f.date.isoformat())}::DATE)"
        for f in snap.files
    )
    return (
        f"SELECT p.source, p.date, t.* EXCLUDE (filename) FROM read_parquet({paths}, "
        f"filename = true, union_by_name = {union}) t "
        f"JOIN (VALUES {values}) p(filename, source, date) USING (filename)"
    )


def install(con: duckdb.DuckDBPyConnection, snap: Snapshot, cache: NcclCache) -> None:
    """Create every view of ``VIEWS`` (and the private tables behind them) on ``con``."""
    con.execute("SET TimeZone = 'UTC'")
    # The table's schema first: a column no file of the snapshot holds (ingest leaves
    # out columns null in a whole file) is still there, null, with its type.
    con.register("_logs_schema", snap.schema.empty_table())
    scan = f" UNION ALL BY NAME {_scan(snap, cache)}" if snap.files else ""
    con.execute(f"CREATE VIEW logs AS SELECT * FROM _logs_schema{scan}")
    for name, table in cache.tables.items():
        con.register(name, table)  # no copy: the views read the Arrow tables in place
    segments = cache.segments
    if segments:
        paths = ", ".join(_literal(s) for s in segments)
        union = len({i.segment_schema for i in cache.files.values() if i.records}) > 1
        con.execute(
            f"CREATE VIEW _nccl_records AS SELECT * FROM read_parquet([{paths}], "
            f"union_by_name = {union})"
        )
    else:
        con.execute(f"CREATE VIEW _nccl_records AS SELECT * FROM {_build.PLACED} WHERE false")
    con.execute(_build.sql_text("macros.sql"))
    for _, text in _build.sql_files("views"):
        con.execute(text)
