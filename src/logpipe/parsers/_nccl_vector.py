"""The vectorized NCCL column: whole arrays through pyarrow compute, Python only for oddities.

A cheap prefilter keeps the lines that can hold a record. A line with one record
(``[launcher][prefix] NCCL LEVEL message``) is split at its token; prefixes and messages
repeat a lot, so each distinct one is parsed once (``_nccl_tables``: the prefix by one
regex, the message by the family table; remembered across batches). The reference only
cuts the other lines (several records, bare version lines, pre-2.3) into prefixes and
messages. The records are then two ``take``s from the tables, zipped field by field.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.parsers._nccl_arrow import flatnonzero
from logpipe.parsers._nccl_record import NCCL_RECORD
from logpipe.parsers._nccl_reference import parse_nccl, split_records
from logpipe.parsers._nccl_tables import (
    MESSAGES,
    PREFIX_FIELDS,
    PREFIX_TYPE,
    PREFIXES,
    Rows,
    maybe_records,
)
from logpipe.parsers._vbuf import slices, view

__all__ = ["PYTHON_BELOW", "nccl_column"]

#: Below this many candidate lines in a batch, the per-line reference (about 26 us a line)
#: is cheaper than the vectorized path's fixed cost: about 1.5 ms a batch when its messages
#: were seen before, 8 ms when they are new (regex compiles, the family loop).
PYTHON_BELOW = 128

_TYPE = pa.list_(NCCL_RECORD)
_LEVELS = pa.array(["INFO", "WARN", "TRACE", "CALL"])  # ``_knccl.LEVELS``
_INFO = " NCCL INFO "
_OTHER = r" NCCL (?:WARN|TRACE|CALL) "
_OTHER_LEVEL = r" NCCL (?P<level>WARN|TRACE|CALL) "


def _halves(parts: pa.ListArray) -> tuple[np.ndarray, pa.Array, pa.Array]:
    """Rows split in two, with both halves (taken straight from the flat values)."""
    at = flatnonzero(pc.equal(pc.list_value_length(parts), 2))
    first = pa.array(parts.offsets.to_numpy()[:-1][at])
    return at, parts.values.take(first), parts.values.take(pc.add(first, 1))


def _split(sub: pa.StringArray) -> Split:
    """Lines with a `` NCCL LEVEL `` token: positions, text before, message after, level."""
    at_info, pre_info, msg_info = _halves(pc.split_pattern(sub, _INFO, max_splits=1))
    rest = np.ones(len(sub), bool)
    rest[at_info] = False
    rest_at = np.flatnonzero(rest)
    others = sub.take(pa.array(rest_at))
    at_other, pre_other, msg_other = _halves(pc.split_pattern_regex(others, _OTHER, max_splits=1))
    levels = pc.extract_regex(others.take(pa.array(at_other)), _OTHER_LEVEL).field("level")
    return Split(
        np.concatenate([at_info, rest_at[at_other]]),
        pa.concat_arrays([pre_info, pre_other]),
        pa.concat_arrays([msg_info, msg_other]),
        pa.concat_arrays([pa.repeat(pa.scalar("INFO"), len(at_info)), levels]),
    )


@dataclass
class Split:
    """Candidate lines split at their record token: positions (into the candidates), the
    text before the token, the message after it, and the level (``None``: unknown yet)."""

    at: np.ndarray
    pre: pa.StringArray
    msg: pa.StringArray
    level: pa.StringArray


def split_at_tokens(lines: pa.StringArray, candidates: np.ndarray, token: np.ndarray) -> Split:
    """``_split`` of the candidate lines from token spans found beforehand (``_knccl``):
    start, end (absolute in the data buffer) and ``LEVELS`` index, -1 where none."""
    at = np.flatnonzero(token[candidates, 0] >= 0)
    rows = candidates[at]
    offsets = view(lines)[1]
    pre = slices(lines, offsets[rows], token[rows, 0])
    msg = slices(lines, token[rows, 1], offsets[rows + 1])
    return Split(at, pre, msg, _LEVELS.take(pa.array(token[rows, 2])))


@dataclass
class _Fast:
    """The plain one-record lines: lines, rows into the memo tables, the tables, levels."""

    owners: np.ndarray
    pre_rows: np.ndarray
    msg_rows: np.ndarray
    pre_table: Rows
    msg_table: Rows
    levels: pa.StringArray

    def structs(self, order: np.ndarray) -> tuple[pa.StructArray, pa.StructArray, pa.Array]:
        """Prefix structs, message structs and levels of the records, in ``order``."""
        prefixes = self.pre_table.take(self.pre_rows[order])
        messages = self.msg_table.take(self.msg_rows[order])
        return prefixes, messages, self.levels.take(pa.array(order))


def _fast(split: Split) -> _Fast:
    """The records of the lines whose prefix and message allow the one-record reading."""
    pre_d, msg_d = pc.dictionary_encode(split.pre), pc.dictionary_encode(split.msg)
    pre_rows, pre_ok, pre_table = PREFIXES.rows(pre_d.dictionary)
    msg_rows, msg_ok, msg_table = MESSAGES.rows(msg_d.dictionary)
    pre_i, msg_i = pre_d.indices.to_numpy(), msg_d.indices.to_numpy()
    keep = pre_ok[pre_i] & msg_ok[msg_i]
    rows = (pre_rows[pre_i[keep]], msg_rows[msg_i[keep]])
    return _Fast(split.at[keep], *rows, pre_table, msg_table, split.level.filter(pa.array(keep)))


def _slow(
    sub: pa.StringArray, positions: np.ndarray
) -> tuple[np.ndarray, pa.StructArray, pa.StructArray, pa.Array]:
    """The records the reference cuts out of the other lines: (lines, prefix structs,
    message structs, levels)."""
    owners, prefixes, bodies = [], [], []
    for position, line in zip(positions, sub.take(pa.array(positions)).to_pylist(), strict=True):
        for prefix, body in split_records(line):
            owners.append(int(position))
            prefixes.append(prefix)
            bodies.append(body)
    texts = pc.dictionary_encode(pa.array(bodies, pa.string()))
    rows, _, table = MESSAGES.rows(texts.dictionary)
    messages = table.take(rows[texts.indices.to_numpy()])
    levels = pa.array([p["level"] for p in prefixes], pa.string())
    prefix_structs = pa.array([{**p, "ok": True} for p in prefixes], PREFIX_TYPE)
    return np.array(owners, np.int64), prefix_structs, messages, levels


def _records(prefixes: pa.StructArray, messages: pa.StructArray, level: pa.Array) -> pa.StructArray:
    """``NCCL_RECORD`` structs zipped from prefix fields, message fields and levels."""
    columns = []
    for f in NCCL_RECORD:
        if f.name == "level":
            columns.append(level)
        elif f.name in ("src_file", "src_line"):  # an error trace's own location wins
            columns.append(pc.coalesce(messages.field(f.name), prefixes.field(f.name)))
        elif f in PREFIX_FIELDS:
            columns.append(prefixes.field(f.name))
        else:
            columns.append(messages.field(f.name))
    return pa.StructArray.from_arrays(columns, fields=list(NCCL_RECORD))


def _reference(sub: pa.StringArray) -> tuple[np.ndarray, pa.StructArray]:
    """Records of every line of ``sub`` by the per-line reference, and their lines."""
    owners: list[int] = []
    records: list[dict[str, object]] = []
    for position, line in enumerate(sub.to_pylist()):
        found = parse_nccl(line)
        owners.extend([position] * len(found))
        records.extend(found)
    return np.array(owners, np.int64), pa.array(records, NCCL_RECORD)


def _vectorized(sub: pa.StringArray, split: Split) -> tuple[np.ndarray, pa.StructArray]:
    """Records of every line of ``sub`` by the tables, and their lines (in line order)."""
    fast = _fast(split)
    slow = np.ones(len(sub), bool)
    slow[fast.owners] = False
    if not slow.any():  # one take per table, rows already in line order
        order = np.argsort(fast.owners, kind="stable")
        return fast.owners[order], _records(*fast.structs(order))
    more = _slow(sub, np.flatnonzero(slow))
    parts = list(zip((fast.owners, *fast.structs(np.arange(len(fast.owners)))), more, strict=True))
    owners = np.concatenate(parts[0])
    prefixes, messages, levels = (pa.concat_arrays(list(p)) for p in parts[1:])
    order = pa.array(np.argsort(owners, kind="stable"))
    return owners[np.asarray(order)], _records(
        prefixes.take(order), messages.take(order), levels.take(order)
    )


def nccl_column(
    lines: pa.StringArray | pa.LargeStringArray,
    *,
    python_below: int = PYTHON_BELOW,
    maybe: np.ndarray | None = None,
    token: np.ndarray | None = None,
) -> pa.ListArray:
    """``list<NCCL_RECORD>`` per line, null where a line holds no NCCL record.

    Equal to ``[parse_nccl(line) or None for line in lines]``, computed on whole arrays;
    when fewer than ``python_below`` lines may hold records, by that very loop (cheaper
    than the vectorized path's fixed cost per batch). ``maybe`` and ``token``: what the
    byte kernel found already (``_knccl.prefilter``, on a ``string`` array).
    """
    candidates = flatnonzero(maybe_records(lines)) if maybe is None else np.flatnonzero(maybe)
    if len(candidates) and candidates[-1] == len(candidates) - 1:  # a leading block
        sub = lines.slice(0, len(candidates)).cast(pa.string())
    else:
        sub = lines.take(pa.array(candidates)).cast(pa.string())
    if len(sub) < python_below:
        owners, records = _reference(sub)
    else:
        split = _split(sub) if token is None else split_at_tokens(lines, candidates, token)
        owners, records = _vectorized(sub, split)
    counts = np.bincount(candidates[owners], minlength=len(lines))
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]), pa.int32())
    return pa.ListArray.from_arrays(offsets, records, type=_TYPE, mask=pa.array(counts == 0))
