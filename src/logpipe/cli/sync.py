"""``logpipe sync SRC... --to DATASET``: land every new complete line once, then exit."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

from logpipe.cli._ingest import add_common, config_from, setup_logging, tune_allocator
from logpipe.ingest.sync import SyncProgress, SyncReport, sync

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sync",
        help="one pass: land new lines of SRC trees into DATASET",
        description=(
            "Read every matching file under each SRC past what the dataset already holds "
            "(rsync --append semantics) and commit the complete lines, exactly once."
        ),
    )
    add_common(parser)
    parser.set_defaults(func=run)


class SyncBar:
    """A rich progress bar: files, bytes, lines/s (only drawn on a terminal)."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("[bold]sync[/] {task.fields[files]} files"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TextColumn("{task.fields[rate]} lines/s"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.task: TaskID | None = None

    def update(self, state: SyncProgress) -> None:
        if self.task is None:
            self.progress.start()
            self.task = self.progress.add_task("sync", total=state.total_bytes, files=0, rate=0)
        elapsed = self.progress.tasks[0].elapsed or 0.0
        rate = f"{state.rows / elapsed:,.0f}" if elapsed > 0 else "0"
        done = min(state.read_bytes, state.total_bytes)
        self.progress.update(self.task, completed=done, files=state.files, rate=rate)

    def close(self) -> None:
        if self.task is not None:
            self.progress.stop()


def summary(report: SyncReport) -> str:
    return (
        f"{report.rows:,} lines ({report.nbytes:,} bytes) from {report.files:,} files "
        f"in {report.commits} commits"
    )


def run(args: argparse.Namespace, console: Console | None = None) -> int:
    config = config_from(args)
    setup_logging(config.log_level or "warning")
    tune_allocator()
    console = console or Console(stderr=True)
    bar = SyncBar(console) if console.is_terminal else None
    try:
        report = sync(config, progress=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    if console.is_terminal:
        console.print(summary(report), highlight=False)
    for source, path, exc in report.errors:
        print(f"logpipe sync: {source}: cannot read {path}: {exc.strerror}", file=sys.stderr)
    # Like rsync's "partial transfer" (23): some files could not be read, the rest landed.
    return 1 if report.errors else 0
