"""Options shared by ``sync`` and ``watch``, and turning them into an ``IngestConfig``."""

from __future__ import annotations

import argparse
import ctypes
import functools
import logging
import sys
from typing import Any

from logpipe.cli import _arrow_pool  # noqa: F401  (first: it must run before pyarrow loads)
from logpipe.formatting.stdlib import LogrusTextFormatter
from logpipe.ingest.config import IngestConfig, load_config
from logpipe.ingest.rules import Rule

__all__ = ["add_common", "config_from", "setup_logging", "tune_allocator"]

_SIZE = "SIZE"


def add_common(parser: argparse.ArgumentParser) -> None:
    """SRC..., --to, --include/--exclude (one ordered list), --source and the sizes."""
    parser.add_argument("sources", nargs="*", metavar="SRC", help="source directories")
    parser.add_argument("--to", metavar="DATASET", help="the Delta table to write")
    rule = functools.partial
    parser.add_argument(
        "--include",
        dest="rules",
        action="append",
        metavar="PAT",
        type=rule(Rule, "include"),
        help="rsync include pattern (order with --exclude matters; first match wins)",
    )
    parser.add_argument(
        "--exclude",
        dest="rules",
        action="append",
        metavar="PAT",
        type=rule(Rule, "exclude"),
        help="rsync exclude pattern",
    )
    parser.add_argument("--source", metavar="NAME", help="source name (default: SRC's name)")
    parser.add_argument("--config", metavar="FILE", help="TOML config file")
    parser.add_argument("--max-line-bytes", metavar=_SIZE, help="truncate longer lines (1MiB)")
    parser.add_argument("--batch-bytes", metavar=_SIZE, help="commit at this size (32MiB)")
    parser.add_argument("--state-dir", metavar="DIR", help="local checkpoint cache folder")
    parser.add_argument(
        "--log-level", choices=["debug", "info", "warning", "error"], help="log verbosity"
    )


def config_from(args: argparse.Namespace, extra: tuple[str, ...] = ()) -> IngestConfig:
    """Defaults < ``--config`` file < ``LOGPIPE_*`` environment < the flags given."""
    names = ("sources", "to", "rules", "source", "max_line_bytes", "batch_bytes", "state_dir")
    flags: dict[str, Any] = {n: getattr(args, n) for n in (*names, "log_level", *extra)}
    return load_config(config_file=args.config, flags=flags)


def tune_allocator() -> None:
    """Let glibc keep big buffers instead of mapping fresh zeroed pages for every batch.

    Reading and splitting allocate many-megabyte buffers; above glibc's default
    threshold each is a new mmap whose pages the kernel zeroes again (a third of
    sync's CPU time went to that). Harmless where there is no glibc.
    """
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 64 << 20)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 128 << 20)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass


def setup_logging(level: str) -> None:
    """logpipe's own log lines on stderr, written by logpipe's logrus text formatter."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LogrusTextFormatter(full_timestamp=True))
    root = logging.getLogger("logpipe")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
