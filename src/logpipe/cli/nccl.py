"""``logpipe nccl``: the NCCL command group (``inspect``, ``summary``, ``rings``, ``check``).

Each subcommand is one ``_add_<name>(group)`` function in ``_COMMANDS`` that adds its
parser to the group and sets ``func``; the group without a subcommand prints its help.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from logpipe.cli._nccl_check import add_check
from logpipe.cli._nccl_report import add_rings, add_summary
from logpipe.errors import SourceError
from logpipe.parsers.nccl_summary import summarize_file

__all__ = ["inspect_command", "ranges", "register"]

_PROG = "logpipe nccl inspect"


def ranges(values: Iterable[int]) -> str:
    """``0-3, 5, 7-8`` for 0,1,2,3,5,7,8 (empty text for no values)."""
    runs: list[list[int]] = []
    for value in sorted(set(values)):
        if runs and value == runs[-1][1] + 1:
            runs[-1][1] = value
        else:
            runs.append([value, value])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def _facts(summary: dict[str, Any]) -> list[tuple[str, str]]:
    edges = summary["ring_edges"]
    ranks = summary["ranks_seen"]
    gdr = sum(1 for e in edges if e["gdr"])
    return [
        ("NCCL version", summary["nccl_version"] or "(no version line)"),
        ("ranks seen", f"{ranges(ranks) or 'none'} ({len(ranks)})"),
        ("connections", f"{len(edges)} ({gdr} with GPUDirect RDMA)"),
        ("Trees lines", str(summary["tree_lines"])),
        ("Init COMPLETE", str(len(summary["init_complete"]))),
        ("warnings", str(summary["warn_count"])),
    ]


def _test_facts(test: dict[str, Any]) -> tuple[str, str, str, str, str]:
    busbw = [r["oop"]["busbw"] for r in test["rows"] if isinstance(r["oop"]["busbw"], int | float)]
    return (
        test["name"] or "(unnamed)",
        str(len(test["rows"])),
        str(test["devices_listed"]),
        str(max(busbw)) if busbw else "-",
        str(test["avg_busbw"]),
    )


def _plain(out: TextIO, name: str, summary: dict[str, Any]) -> None:
    out.write(f"{name}\n")
    for key, value in _facts(summary):
        out.write(f"  {key}: {value}\n")
    for transport, count in summary["transports_count"].items():
        out.write(f"  transport {transport}: {count}\n")
    for test in summary.get("tests", []):
        label, rows, devices, peak, avg = _test_facts(test)
        out.write(f"  nccl-tests {label}: {rows} rows, {devices} devices, ")
        out.write(f"peak busbw {peak} GB/s, avg busbw {avg} GB/s\n")


def _row(table: Table, *cells: str) -> None:
    table.add_row(*(Text(c) for c in cells))  # Text: "[b0]" in a value is not markup


def _rich(console: Console, name: str, summary: dict[str, Any]) -> None:
    console.print(Text(name, style="bold"))
    facts = Table(show_header=False)
    facts.add_column(style="bold")
    facts.add_column()
    for key, value in _facts(summary):
        _row(facts, key, value)
    console.print(facts)
    if summary["transports_count"]:
        transports = Table("transport", "connections", title="transports", title_justify="left")
        for transport, count in summary["transports_count"].items():
            _row(transports, transport, str(count))
        console.print(transports)
    if summary.get("tests"):
        columns = ("test", "rows", "devices", "peak busbw GB/s", "avg busbw GB/s")
        tests = Table(*columns, title="nccl-tests", title_justify="left")
        for test in summary["tests"]:
            _row(tests, *_test_facts(test))
        console.print(tests)


def inspect_command(
    args: argparse.Namespace,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    is_tty: bool | None = None,
) -> int:
    """Summarize each file; exit 2 when any file could not be read (the others still are)."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    tty = out.isatty() if is_tty is None else is_tty
    console = Console(file=out, force_terminal=tty, soft_wrap=False)
    failed = False
    for name in args.files:
        try:
            summary = summarize_file(name)
        except SourceError as exc:
            print(f"{_PROG}: error: {exc}", file=err)
            failed = True
            continue
        if args.json:
            out.write(json.dumps({"file": name, **summary}) + "\n")
        elif tty:
            _rich(console, name, summary)
        else:
            _plain(out, name, summary)
        out.flush()
    return 2 if failed else 0


def _add_inspect(group: Any) -> None:
    parser = group.add_parser(
        "inspect",
        help="summarize NCCL debug logs (no dataset needed)",
        description=(
            "For each FILE: NCCL version, ranks, connections and their transports, Trees "
            "and Init COMPLETE records, warnings, and nccl-tests result tables."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="log file to summarize")
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per file, one per line"
    )
    parser.set_defaults(func=inspect_command)


_COMMANDS: tuple[Callable[[Any], None], ...] = (_add_inspect, add_summary, add_rings, add_check)


def _group_help(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    parser.print_help()
    return 2


def register(subparsers: Any) -> None:
    """Add ``logpipe nccl`` and its subcommands."""
    parser = subparsers.add_parser(
        "nccl",
        help="NCCL debug-log tools",
        description=(
            "Read NCCL_DEBUG=INFO output and nccl-tests results: per file (inspect), or "
            "over a dataset's runs (summary, rings, check)."
        ),
    )
    group = parser.add_subparsers(dest="nccl_command", metavar="SUBCOMMAND")
    for add in _COMMANDS:
        add(group)
    parser.set_defaults(func=partial(_group_help, parser))
