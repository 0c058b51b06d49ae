"""The vectorized NCCL column: whole arrays through pyarrow compute, Python only for oddities.

Plan: a cheap RE2 prefilter keeps the few lines that can hold a record. The common shape
(one ``host:pid:tid [dev] NCCL INFO msg`` record, maybe after a launcher tag) is split at
the token; prefixes and messages repeat a lot, so both are dictionary-encoded and parsed
once per distinct value. Every other candidate line (several records, WARN/TRACE/CALL,
timestamps, bare version lines, pre-2.3 logs) goes through the reference parser.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.parsers._nccl_arrow import flatnonzero
from logpipe.parsers._nccl_classify import classify_column
from logpipe.parsers._nccl_families import BARE_VERSION_RE2, START
from logpipe.parsers._nccl_record import NCCL_RECORD
from logpipe.parsers._nccl_reference import parse_nccl
from logpipe.parsers._nccl_regex import HOST, N9, N18, TS, WS, re2

__all__ = ["nccl_column"]

_TYPE = pa.list_(NCCL_RECORD)
# Necessary for any record: a modern token or bare version ("NCCL "), or a pre-2.3 level.
_PREFILTER = re2(r"NCCL |\] (?:INFO|WARN) |\d (?:INFO|WARN) ")
_TOKEN = " NCCL INFO "
_START = re2(START)
_SIMPLE_PREFIX = re2(
    rf"^(?P<launcher>(?s:.*?))(?P<host>{HOST}):(?P<pid>{N18}):(?P<tid>{N18}) \[(?P<dev>{N9})\]$"
)
_TS_PREFIX = re2(rf"\[{TS}\] {HOST}:{N18}:{N18} \[{N9}\]$")


def _prefixes(pre: pa.StringArray) -> tuple[pa.BooleanArray, pa.StructArray]:
    """Which distinct prefixes are the plain form, and their host/pid/tid/dev.

    Plain: the text before the token ends in ``host:pid:tid [dev]`` without a 2.26+
    timestamp, and what precedes the host (a launcher tag) holds no record start and no
    bare version line. Then the reference's single record start is exactly this prefix.
    """
    found = pc.extract_regex(pre, _SIMPLE_PREFIX)
    launcher = pc.fill_null(found.field("launcher"), "")
    ok = pc.and_(
        pc.and_(found.is_valid(), pc.invert(pc.match_substring_regex(pre, _TS_PREFIX))),
        pc.and_(
            pc.equal(pc.count_substring_regex(launcher, _START), 0),
            pc.invert(pc.match_substring_regex(launcher, BARE_VERSION_RE2)),
        ),
    )
    return pc.fill_null(ok, False), found


def _fast(sub: pa.StringArray) -> tuple[np.ndarray, pa.StructArray]:
    """Positions in ``sub`` of plain one-record INFO lines, and their records."""
    parts = pc.split_pattern(sub, _TOKEN, max_splits=1)
    two = flatnonzero(pc.equal(pc.list_value_length(parts), 2))
    parts = parts.take(two)
    pre = pc.dictionary_encode(pc.list_element(parts, 0))
    msg = pc.dictionary_encode(pc.list_element(parts, 1))
    pre_ok, prefix = _prefixes(pre.dictionary)
    # A second record start anywhere in the message sends the line to the reference.
    msg_ok = pc.equal(pc.count_substring_regex(msg.dictionary, _START), 0)
    fast = np.logical_and(
        pre_ok.to_numpy(zero_copy_only=False)[pre.indices.to_numpy()],
        msg_ok.to_numpy(zero_copy_only=False)[msg.indices.to_numpy()],
    )
    pre_index = pa.array(pre.indices.to_numpy()[fast])
    msg_index = pa.array(msg.indices.to_numpy()[fast])
    bodies = pc.utf8_rtrim(msg.dictionary, WS)
    columns: dict[str, pa.Array] = classify_column(bodies)
    columns = {k: v.take(msg_index) for k, v in columns.items()}
    columns["body"] = bodies.take(msg_index)
    for name, group in (("host", "host"), ("pid", "pid"), ("tid", "tid"), ("device", "dev")):
        columns[name] = prefix.field(group).take(pre_index)
    count = len(msg_index)
    columns["level"] = pa.array(np.full(count, "INFO", dtype=object), pa.string())
    arrays = [
        columns[f.name].cast(f.type) if f.name in columns else pa.nulls(count, f.type)
        for f in NCCL_RECORD
    ]
    return two[fast], pa.StructArray.from_arrays(arrays, fields=list(NCCL_RECORD))


def _slow(sub: pa.StringArray, positions: np.ndarray) -> tuple[np.ndarray, pa.StructArray]:
    """Records of the other candidate lines, by the reference parser."""
    owners: list[int] = []
    records: list[dict[str, Any]] = []
    for position, line in zip(positions, sub.take(pa.array(positions)).to_pylist(), strict=True):
        found = parse_nccl(line)
        owners.extend([int(position)] * len(found))
        records.extend(found)
    return np.array(owners, np.int64), pa.array(records, NCCL_RECORD)


def nccl_column(lines: pa.StringArray | pa.LargeStringArray) -> pa.ListArray:
    """``list<NCCL_RECORD>`` per line, null where a line holds no NCCL record.

    Equal to ``[parse_nccl(line) or None for line in lines]``, computed on whole arrays.
    """
    size = len(lines)
    candidates = flatnonzero(pc.match_substring_regex(lines, _PREFILTER))
    sub = lines.take(pa.array(candidates)).cast(pa.string())
    fast_at, fast_records = _fast(sub)
    slow_mask = np.ones(len(sub), bool)
    slow_mask[fast_at] = False
    slow_owners, slow_records = _slow(sub, np.flatnonzero(slow_mask))
    owners = np.concatenate([candidates[fast_at], candidates[slow_owners]])
    order = np.argsort(owners, kind="stable")
    records = pa.concat_arrays([fast_records, slow_records]).take(pa.array(order))
    counts = np.bincount(owners, minlength=size)
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]), pa.int32())
    return pa.ListArray.from_arrays(offsets, records, type=_TYPE, mask=pa.array(counts == 0))
