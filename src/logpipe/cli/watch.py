"""``logpipe watch SRC... --to DATASET``: the daemon; SIGTERM/SIGINT commit and exit 0."""

from __future__ import annotations

import argparse
import resource
import signal
from typing import Any

from logpipe.cli._ingest import add_common, config_from, setup_logging, tune_allocator
from logpipe.ingest.daemon import Daemon

__all__ = ["register"]

_EXTRA = ("flush_interval", "poll_interval", "compact_interval", "drain_grace", "forget_after")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "watch",
        help="follow SRC trees and land new lines into DATASET continuously",
        description=(
            "Follow every matching file under each SRC (new files, appends, rotations, "
            "truncations) and commit complete lines at least every --flush-interval, "
            "exactly once, until SIGTERM or SIGINT."
        ),
    )
    add_common(parser)
    parser.add_argument("--flush-interval", metavar="SECONDS", help="commit at least this often")
    parser.add_argument("--poll-interval", metavar="SECONDS", help="rescan this often (2)")
    parser.add_argument(
        "--compact-interval", metavar="SECONDS", help="background compaction (600; 0: off)"
    )
    parser.add_argument(
        "--drain-grace", metavar="SECONDS", help="keep reading a rotated-away file this long (5)"
    )
    parser.add_argument(
        "--forget-after", metavar="SECONDS", help="forget files gone this long (7d)"
    )
    parser.set_defaults(func=run)


def _raise_fd_limit() -> None:
    # One open file per followed file: lift the soft limit to the hard one.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def run(args: argparse.Namespace) -> int:
    config = config_from(args, _EXTRA)
    setup_logging(config.log_level or "info")
    tune_allocator()
    _raise_fd_limit()
    daemon = Daemon(config)
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    for sig in previous:
        signal.signal(sig, lambda *_: daemon.stop())
    try:
        return daemon.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
