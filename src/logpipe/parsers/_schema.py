"""The Arrow schema ``parse_batch`` returns: the contract between parsers, ingest and query."""

from __future__ import annotations

from typing import Final

import pyarrow as pa

# The typed NCCL record (host, pid, tid, device, level, family and each family's fields).
from logpipe.parsers._nccl_record import NCCL_RECORD

__all__ = ["FORMATS", "NCCL_RECORD", "SCHEMA"]

#: Values of the ``format`` column.
FORMATS: Final = (
    "logrus_text",
    "logrus_tty",
    "logrus_json",
    "prefixed",
    "logfmt",
    "nccl",
    "nccl_tests",
    "plain",
)

SCHEMA: Final = pa.schema(
    [
        pa.field("format", pa.string(), nullable=False),
        pa.field("ts", pa.timestamp("us", tz="UTC")),
        pa.field("elapsed_s", pa.int64()),
        pa.field("level", pa.string()),
        pa.field("msg", pa.string()),
        pa.field("fields", pa.map_(pa.string(), pa.string())),
        pa.field("caller_func", pa.string()),
        pa.field("caller_file", pa.string()),
        pa.field("prefix", pa.string()),
        pa.field("launcher", pa.string()),
        pa.field("parse_error", pa.string()),
        pa.field("nccl", pa.list_(NCCL_RECORD)),
    ]
)
