"""Test helpers for ingest: source trees, configs, and the table read back independently."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

from logpipe.ingest.config import IngestConfig, load_config

Row = tuple[str, int, int, str]  # (path, generation, offset, line)


def config(tmp: Path, *sources: Path, **flags: Any) -> IngestConfig:
    """A config writing to ``tmp/ds`` with its checkpoint cache in ``tmp/state``."""
    base = {"sources": [str(s) for s in sources], "to": str(tmp / "ds"), "state_dir": tmp / "state"}
    return load_config(flags=base | flags, env={})


def append(path: Path, data: bytes | str) -> None:
    """Append (creating folders and the file as needed), like a logger does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as fh:
        fh.write(data.encode() if isinstance(data, str) else data)


def table_rows(uri: Path | str, columns: str = "*") -> list[dict[str, Any]]:
    """Every row of the table's current snapshot, read by DuckDB from the file list.

    Deliberately not through logpipe's own reader: the Delta log says which files
    make the snapshot, DuckDB reads them, the partition columns come from the paths.
    """
    try:
        files = DeltaTable(str(uri)).file_uris()
    except TableNotFoundError:
        return []
    if not files:
        return []
    con = duckdb.connect()
    rel = con.read_parquet(files, hive_partitioning=True, union_by_name=True)
    con.register("t", rel)
    result = con.sql(f'SELECT {columns} FROM t ORDER BY path, generation, "offset"')
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def lines(uri: Path | str) -> list[Row]:
    """(path, generation, offset, line) of every row, sorted."""
    return sorted(
        (r["path"], r["generation"], r["offset"], r["line"])
        for r in table_rows(uri, 'path, generation, "offset", line')
    )


def multiset(uri: Path | str) -> Counter[Row]:
    return Counter(lines(uri))


def expected(path: str, data: bytes, generation: int = 0) -> list[Row]:
    """The rows a file's complete lines must become (UTF-8 text, LF or CRLF)."""
    out: list[Row] = []
    pos = 0
    while (nl := data.find(b"\n", pos)) >= 0:
        text = data[pos:nl].removesuffix(b"\r").decode()
        out.append((path, generation, pos, text))
        pos = nl + 1
    return out


def same_inode_reused(path: Path, content: bytes, old_ino: int, tries: int = 200) -> bool:
    """Write ``content`` at ``path`` until the filesystem hands out ``old_ino`` again."""
    scratch: list[Path] = []
    for i in range(tries):
        if path.exists():
            path.unlink()
        path.write_bytes(content)
        if path.stat().st_ino == old_ino:
            for s in scratch:
                s.unlink()
            return True
        # Keep the wrong inode busy so the next create gets another one.
        keep = path.with_name(f".scratch{i}")
        os.rename(path, keep)
        scratch.append(keep)
    for s in scratch:
        s.unlink()
    return False
