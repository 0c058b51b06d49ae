"""Per distinct NCCL line prefix and message: its record fields as one Arrow struct row.

A record is a prefix (``[launcher][[ts] host:pid:tid[ [dev][ ms][ file:line[ (func)]]]]``)
and a message (the text after ``NCCL LEVEL``). ``prefix_table`` parses distinct prefixes
with one regex, ``message_table`` distinct messages with the family table; each row also
says whether the text allows the plain one-record reading (``ok``). ``PREFIXES`` and
``MESSAGES`` keep the rows across batches (``Memo``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.parsers._nccl_arrow import flatnonzero, typed
from logpipe.parsers._nccl_classify import FAMILY_NAMES, Classified, classify_column
from logpipe.parsers._nccl_families import BARE_VERSION_RE2, START
from logpipe.parsers._nccl_record import NCCL_RECORD
from logpipe.parsers._nccl_regex import HOST, N9, N18, NUM, TS, WS, re2
from logpipe.parsers._nccl_values import COLUMNS, parse_ts

__all__ = [
    "MESSAGES",
    "Memo",
    "MESSAGE_FIELDS",
    "PREFIXES",
    "PREFIX_FIELDS",
    "PREFIX_TYPE",
    "Rows",
    "maybe_records",
    "message_table",
    "prefix_table",
]

_NCCL = "NCCL "  # in every modern record and bare version line
_PRE23 = re2(r"\] (?:[^\s:]+:\d+ )?(?:INFO|WARN) ")  # in every pre-2.3 record
_START = re2(START)
_OK = pa.field("ok", pa.bool_(), nullable=False)

# The text before the token. This regex finds the same prefix as the reference's
# record-start search (leftmost start, same optional parts in the same order), only
# anchored at the end of the text.
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
#: Record fields a prefix gives (``level`` comes from the token).
PREFIX_FIELDS = [f for f in NCCL_RECORD if f.name in {*_GROUPS, "ts"}]
#: A ``prefix_table`` row.
PREFIX_TYPE = pa.struct([_OK, *PREFIX_FIELDS])
#: Record fields a message gives. ``src_file``/``src_line`` are in both: an error trace's
#: own ``file.cc:line`` wins over the prefix's (its pattern always captures them).
MESSAGE_FIELDS = [f for f in NCCL_RECORD if f.name not in {*_GROUPS, "ts", "level"}] + [
    f for f in NCCL_RECORD if f.name in ("src_file", "src_line")
]


def maybe_records(lines: pa.StringArray | pa.LargeStringArray) -> pa.BooleanArray:
    """A necessary condition for holding a record or a bare version line."""
    return pc.or_(pc.match_substring_regex(lines, _NCCL), pc.match_substring_regex(lines, _PRE23))


def _column(name: str, text: pa.StringArray) -> pa.Array:
    nonempty = pc.if_else(pc.not_equal(text, ""), text, pa.scalar(None, pa.string()))
    return nonempty.cast(COLUMNS[name])


def prefix_table(pre: pa.StringArray) -> pa.StructArray:
    """Per distinct prefix text: ``ok`` and the prefix fields.

    Not ``ok`` (the line goes to the reference parser): the text before the record start
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
    children = [pc.fill_null(ok, False), *(columns[f.name] for f in PREFIX_FIELDS)]
    return pa.StructArray.from_arrays(children, fields=list(PREFIX_TYPE))


def _has_start(texts: pa.StringArray) -> np.ndarray:
    """Which texts hold a record start (the full regex only where a literal says maybe)."""
    maybe = flatnonzero(maybe_records(texts))
    found = np.zeros(len(texts), bool)
    counts = pc.count_substring_regex(texts.take(pa.array(maybe)), _START)
    found[maybe] = pc.greater(counts, 0).to_numpy(zero_copy_only=False)
    return found


def _family_values(name: str, classified: Classified) -> pa.Array:
    """Column ``name`` per message: the family's value, null where its family has none."""
    pieces = classified.pieces.get(name, [])
    where = np.full(len(classified.family), -1)
    start = 0
    for members, values in pieces:
        where[members] = np.arange(start, start + len(values))
        start += len(values)
    if not pieces:
        return pa.nulls(len(where), COLUMNS[name])
    joined = pa.concat_arrays([v for _, v in pieces])
    values = (joined if name == "attrs" else typed(name, joined)).cast(COLUMNS[name])
    return values.take(pa.array(where, mask=where < 0))


def message_table(msgs: pa.StringArray) -> pa.StructArray:
    """Per distinct message text (after the token): ``ok`` and the message fields.

    Not ``ok``: another record starts in it (the line goes to the reference parser).
    """
    bodies = pc.utf8_rtrim(msgs, WS)
    classified = classify_column(bodies)
    children: list[pa.Array] = [pa.array(~_has_start(msgs))]
    for f in MESSAGE_FIELDS:
        if f.name == "family":
            children.append(FAMILY_NAMES.take(pa.array(classified.family)))
        elif f.name == "body":
            children.append(bodies)
        else:
            children.append(_family_values(f.name, classified))
    return pa.StructArray.from_arrays(children, fields=[_OK, *MESSAGE_FIELDS])


