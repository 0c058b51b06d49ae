"""The ``logpipe`` command: argument parsing and dispatch to one module per subcommand."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from logpipe._version import __version__
from logpipe.errors import LogpipeError

__all__ = ["main"]

# Each subcommand module exposes ``register(subparsers)`` which adds its parser and
# sets ``func`` (args -> exit code) as the parser default. Modules are imported only
# when their command runs (or for the full ``--help``): some pull in pyarrow, DuckDB
# and deltalake, which would make every command, even ``--version``, start slowly.
_SUBCOMMANDS = ("demo", "sample", "nccl", "sync", "watch", "compact", "status", "query")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser: every subcommand, or ``only`` the one about to run."""
    parser = argparse.ArgumentParser(
        prog="logpipe",
        description=(
            "Log from Python like logrus, land *.log trees into a Delta Lake dataset "
            "exactly once, and answer NCCL questions with DuckDB."
        ),
    )
    parser.add_argument("--version", action="version", version=f"logpipe {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _SUBCOMMANDS if only is None else (only,):
        importlib.import_module(f"logpipe.cli.{name}").register(sub)
    return parser


def _command_of(argv: Sequence[str]) -> str | None:
    """The subcommand named by ``argv`` (its first word that is not an option), if known."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return first if first in _SUBCOMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (2 on usage or data errors)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command_of(argv))
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
