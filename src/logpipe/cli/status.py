"""``logpipe status DATASET``: sources, files, committed offsets, lag, last commit."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from logpipe.cli._ingest import setup_logging
from logpipe.ingest.status import SourceStatus, status

__all__ = ["register", "render"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "status",
        help="what the dataset holds of each source, and how far behind it is",
        description="Sources, files, committed offsets, lag and last commit of DATASET.",
    )
    parser.add_argument("dataset", metavar="DATASET")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run)


def _ago(when: dt.datetime | None, now: dt.datetime) -> str:
    if when is None:
        return "unknown"
    return f"{when.isoformat(timespec='seconds')} ({(now - when).total_seconds():.0f}s ago)"


def _num(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def render(sources: list[SourceStatus], console: Console, now: dt.datetime) -> None:
    """Print one header and one table per source."""
    if not sources:
        console.print("no sources in this dataset yet")
    for src in sources:
        where = f"{src.root} on {src.host}" if src.root else "root unknown"
        console.print(
            f"[bold]{src.name}[/]  {where}  version {src.version}  "
            f"last commit {_ago(src.last_commit, now)}  files {len(src.files)}  "
            f"lag {_num(src.lag)} bytes",
            highlight=False,
        )
        table = Table(box=None, pad_edge=False)
        for col, justify in [
            ("path", "left"),
            ("gen", "right"),
            ("now at", "left"),
            ("offset", "right"),
            ("lines", "right"),
            ("lag", "right"),
        ]:
            table.add_column(col, justify=justify)  # type: ignore[arg-type]
        for f in src.files:
            at = f.loc if f.size is not None else f"{f.loc} (gone)"
            table.add_row(f.path, str(f.generation), at, _num(f.offset), _num(f.lines), _num(f.lag))
        console.print(table)


def run(args: argparse.Namespace, console: Console | None = None) -> int:
    setup_logging("warning")
    sources = status(args.dataset)
    if args.json:
        print(json.dumps([s.as_dict() for s in sources], indent=2))
        return 0
    console = console or Console(highlight=False)
    render(sources, console, dt.datetime.now(dt.UTC))
    return 0
