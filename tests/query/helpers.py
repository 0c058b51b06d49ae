"""Test helpers for the query layer: land log files through the real ingest pipeline."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb

from logpipe.ingest.config import load_config
from logpipe.ingest.sync import sync


def land(tmp: Path, *sources: Path, name: str = "ds") -> Path:
    """Sync ``sources`` (folders) into a fresh dataset ``tmp/name``; return its path."""
    dataset = tmp / name
    config = load_config(
        flags={"sources": [str(s) for s in sources], "to": str(dataset), "state_dir": tmp / "st"},
        env={},
    )
    report = sync(config)
    assert not report.errors, report.errors
    return dataset


def land_files(tmp: Path, *files: Path, source: str = "host") -> Path:
    """Copy ``files`` into one source folder and sync it (shared golden data stays read-only)."""
    folder = tmp / source
    folder.mkdir(parents=True, exist_ok=True)
    for file in files:
        shutil.copyfile(file, folder / file.name)
    return land(tmp, folder)


def append(path: Path, text: str) -> None:
    """Append text to a log file (creating it and its folders), as a logger does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)


def count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """The single number ``sql`` returns."""
    ((value,),) = con.execute(sql).fetchall()
    return int(value)


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    """The result of ``sql`` as dicts."""
    result = con.execute(sql)
    names = [d[0] for d in result.description or ()]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
