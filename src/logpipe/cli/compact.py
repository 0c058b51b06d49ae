"""``logpipe compact DATASET``: merge small Parquet files, delete long-expired ones."""

from __future__ import annotations

import argparse
from typing import Any

from logpipe.cli._ingest import setup_logging
from logpipe.ingest.compact import compact
from logpipe.ingest.config import parse_size

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "compact",
        help="merge the dataset's small files (readers never see a mix)",
        description="Merge small Parquet files of DATASET in one Delta optimize commit.",
    )
    parser.add_argument("dataset", metavar="DATASET")
    parser.add_argument("--target-size", metavar="SIZE", type=parse_size, help="file size goal")
    parser.add_argument("--no-vacuum", action="store_true", help="keep files merged away")
    parser.add_argument(
        "--retention-hours", type=int, metavar="H", help="vacuum files older than H (168)"
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    setup_logging("warning")
    report = compact(
        args.dataset,
        target_size=args.target_size,
        vacuum=not args.no_vacuum,
        retention_hours=args.retention_hours,
    )
    if not args.quiet:
        print(
            f"{report.removed} files merged into {report.added}; "
            f"{report.vacuumed} expired files deleted"
        )
    return 0
