"""``logpipe query DATASET SQL``: run SQL over one snapshot; a table, CSV, JSON or Parquet."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, BinaryIO, TextIO

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from logpipe import errors, query
from logpipe.cli._output import Report

__all__ = ["register", "run", "snapshot_arg"]

_BATCH = 65536
_VIEWS_HELP = (
    "Views: logs, nccl_lines, nccl_runs, nccl_ranks, nccl_comms, nccl_edges, nccl_rings, "
    "nccl_ring_hops, nccl_trees, nccl_colls, nccl_warnings, nccl_transport_summary."
)


def snapshot_arg(text: str) -> int | dt.datetime:
    """``--snapshot``: a Delta version number, or an ISO time (the last version before it)."""
    if text.isdigit():
        return int(text)
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a version or ISO time: {text!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "query",
        help="run SQL over a dataset (views logs, nccl_*)",
        description=f"Run SQL (DuckDB dialect) over one snapshot of DATASET. {_VIEWS_HELP}",
    )
    parser.add_argument("dataset", metavar="DATASET", help="the Delta table logpipe wrote")
    parser.add_argument("sql", metavar="SQL", help="the query; '-' reads it from stdin")
    parser.add_argument(
        "--format",
        choices=["table", "csv", "json", "parquet"],
        help="table on a terminal, csv when piped (json: one object per line)",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    parser.add_argument(
        "--snapshot", type=snapshot_arg, metavar="VERSION|TIME", help="read this Delta version"
    )
    parser.add_argument(
        "--max-rows", type=int, default=1000, metavar="N", help="rows a table shows (1000)"
    )
    parser.set_defaults(func=run)


def _plain(value: Any) -> Any:
    """A result value as JSON can hold it (maps become objects, times ISO text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
            return {str(k): _plain(v) for k, v in value}  # a MAP arrives as (key, value) pairs
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | dt.time | dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _csv_cell(value: Any) -> Any:
    """CSV text of a value: nested values as JSON, times ISO, booleans lower-case."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or isinstance(value, int | float | str):
        return value
    plain = _plain(value)
    return plain if isinstance(plain, str | int | float) else json.dumps(plain)


def _csv(batches: Iterator[pa.RecordBatch], schema: pa.Schema, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(schema.names)
    for batch in batches:
        columns = [column.to_pylist() for column in batch.columns]
        writer.writerows([_csv_cell(v) for v in row] for row in zip(*columns, strict=True))


def _json(batches: Iterator[pa.RecordBatch], out: TextIO) -> None:
    for batch in batches:
        for row in batch.to_pylist():
            out.write(json.dumps(_plain(row), ensure_ascii=False) + "\n")


def _table(reader: pa.RecordBatchReader, out: TextIO, tty: bool | None, limit: int) -> None:
    shown: list[dict[str, Any]] = []
    more = False
    for batch in reader:
        shown.extend(batch.slice(0, limit + 1 - len(shown)).to_pylist())
        if len(shown) > limit:
            more = True
            break
    report = Report(out, tty=tty)
    columns = reader.schema.names
    report.table(columns, [[row[c] for c in columns] for row in shown[:limit]])
    if more:
        report.line(f"(only the first {limit} rows; --max-rows N or --format csv for all)")


def _parquet(reader: pa.RecordBatchReader, target: str | BinaryIO) -> None:
    with pq.ParquetWriter(target, reader.schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_batch(batch)


def run(args: argparse.Namespace, *, out: TextIO | None = None, tty: bool | None = None) -> int:
    """Run the query; 2 when the output cannot be written where asked."""
    out = sys.stdout if out is None else out
    tty = out.isatty() if tty is None else tty
    fmt = args.format or ("table" if tty and not args.output else "csv")
    if fmt == "parquet" and not args.output and tty:
        print("logpipe query: error: Parquet is binary: use -o FILE or redirect", file=sys.stderr)
        return 2
    sql = sys.stdin.read() if args.sql == "-" else args.sql
    con = query.connect(args.dataset, snapshot=args.snapshot)
    try:
        relation = con.sql(sql)
        if relation is None:
            return 0  # a statement without a result
        reader = relation.to_arrow_reader(_BATCH)
        if fmt == "parquet":
            _parquet(reader, args.output or sys.stdout.buffer)
        elif args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as fh:
                _write(fmt, reader, fh, False, args.max_rows)
        else:
            _write(fmt, reader, out, tty, args.max_rows)
    except duckdb.Error as exc:
        raise errors.QueryError(str(exc)) from exc
    except BrokenPipeError:
        raise  # the reader went away (| head): main() ends quietly
    except OSError as exc:
        raise errors.QueryError(f"cannot write {args.output or 'stdout'}: {exc}") from exc
    finally:
        con.close()
    return 0


def _write(fmt: str, reader: pa.RecordBatchReader, out: TextIO, tty: bool, limit: int) -> None:
    if fmt == "table":
        _table(reader, out, tty, limit)
    elif fmt == "json":
        _json(iter(reader), out)
    else:
        _csv(iter(reader), reader.schema, out)
    out.flush()
