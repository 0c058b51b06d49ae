"""Turn pending lines of many files into one Arrow table: provenance columns plus parsed ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from logpipe import parsers
from logpipe.ingest.lines import LineBlock
from logpipe.ingest.tail import Pending

__all__ = ["PROVENANCE", "Part", "build_table", "chunks"]

#: The columns logpipe adds to what the parser returns (names are a public contract).
PROVENANCE = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("date", pa.date32(), nullable=False),
        pa.field("path", pa.string(), nullable=False),
        pa.field("generation", pa.int64(), nullable=False),
        pa.field("offset", pa.int64(), nullable=False),
        pa.field("lineno", pa.int64(), nullable=False),
        pa.field("nbytes", pa.int64(), nullable=False),
        pa.field("truncated", pa.bool_(), nullable=False),
        pa.field("line", pa.string(), nullable=False),
        pa.field("line_raw", pa.binary()),
        pa.field("ingested_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)

#: Lines -> (their parsed rows, the order of those rows; None: the lines' own order).
ParseFn = Callable[[pa.StringArray], tuple[pa.RecordBatch, np.ndarray | None]]


@dataclass(frozen=True, slots=True)
class Part:
    """The pending lines of one file generation."""

    source: str
    path: str
    generation: int
    pending: list[Pending]  # (cleared once parsed)


def _text(name: str) -> str:
    """A relpath as UTF-8 text (a name that is not UTF-8 shows U+FFFD where it is not)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _concat(arrays: list[pa.Array], type_: pa.DataType) -> pa.Array:
    if len(arrays) == 1:
        return arrays[0]  # (a slice of a block: no copy needed)
    return pa.concat_arrays(arrays) if arrays else pa.array([], type_)


def _cut(block: LineBlock, nbytes: int) -> int:
    """How many of ``block``'s first lines hold ``nbytes`` bytes (all if fewer do)."""
    sizes = np.cumsum(block.nbytes.to_numpy())
    return min(len(block), int(np.searchsorted(sizes, nbytes, side="left")) + 1)


def chunks(parts: Sequence[Part], nbytes: int) -> Iterator[list[Part]]:
    """``parts`` in runs of about ``nbytes`` bytes of lines (blocks sliced, not copied),
    in order: parsed one run at a time, a commit needs memory for a few runs only.

    A run nearly full ends before a block that does not fit: a block read whole is then
    a run of its own, whose lines need no copying into one array."""
    run: list[Part] = []
    room = nbytes
    for part in parts:
        for pending in part.pending:
            block, lineno = pending.block, pending.lineno
            while len(block):
                if run and room < nbytes // 4 and _size(block) > room:
                    yield run
                    run, room = [], nbytes
                n = _cut(block, room)
                piece = Pending(block.slice(0, n), lineno)
                run.append(Part(part.source, part.path, part.generation, [piece]))
                room -= _size(piece.block)
                block, lineno = block.slice(n, len(block)), lineno + n
                if room <= 0:
                    yield run
                    run, room = [], nbytes
    if run:
        yield run


def _size(block: LineBlock) -> int:
    return int(block.nbytes.to_numpy().sum())


def build_table(
    parts: Sequence[Part], *, now: dt.datetime, parse: ParseFn = parsers.parse_nccl_first
) -> pa.Table:
    """One table for one commit; every column built with whole-array operations.

    Rows come in the order ``parse`` gives (lines that may hold NCCL records first, so
    the writer stores them apart without copying); ``offset`` and ``lineno`` say where
    each line was.
    """
    pending = [(part, p) for part in parts for p in part.pending if len(p.block)]
    counts = np.array([len(p.block) for _, p in pending], np.int64)
    total = int(counts.sum())
    line = _concat([p.block.line for _, p in pending], pa.string())
    parsed, order = parse(line)
    if parsed.num_rows != total:
        raise ValueError(f"parse_batch returned {parsed.num_rows} rows for {total} lines")
    clash = set(parsed.schema.names) & set(PROVENANCE.names)
    if clash:
        raise ValueError(f"parser columns {sorted(clash)} collide with provenance columns")
    which = np.repeat(np.arange(len(pending)), counts)
    first = np.concatenate(([0], np.cumsum(counts)[:-1])) if len(counts) else counts
    lineno = np.arange(total, dtype=np.int64) - np.repeat(first, counts)
    lineno += np.repeat(np.array([p.lineno for _, p in pending], np.int64), counts)
    index = None if order is None else pa.array(order)
    if order is not None:
        which, lineno = which[order], lineno[order]

    def ordered(arrays: list[pa.Array], type_: pa.DataType) -> pa.Array:
        array = _concat(arrays, type_)
        return array if index is None else array.take(index)

    stamp = np.datetime64(now.astimezone(dt.UTC).replace(tzinfo=None), "us")
    columns = {
        "source": pa.array([part.source for part, _ in pending], pa.string()).take(which),
        "date": pa.array(np.full(total, stamp.astype("datetime64[D]"))).cast(pa.date32()),
        "path": pa.array([_text(part.path) for part, _ in pending], pa.string()).take(which),
        "generation": pa.array(np.array([part.generation for part, _ in pending])[which]),
        "offset": ordered([p.block.offset for _, p in pending], pa.int64()),
        "lineno": pa.array(lineno),
        "nbytes": ordered([p.block.nbytes for _, p in pending], pa.int64()),
        "truncated": ordered([p.block.truncated for _, p in pending], pa.bool_()),
        "line": line if index is None else line.take(index),
        "line_raw": ordered([p.block.line_raw for _, p in pending], pa.binary()),
        "ingested_at": pa.array(np.full(total, stamp)).cast(PROVENANCE.field("ingested_at").type),
    }
    arrays = [columns[f.name].cast(f.type) for f in PROVENANCE] + list(parsed.columns)
    fields = list(PROVENANCE) + list(parsed.schema)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))
