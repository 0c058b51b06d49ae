"""``status``: committed offsets per file, lag against the files on disk, last commit."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from rich.console import Console

from logpipe.cli.status import render
from logpipe.ingest.status import status
from logpipe.ingest.sync import sync
from tests.ingest.helpers import append, config


def test_status_reports_offsets_lag_and_gone_files(tmp_path: Path) -> None:
    src = tmp_path / "node1"
    append(src / "a.log", b"1\n2\n")
    append(src / "b.log", b"x\n")
    cfg = config(tmp_path, src)
    sync(cfg)
    append(src / "a.log", b"3\n4 not yet complete")
    (src / "b.log").unlink()
    (item,) = status(cfg.to)
    assert (item.name, item.version, item.root) == ("node1", 1, str(src))
    assert item.last_commit is not None
    assert abs((dt.datetime.now(dt.UTC) - item.last_commit).total_seconds()) < 60
    files = {f.path: (f.offset, f.lines, f.lag) for f in item.files}
    assert files == {"a.log": (4, 2, 20), "b.log": (2, 1, None)}
    assert item.lag == 20
    screen = io.StringIO()
    render([item], Console(file=screen, width=200), dt.datetime.now(dt.UTC))
    shown = screen.getvalue()
    assert "node1" in shown
    assert "b.log (gone)" in shown


def test_status_of_an_empty_table_and_of_two_sources(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    append(one / "a.log", b"1\n")
    append(two / "a.log", b"2\n")
    cfg = config(tmp_path, one, two)
    sync(cfg)
    assert [s.name for s in status(cfg.to)] == ["one", "two"]
    screen = io.StringIO()
    render([], Console(file=screen), dt.datetime.now(dt.UTC))
    assert "no sources" in screen.getvalue()
