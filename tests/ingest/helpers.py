"""Test helpers for ingest: source trees, configs, and the table read back independently."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

from logpipe.ingest.config import IngestConfig, load_config
from logpipe.ingest.daemon import Daemon
from logpipe.ingest.sink import DeltaSink
from logpipe.ingest.world import World
from tests.shared import REPO

__all__ = ["REPO"]

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


def check(journal: list[dict[str, Any]], rows: list[dict[str, Any]]) -> dict[str, int]:
    """The dataset holds every line of every content once, with its true offset;
    only a plain truncation may have destroyed the not-yet-taken end of a content."""
    counts = Counter(r["line"] for r in rows)
    assert [t for t, n in counts.items() if n > 1] == []
    written = {text: (c["id"], i, off) for c in journal for i, (off, text) in enumerate(c["lines"])}
    taken: dict[int, set[int]] = defaultdict(set)
    identity: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for r in rows:
        ident, seq, offset = written[r["line"]]  # KeyError: a line nobody wrote
        assert r["offset"] == offset, r
        taken[ident].add(seq)
        identity[ident].add((r["path"], r["generation"]))
    assert all(len(keys) == 1 for keys in identity.values()), identity
    keys = [next(iter(k)) for k in identity.values()]
    assert len(keys) == len(set(keys))  # one (path, generation) per content
    lost = 0
    for c in journal:
        got = taken.get(c["id"], set())
        assert got == set(range(len(got))), f"content {c['id']}: a gap"
        if not c["destroyed"]:
            assert len(got) == len(c["lines"]), f"content {c['id']}: lines missing"
        lost += len(c["lines"]) - len(got)
    return {"rows": len(rows), "contents": len(journal), "lost_to_truncation": lost}


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def wall(self) -> dt.datetime:
        return dt.datetime(2024, 5, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=self.now)


class Counting:
    """A real ``os.scandir`` that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, path: Path) -> Iterator[os.DirEntry[str]]:
        self.calls += 1
        return os.scandir(path)


class Harness:
    def __init__(self, tmp: Path, **flags: Any) -> None:
        self.src = tmp / "s"
        self.src.mkdir(exist_ok=True)
        self.cfg = config(tmp, self.src, **({"drain_grace": 3, "poll_interval": 2} | flags))
        self.clock = Clock()
        self.scandir = Counting()
        world = World(clock=self.clock, wall=self.clock.wall, scandir=self.scandir)
        self.sink = DeltaSink(self.cfg.to)
        self.daemon = Daemon(self.cfg, world=world, sink=self.sink, observer=None, compactor=None)
        self.daemon.start()

    def tick(self, seconds: float = 0.0) -> None:
        self.clock.now += seconds
        self.daemon.step(wait=False)

    def settle(self) -> None:
        """Past a rescan and a flush: everything readable is committed."""
        self.tick(2.0)
        self.tick(1.0)

    def rows(self) -> list[tuple[str, int, int, str]]:
        return lines(self.cfg.to)
