"""``logpipe demo``: the same events of a GPU-job sidecar through every logrus formatter."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from rich.console import Console

from logpipe.formatting import Caller, Entry, JSONFormatter, PrefixedFormatter, TextFormatter

__all__ = ["events", "register", "sections"]

_START = datetime(2024, 3, 5, 14, 0, 0, tzinfo=UTC)  # the process start: [0000]


class _UploadError(OSError):
    """What a failed checkpoint upload raises (shown by its message, as Go's WithError)."""


def events() -> list[Entry]:
    """A sidecar next to a multi-node training job: start-up, NCCL, a fallback, a failure."""

    def at(seconds: float) -> datetime:
        return _START + timedelta(seconds=429 + seconds)

    def where(function: str, line: int) -> Caller:
        return Caller(f"sidecar.{function}", "/srv/sidecar/watch.py", line)

    return [
        Entry(at(0.0), "info", "sidecar started",
              {"prefix": "sidecar", "version": "1.4.2", "pid": 4211, "listen": ":9400"},
              where("main", 31)),
        Entry(at(0.018), "debug", "NCCL environment",
              {"prefix": "nccl", "NCCL_IB_HCA": "mlx5_0,mlx5_1", "NCCL_DEBUG": "INFO"},
              where("scrape_env", 58)),
        Entry(at(1.204), "info", "ring established",
              {"prefix": "nccl", "job": "llm-7b-4711", "channel": 0, "rank": 3, "peer": 10,
               "transport": "NET/IB/0/GDRDMA"},
              where("on_ring", 102)),
        Entry(at(1.377), "warning", "rank fell back to sockets",
              {"prefix": "nccl", "job": "llm-7b-4711", "rank": 7, "host": "gpu-node-07",
               "transport": "NET/Socket/0", "latency": timedelta(microseconds=1250)},
              where("on_ring", 117)),
        Entry(at(95.5), "error", "checkpoint upload failed",
              {"prefix": "ckpt", "error": _UploadError("s3: connection reset by peer"),
               "attempt": 3, "backoff": timedelta(seconds=30), "bucket": "s3://ml-ckpt/job-4711",
               "size_gb": 13.5},
              where("upload", 211)),
    ]  # fmt: skip


def sections(colors: bool) -> list[tuple[str, Any]]:
    """(title, formatter) for each way logpipe can write the events."""
    world: dict[str, Any] = {"is_terminal": False, "start_time": _START}
    out: list[tuple[str, Any]] = [
        ("logrus TextFormatter — plain (files, pipes)", TextFormatter(**world)),
        ("logrus JSONFormatter", JSONFormatter()),
    ]
    if colors:
        out.insert(1, ("logrus TextFormatter — colored (terminals)",
                       TextFormatter(force_colors=True, **world)))  # fmt: skip
    out.append((
        "x-cray prefixed formatter",
        PrefixedFormatter(force_formatting=True, force_colors=colors, full_timestamp=True,
                          timestamp_format="15:04:05.000", **world),
    ))  # fmt: skip
    return out


def run(out: TextIO, colors: bool, console: Console) -> None:
    """Print every section: a heading, then the lines exactly as the formatter wrote them."""
    for title, formatter in sections(colors):
        console.rule(title, style="bold cyan" if colors else "")
        for entry in events():
            out.write(formatter.render(entry))
        out.flush()
        console.print()


def handler(args: argparse.Namespace) -> int:
    out = sys.stdout
    colors = args.color == "always" or (args.color == "auto" and out.isatty())
    console = Console(file=out, force_terminal=colors, no_color=not colors, highlight=False)
    run(out, colors, console)
    if not colors:
        console.print("(colored formatters: run on a terminal or with --color=always)")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="print a sidecar's events through each logrus formatter",
        description=(
            "Render the same events of a GPU-job sidecar (fields, callers, levels, an error) "
            "with the logrus text (plain and colored), JSON and x-cray prefixed formatters, "
            "byte for byte as the Go libraries write them."
        ),
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colored sections: on a terminal (auto), always, or never",
    )
    parser.set_defaults(func=handler)