# --- Memos: each distinct message (and line prefix) is parsed once per process, not per batch.
#
# NCCL repeats itself: every rank of a job prints the same ring, tree, channel and
# transport lines, every job the same init lines, so a log's batches share most of their
# distinct messages. What a message parses to depends on its text alone, so a ``Memo``
# keeps, per distinct text, one row of an Arrow struct table built by the vectorized
# parser; a batch parses only the texts no earlier batch had, then takes its rows.
#
# Memory is bounded: a memo holds at most ``limit`` texts and starts over when the next
# batch would pass that (a stream of ever-new texts, such as collective traces with their
# counters, costs what it cost without the memo). A lock makes it safe for threads.

#: After this many batches added rows, the table's chunks are combined into one.
_CHUNKS = 16


@dataclass(frozen=True)
class Rows:
    """A memo's table as it was when asked (immutable chunks), and which fields hold any
    value (most of a message's 60 fields belong to families absent from a given log)."""

    chunks: tuple[pa.StructArray, ...]
    filled: frozenset[str]

    def take(self, rows: np.ndarray) -> pa.StructArray:
        """The struct rows at ``rows``; fields null in the whole table are not gathered."""
        index = pa.array(rows)
        fields = list(self.chunks[0].type)
        children = [
            pa.chunked_array([c.field(i) for c in self.chunks], f.type).take(index).combine_chunks()
            if f.name in self.filled
            else pa.nulls(len(rows), f.type)
            for i, f in enumerate(fields)
        ]
        return pa.StructArray.from_arrays(children, fields=fields)


class Memo:
    """Per distinct text, a row of a table made by ``build`` (texts -> struct array whose
    first field is a boolean ``ok``, kept aside as numpy for quick filtering).

    Texts are looked up with Arrow's hash lookup (``index_in``) against the memo's keys,
    not one by one in a dict: a batch of a job's transport lines asks for thousands of
    distinct messages, and a Python lookup each cost 0.5 ms of parsing per MB.
    """

    def __init__(self, build: Callable[[pa.StringArray], pa.StructArray], limit: int) -> None:
        self._build, self.limit = build, limit
        self._lock = threading.Lock()
        self._keys = pa.array([], pa.string())  # row i's text
        self._chunks: list[pa.StructArray] = []
        self._ok = np.zeros(0, np.bool_)
        self._filled: frozenset[str] = frozenset()

    def __len__(self) -> int:
        return len(self._ok)

    def rows(self, texts: pa.StringArray) -> tuple[np.ndarray, np.ndarray, Rows]:
        """(row of each text, its ``ok``, the table those rows index); unseen texts are
        built first.

        ``texts`` should be distinct (a dictionary): each is looked up once.
        """
        texts = texts.cast(pa.string())
        with self._lock:
            found = self._find(texts)
            new = np.flatnonzero(found < 0)
            if len(new):
                if len(self) + len(new) > self.limit:
                    self._reset()
                    found[:], new = -1, np.arange(len(texts))
                found[new] = self._add(texts.take(pa.array(new)))
            if not self._chunks:  # the table's type, from an empty input
                self._chunks.append(self._build(texts.slice(0, 0)))
            return found, self._ok[found], Rows(tuple(self._chunks), self._filled)

    def _find(self, texts: pa.StringArray) -> np.ndarray:
        """The row of each text, -1 where there is none yet."""
        if not len(self._keys):
            return np.full(len(texts), -1, np.int64)
        at = pc.index_in(texts, value_set=self._keys)
        return np.asarray(pc.fill_null(at, -1), np.int64)

    def _add(self, texts: pa.StringArray) -> np.ndarray:
        """Build rows for new texts; their row numbers."""
        start = len(self)
        table = self._build(texts)
        self._keys = pa.concat_arrays([self._keys, texts])
        self._chunks.append(table)
        self._ok = np.concatenate([self._ok, np.asarray(table.field(0), np.bool_)])
        filled = {
            f.name for i, f in enumerate(table.type) if table.field(i).null_count < len(table)
        }
        self._filled |= filled
        if len(self._chunks) > _CHUNKS:
            self._chunks = [pa.concat_arrays(self._chunks)]
        return np.arange(start, start + len(texts))

    def clear(self) -> None:
        """Forget every text (the next batch builds all of its own)."""
        with self._lock:
            self._reset()

    def _reset(self) -> None:
        self._keys = self._keys.slice(0, 0)
        self._chunks.clear()
        self._ok = np.zeros(0, np.bool_)
        self._filled = frozenset()


#: Distinct texts kept across batches: about 450 bytes a message (its row and its key), so
#: at most about 15 MB for messages and less for prefixes.
PREFIXES = Memo(prefix_table, limit=1 << 15)
MESSAGES = Memo(message_table, limit=1 << 15)
