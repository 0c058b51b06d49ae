"""Lines -> typed Arrow columns (PLACEHOLDER for text formats until ``lineparse``; NCCL is real)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from logpipe.parsers import _nccl_reference, _nccl_vector
from logpipe.parsers._schema import FORMATS, SCHEMA

__all__ = ["FORMATS", "SCHEMA", "parse_batch", "parse_line"]


def parse_line(line: str) -> dict[str, Any]:
    """Reference parser of one line: a dict with one key per ``SCHEMA`` column."""
    row: dict[str, Any] = dict.fromkeys(SCHEMA.names)
    row["format"] = "plain"
    row["msg"] = line
    row["nccl"] = _nccl_reference.parse_nccl(line) or None
    return row


def parse_batch(lines: pa.StringArray | pa.LargeStringArray) -> pa.RecordBatch:
    """Parse whole arrays of lines (one output row per input line, never fewer)."""
    n = len(lines)
    columns = [
        pa.array(["plain"] * n, pa.string())
        if f.name == "format"
        else lines.cast(pa.string())
        if f.name == "msg"
        else _nccl_vector.nccl_column(lines)  # the records, null where a line holds none
        if f.name == "nccl"
        else pa.nulls(n, f.type)
        for f in SCHEMA
    ]
    return pa.RecordBatch.from_arrays(columns, schema=SCHEMA)
