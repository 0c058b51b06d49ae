"""TEMPORARY: batch parsing through the reference (replaced by the vectorized engine)."""

from __future__ import annotations

import pyarrow as pa

from logpipe.parsers._reference import parse_line
from logpipe.parsers._schema import SCHEMA


def parse_batch(lines: pa.StringArray | pa.LargeStringArray) -> pa.RecordBatch:
    """Parse whole arrays of lines (one output row per input line, never fewer)."""
    rows = [parse_line(x) if x is not None else None for x in lines.to_pylist()]
    return pa.RecordBatch.from_pylist(rows, schema=SCHEMA)
