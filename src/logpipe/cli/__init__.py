"""The ``logpipe`` command: argument parsing and dispatch to one module per subcommand."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from logpipe._version import __version__
from logpipe.cli import compact, demo, nccl, query, sample, status, sync, watch
from logpipe.errors import LogpipeError

__all__ = ["main"]

# Each subcommand module exposes ``register(subparsers)`` which adds its parser and
# sets ``func`` (args -> exit code) as the parser default.
_SUBCOMMANDS: tuple[Any, ...] = (demo, sample, nccl, sync, watch, compact, status, query)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (exposed for tests and ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="logpipe",
        description=(
            "Log from Python like logrus, land *.log trees into a Delta Lake dataset "
            "exactly once, and answer NCCL questions with DuckDB."
        ),
    )
    parser.add_argument("--version", action="version", version=f"logpipe {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _SUBCOMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (2 on usage or data errors)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        code: int = args.func(args)
    except LogpipeError as exc:
        print(f"logpipe {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (| head): stop quietly; stdout goes nowhere from now on so
        # the interpreter's last flush cannot fail either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return code
