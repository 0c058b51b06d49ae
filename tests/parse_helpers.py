"""Run both parser engines on the same lines and insist they agree."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from logpipe.parsers import SCHEMA, parse_batch, parse_line


def agreed_rows(lines: Sequence[str], *, large: bool = False) -> list[dict[str, Any]]:
    """``parse_batch`` rows (maps as dicts), asserted equal to ``parse_line`` of each line."""
    batch = parse_batch(pa.array(lines, pa.large_string() if large else pa.string()))
    assert batch.schema == SCHEMA
    assert batch.num_rows == len(lines)
    rows: list[dict[str, Any]] = batch.to_pylist(maps_as_pydicts="strict")
    for line, row in zip(lines, rows, strict=True):
        assert row == parse_line(line), repr(line)
    return rows
