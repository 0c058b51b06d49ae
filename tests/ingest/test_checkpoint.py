"""The local checkpoint: atomic cache, corrupt files are errors, one writer per source."""

from __future__ import annotations

from pathlib import Path

import pytest

from logpipe.errors import CheckpointError, SourceError
from logpipe.ingest.checkpoint import Checkpoint
from logpipe.ingest.state import Record, SourceState


def test_save_and_load(tmp_path: Path) -> None:
    cache = Checkpoint(tmp_path, "/data/ds", "node")
    assert cache.load() is None
    state = SourceState("node", 7)
    state.put(Record("a.log", 0, 10, 1))
    cache.save("table-id", state)
    loaded = cache.load()
    assert loaded is not None
    assert (loaded.table_id, loaded.state.version, loaded.state.records) == (
        "table-id",
        7,
        state.records,
    )
    assert Checkpoint(tmp_path, "/data/other", "node").path != cache.path


def test_corrupt_or_foreign_cache_is_an_error(tmp_path: Path) -> None:
    cache = Checkpoint(tmp_path, "/ds", "node")
    for text in ("", "{", '{"format": 1, "source": "other", "state": {}, "table_id": 1}'):
        cache.path.write_text(text)
        with pytest.raises(CheckpointError):
            cache.load()


def test_one_writer_per_dataset_and_source(tmp_path: Path) -> None:
    one = Checkpoint(tmp_path, "/ds", "node")
    with one.lock():
        second = Checkpoint(tmp_path, "/ds", "node")
        with pytest.raises(SourceError, match="already writing source 'node'"), second.lock():
            pass
        with Checkpoint(tmp_path, "/ds", "other").lock():
            pass
    with Checkpoint(tmp_path, "/ds", "node").lock():  # released
        pass
