"""Test helpers for the query layer: land log files through the real ingest pipeline."""

from __future__ import annotations

import shutil
from pathlib import Path

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
