"""NCCL debug records (PLACEHOLDER with the agreed signatures; the real module comes from nccl)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from logpipe.parsers._schema import NCCL_RECORD

__all__ = ["NCCL_RECORD", "nccl_column", "nccl_tests_mask", "parse_nccl"]


def parse_nccl(line: str) -> list[dict[str, Any]]:
    """Reference: the NCCL records found anywhere in ``line`` (placeholder: none)."""
    del line
    return []


def nccl_column(lines: pa.StringArray | pa.LargeStringArray) -> pa.ListArray:
    """Vectorized records, ``list<NCCL_RECORD>``, null where a line holds none (placeholder)."""
    return pa.nulls(len(lines), pa.list_(NCCL_RECORD))


def nccl_tests_mask(lines: pa.StringArray | pa.LargeStringArray) -> pa.BooleanArray:
    """True where a line belongs to an nccl-tests output (placeholder: all false)."""
    return pa.array([False] * len(lines), pa.bool_())
