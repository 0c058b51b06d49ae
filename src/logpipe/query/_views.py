"""Define the views on a DuckDB connection: ``logs`` over the snapshot, the rest from SQL files."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


def _paths(paths: Iterable[str]) -> str:
    return "[" + ", ".join(_literal(p) for p in paths) + "]"


def _grouped(paths: Iterable[tuple[str, str]], read: Callable[[list[str]], str]) -> str:
    """One read per schema, unioned by column name.

    DuckDB binds a list of files with ``union_by_name`` by reading every footer (about
    0.5 ms a file, at each connect); a group of files of one schema binds from one. The
    cache knows each file's schema.
    """
    groups: dict[str, list[str]] = {}
    for path, schema in paths:
        groups.setdefault(schema, []).append(path)
    return " UNION ALL BY NAME ".join(read(group) for group in groups.values())


def _scan(snap: Snapshot, cache: NcclCache) -> str:
    """SQL reading every row of the snapshot with its partition columns first."""
    if _hive_agrees(snap):
        return _grouped(
            ((snap.uri(f), cache.files[f.rel].data_schema) for f in snap.files),
            lambda group: (
                f"SELECT source, date, * EXCLUDE (source, date) FROM read_parquet("
                f"{_paths(group)}, hive_partitioning = true, hive_types_autocast = false, "
                "hive_types = {'source': VARCHAR, 'date': DATE})"
            ),
        )
    values = ", ".join(
        f"({_literal(snap.uri(f))}, {_literal(f.source)}, "
        f"{'NULL' if f.date is None else _literal(f.date.isoformat())}::DATE)"
        for f in snap.files
    )
    files = _grouped(
        ((snap.uri(f), cache.files[f.rel].data_schema) for f in snap.files),
        lambda group: f"SELECT * FROM read_parquet({_paths(group)}, filename = true)",
    )
    return (
        f"SELECT p.source, p.date, t.* EXCLUDE (filename) FROM ({files}) t "
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
    segments = [
        (str(cache.folder / "segments" / rel), info.segment_schema)
        for rel, info in sorted(cache.files.items())
        if info.records
    ]
    if segments:
        # Segments are widened to the full record type (one schema: one footer to bind).
        records = _grouped(segments, lambda g: f"SELECT * FROM read_parquet({_paths(g)})")
        con.execute(f"CREATE VIEW _nccl_records AS {records}")
    else:
        con.execute(f"CREATE VIEW _nccl_records AS SELECT * FROM {_build.PLACED} WHERE false")
    con.execute(_build.sql_text("macros.sql"))
    for _, text in _build.sql_files("views"):
        con.execute(text)
