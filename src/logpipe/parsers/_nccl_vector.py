"""The vectorized NCCL column: whole arrays through pyarrow compute, Python only for oddities.

A cheap RE2 prefilter keeps the lines that can hold a record. A line with one record
(``[launcher][prefix] NCCL LEVEL message``) is split at its token; prefixes and messages
repeat a lot, so both are dictionary-encoded and parsed once per distinct value (the
prefix by one regex, the message by the family table). The reference only cuts the other
lines (several records, bare version lines, pre-2.3) into prefixes and messages, which
join the same tables. Each output column is then one ``take`` from a table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.parsers._nccl_arrow import flatnonzero, typed
from logpipe.parsers._nccl_classify import FAMILY_NAMES, Classified, classify_column
from logpipe.parsers._nccl_families import BARE_VERSION_RE2, START
from logpipe.parsers._nccl_record import NCCL_RECORD
from logpipe.parsers._nccl_reference import parse_nccl, split_records
from logpipe.parsers._nccl_regex import HOST, N9, N18, NUM, TS, WS, re2
from logpipe.parsers._nccl_values import COLUMNS, parse_ts

__all__ = ["PYTHON_BELOW", "nccl_column"]

#: Below this many candidate lines in a batch, the per-line reference is cheaper than the
#: vectorized path's fixed cost (regex compiles, the family loop: about 20 ms a batch).
PYTHON_BELOW = 512

_TYPE = pa.list_(NCCL_RECORD)
_TYPES = {f.name: f.type for f in NCCL_RECORD}
_NCCL = "NCCL "  # in every modern record and bare version line
_PRE23 = re2(r"\] (?:[^\s:]+:\d+ )?(?:INFO|WARN) ")  # in every pre-2.3 record
_START = re2(START)
_INFO = " NCCL INFO "
_OTHER = r" NCCL (?:WARN|TRACE|CALL) "
_OTHER_LEVEL = r" NCCL (?P<level>WARN|TRACE|CALL) "


# --- Prefixes: the text before the token is
# [launcher][[ts] host:pid:tid[ [dev][ ms][ file:line[ (func)]]]]. This regex finds the same
# prefix as the reference's record-start search (leftmost start, same optional parts in
# the same order), only anchored at the end of the text.
_PREFIX = re2(
    rf"^(?P<launcher>(?s:.*?))(?:(?:\[(?P<ts>{TS})\] )?(?P<host>{HOST}):(?P<pid>{N18}):"
    rf"(?P<tid>{N18})(?: \[(?P<dev>{N9})\](?: (?P<ms>{NUM}))?(?: (?P<file>[^\s:]+):"
    rf"(?P<line>{N9})(?: \((?P<func>[^)]*)\))?)?)?)?$"
)
_GROUPS = {  # record field <- prefix group
    "host": "host",
    "pid": "pid",
    "tid": "tid",
    "device": "dev",
    "src_file": "file",
    "src_line": "line",
    "func": "func",
    "elapsed_ms": "ms",
}
_PREFIX_FIELDS = frozenset([*_GROUPS, "ts"])  # what a prefix gives (``level``: the token)


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


def _halves(parts: pa.ListArray) -> tuple[np.ndarray, pa.Array, pa.Array]:
    """Rows split in two, with both halves (taken straight from the flat values)."""
    at = flatnonzero(pc.equal(pc.list_value_length(parts), 2))
    first = pa.array(parts.offsets.to_numpy()[:-1][at])
    return at, parts.values.take(first), parts.values.take(pc.add(first, 1))


def _split(sub: pa.StringArray) -> tuple[np.ndarray, pa.Array, pa.Array, pa.Array]:
    """Lines with a `` NCCL LEVEL `` token: positions, text before, message after, level."""
    at_info, pre_info, msg_info = _halves(pc.split_pattern(sub, _INFO, max_splits=1))
    rest = np.ones(len(sub), bool)
    rest[at_info] = False
    rest_at = np.flatnonzero(rest)
    others = sub.take(pa.array(rest_at))
    at_other, pre_other, msg_other = _halves(pc.split_pattern_regex(others, _OTHER, max_splits=1))
    levels = pc.extract_regex(others.take(pa.array(at_other)), _OTHER_LEVEL).field("level")
    return (
        np.concatenate([at_info, rest_at[at_other]]),
        pa.concat_arrays([pre_info, pre_other]),
        pa.concat_arrays([msg_info, msg_other]),
        pa.concat_arrays([pa.repeat(pa.scalar("INFO"), len(at_info)), levels]),
    )


def _has_start(texts: pa.StringArray) -> np.ndarray:
    """Which texts hold a record start (the full regex only where a literal says maybe)."""
    maybe = flatnonzero(_maybe_records(texts))
    found = np.zeros(len(texts), bool)
    counts = pc.count_substring_regex(texts.take(pa.array(maybe)), _START)
    found[maybe] = pc.greater(counts, 0).to_numpy(zero_copy_only=False)
    return found


def _maybe_records(lines: pa.StringArray | pa.LargeStringArray) -> pa.BooleanArray:
    """A necessary condition for holding a record or a bare version line."""
    return pc.or_(pc.match_substring_regex(lines, _NCCL), pc.match_substring_regex(lines, _PRE23))


@dataclass
class _Tables:
    """Records as indices into a prefix table and a message table."""

    owner: np.ndarray  # line of each record
    prefix_row: np.ndarray
    message_row: np.ndarray
    level: pa.Array
    prefix: dict[str, pa.Array]
    bodies: pa.StringArray


def _fast(sub: pa.StringArray) -> tuple[_Tables, np.ndarray]:
    """Tables of the plain one-record lines of ``sub``, and which lines those are."""
    at, pre, msg, level = _split(sub)
    pre_d, msg_d = pc.dictionary_encode(pre), pc.dictionary_encode(msg)
    prefix, pre_ok = parse_prefixes(pre_d.dictionary)
    # A second record start anywhere in the message sends the line to the reference.
    msg_ok = ~_has_start(msg_d.dictionary)
    pre_i, msg_i = pre_d.indices.to_numpy(), msg_d.indices.to_numpy()
    keep = pre_ok[pre_i] & msg_ok[msg_i]
    bodies = pc.utf8_rtrim(msg_d.dictionary, WS)
    tables = _Tables(
        at[keep], pre_i[keep], msg_i[keep], level.filter(pa.array(keep)), prefix, bodies
    )
    return tables, at[keep]


def _slow(sub: pa.StringArray, positions: np.ndarray, tables: _Tables) -> _Tables:
    """``tables`` plus the records the reference cuts out of the other lines."""
    owners, prefixes, bodies = [], [], []
    for position, line in zip(positions, sub.take(pa.array(positions)).to_pylist(), strict=True):
        for prefix, body in split_records(line):
            owners.append(int(position))
            prefixes.append(prefix)
            bodies.append(body)
    n_pre, n_msg, count = len(tables.prefix["host"]), len(tables.bodies), len(owners)
    return _Tables(
        np.concatenate([tables.owner, np.array(owners, np.int64)]),
        np.concatenate([tables.prefix_row, n_pre + np.arange(count)]),
        np.concatenate([tables.message_row, n_msg + np.arange(count)]),
        pa.concat_arrays([tables.level, pa.array([p["level"] for p in prefixes], pa.string())]),
        {
            name: pa.concat_arrays([column, pa.array([p[name] for p in prefixes], _TYPES[name])])
            for name, column in tables.prefix.items()
        },
        pa.concat_arrays([tables.bodies, pa.array(bodies, pa.string())]),
    )


class _Index:
    """Per record, where its value sits in a family column; shared by every column whose
    values come from the same families (the edge columns all index alike)."""

    def __init__(self, classified: Classified, msg_rows: np.ndarray, pre_rows: np.ndarray):
        self.classified, self.msg_rows, self.pre_rows = classified, msg_rows, pre_rows
        self.cache: dict[tuple[object, ...], pa.Array] = {}

    def of(self, pieces: list[tuple[np.ndarray, pa.Array]], prefix: bool) -> pa.Array:
        """Index into the pieces (then, with ``prefix``, the prefix table, else one null)."""
        key = (prefix, *(id(members) for members, _ in pieces))
        if key not in self.cache:
            where = np.full(len(self.classified.family), -1)
            start = 0
            for members, values in pieces:
                where[members] = np.arange(start, start + len(values))
                start += len(values)
            at = where[self.msg_rows]
            gaps = start + self.pre_rows if prefix else start
            self.cache[key] = pa.array(np.where(at >= 0, at, gaps))
        return self.cache[key]


def _family_column(
    name: str, pieces: list[tuple[np.ndarray, pa.Array]], index: _Index, prefix: pa.Array | None
) -> pa.Array:
    """A family column in record order; a prefix column (file:line) fills its gaps."""
    joined = pa.concat_arrays([v for _, v in pieces])
    values = joined if name == "attrs" else typed(name, joined)
    fallback = pa.nulls(1, _TYPES[name]) if prefix is None else prefix
    return pa.concat_arrays([values.cast(_TYPES[name]), fallback]).take(
        index.of(pieces, prefix is not None)
    )


def _gather(tables: _Tables, classified: Classified, order: np.ndarray) -> list[pa.Array]:
    """Every record column in line order, each with one ``take`` from its table."""
    pre_rows, msg_rows = tables.prefix_row[order], tables.message_row[order]
    index = _Index(classified, msg_rows, pre_rows)
    columns = []
    for f in NCCL_RECORD:
        pieces = classified.pieces.get(f.name)
        if f.name == "level":
            columns.append(tables.level.take(pa.array(order)))
        elif f.name == "body":
            columns.append(tables.bodies.take(pa.array(msg_rows)))
        elif f.name == "family":
            columns.append(FAMILY_NAMES.take(pa.array(classified.family[msg_rows])))
        elif pieces:  # err_trace's file:line win over the prefix's
            columns.append(_family_column(f.name, pieces, index, tables.prefix.get(f.name)))
        elif f.name in _PREFIX_FIELDS:
            columns.append(tables.prefix[f.name].take(pa.array(pre_rows)))
        else:
            columns.append(pa.nulls(len(order), f.type))
    return columns


def _reference(sub: pa.StringArray) -> tuple[np.ndarray, pa.StructArray]:
    """Records of every line of ``sub`` by the per-line reference, and their lines."""
    owners: list[int] = []
    records: list[dict[str, object]] = []
    for position, line in enumerate(sub.to_pylist()):
        found = parse_nccl(line)
        owners.extend([position] * len(found))
        records.extend(found)
    return np.array(owners, np.int64), pa.array(records, NCCL_RECORD)


def _vectorized(sub: pa.StringArray) -> tuple[np.ndarray, pa.StructArray]:
    """Records of every line of ``sub`` by the tables, and their lines (in line order)."""
    tables, fast_at = _fast(sub)
    slow_mask = np.ones(len(sub), bool)
    slow_mask[fast_at] = False
    tables = _slow(sub, np.flatnonzero(slow_mask), tables)
    order = np.argsort(tables.owner, kind="stable")
    classified = classify_column(tables.bodies)
    columns = _gather(tables, classified, order)
    return tables.owner[order], pa.StructArray.from_arrays(columns, fields=list(NCCL_RECORD))


def nccl_column(
    lines: pa.StringArray | pa.LargeStringArray,
    *,
    python_below: int = PYTHON_BELOW,
    maybe: np.ndarray | None = None,
) -> pa.ListArray:
    """``list<NCCL_RECORD>`` per line, null where a line holds no NCCL record.

    Equal to ``[parse_nccl(line) or None for line in lines]``, computed on whole arrays;
    when fewer than ``python_below`` lines may hold records, by that very loop (cheaper
    than the vectorized path's fixed cost per batch). ``maybe``: the lines that may hold
    records when the caller knows them already (``_knccl.prefilter``).
    """
    candidates = flatnonzero(_maybe_records(lines)) if maybe is None else np.flatnonzero(maybe)
    sub = lines.take(pa.array(candidates)).cast(pa.string())
    owners, records = (_reference if len(sub) < python_below else _vectorized)(sub)
    counts = np.bincount(candidates[owners], minlength=len(lines))
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]), pa.int32())
    return pa.ListArray.from_arrays(offsets, records, type=_TYPE, mask=pa.array(counts == 0))
