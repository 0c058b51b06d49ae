"""Distinct texts before an `` NCCL LEVEL `` token -> prefix columns, and whether it is safe.

The text before the token is ``[launcher][[ts] host:pid:tid[ [dev][ ms][ file:line[ (func)]]]]``.
The regex below finds the same prefix as the reference's record-start search (leftmost
start, same optional parts in the same order), only anchored at the end of the text.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.parsers._nccl_families import BARE_VERSION_RE2, START
from logpipe.parsers._nccl_regex import HOST, N9, N18, NUM, TS, re2
from logpipe.parsers._nccl_values import COLUMNS, parse_ts

__all__ = ["PREFIX_FIELDS", "parse_prefixes"]

_PREFIX = re2(
    rf"^(?P<launcher>(?s:.*?))(?:(?:\[(?P<ts>{TS})\] )?(?P<host>{HOST}):(?P<pid>{N18}):"
    rf"(?P<tid>{N18})(?: \[(?P<dev>{N9})\](?: (?P<ms>{NUM}))?(?: (?P<file>[^\s:]+):"
    rf"(?P<line>{N9})(?: \((?P<func>[^)]*)\))?)?)?)?$"
)
_START = re2(START)
#: The record fields a prefix gives (``level`` comes from the token).
PREFIX_FIELDS = ("host", "pid", "tid", "device", "ts", "src_file", "src_line", "func", "elapsed_ms")
_GROUPS = {
    "host": "host",
    "pid": "pid",
    "tid": "tid",
    "device": "dev",
    "src_file": "file",
    "src_line": "line",
    "func": "func",
    "elapsed_ms": "ms",
}


def _column(name: str, text: pa.StringArray) -> pa.Array:
    nonempty = pc.if_else(pc.not_equal(text, ""), text, pa.scalar(None, pa.string()))
    return nonempty.cast(COLUMNS[name])


def parse_prefixes(pre: pa.StringArray) -> tuple[dict[str, pa.Array], np.ndarray]:
    """Prefix columns per distinct text, and which texts make a plain one-record line.

    Not plain (the line goes to the reference parser): the text before the record start
    holds another record start or a bare version line.
    """
    found = pc.extract_regex(pre, _PREFIX)
    columns = {name: _column(name, found.field(group)) for name, group in _GROUPS.items()}
    ts_text = pc.if_else(pc.not_equal(found.field("ts"), ""), found.field("ts"), None)
    columns["ts"] = pa.array([parse_ts(t) for t in ts_text.to_pylist()], COLUMNS["ts"])
    # Without a prefix the record starts at the token: the space before it belongs before.
    bare = pc.equal(found.field("host"), "")
    lead = pc.if_else(bare, pc.binary_join_element_wise(pre, " ", ""), found.field("launcher"))
    ok = pc.and_(
        pc.equal(pc.count_substring_regex(lead, _START), 0),
        pc.invert(pc.match_substring_regex(lead, BARE_VERSION_RE2)),
    )
    return columns, pc.fill_null(ok, False).to_numpy(zero_copy_only=False)
