"""One commit on the writer thread: its lines parsed in runs, each written as it comes.

The pipeline feeds a commit the lines it reads, a few megabytes at a time; they are
parsed in runs of ``PARSE_BYTES`` and each run is handed over as soon as it is parsed,
while the writer thread appends the previous ones to the commit's files (both cores
busy, three runs in memory, however large the commit). The offsets payload comes last,
once the previous commit has landed: then the files are committed in one transaction,
or discarded when the pipeline gives the commit up.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import queue
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from logpipe.ingest.batch import Part, build_table, chunks
from logpipe.ingest.sink import DeltaSink
from logpipe.ingest.tail import Cut, Stream

__all__ = ["PARSE_BYTES", "Item", "Job"]

#: Lines are parsed and written in runs of this many bytes: parsed and planned, a run
#: takes ~8x its size in memory, and three are (parsed, queued, written). Smaller runs
#: cost more CPU (each parse and row group has a fixed cost of ~9 ms).
PARSE_BYTES = 4 << 20

#: What a commit takes from one file: the stream, its cut, its lines.
Item = tuple[Stream, Cut, Part]


@dataclass(frozen=True, slots=True)
class _Commit:
    txns: Mapping[str, int]
    meta: Mapping[str, Any]


class Job:
    """A commit being fed (``put``) by the pipeline and written by ``run`` on the writer
    thread; ``finish`` commits it, ``abandon`` drops it."""

    def __init__(self, sink: DeltaSink, now: dt.datetime) -> None:
        self.sink, self.now = sink, now
        self.rows = self.nbytes = 0
        self.items: dict[str, list[Item]] = {}  # per source, in the order taken
        self._queue: queue.Queue[pa.Table | _Commit | None] = queue.Queue(1)

    def feed(self, taken: Mapping[str, list[Item]]) -> None:
        """Parse the lines ``taken`` (per source) in runs, each handed over once parsed."""
        parts = []
        for name, items in taken.items():
            self.items.setdefault(name, []).extend(items)
            parts += [part for *_, part in items]
        for run in chunks(parts, PARSE_BYTES):
            self.put(build_table(run, now=self.now))
        for part in parts:
            self.nbytes += sum(pc.sum(p.block.nbytes).as_py() or 0 for p in part.pending)
            part.pending.clear()  # parsed and handed over: the lines can go

    def put(self, data: pa.Table) -> None:
        """Hand over one parsed batch; waits only while the previous one is still queued.

        One batch may wait for the writer while the next is parsed: the parser never
        waits for the writer to finish planning a batch (measured: an 8 ms wait every
        other batch, 10% of the parser's time), and memory holds one batch more.
        """
        self.rows += data.num_rows
        self._queue.put(data)

    def finish(self, txns: Mapping[str, int], meta: Mapping[str, Any]) -> None:
        """Commit what was handed over, with these writer versions and payload."""
        self._queue.put(_Commit(txns, meta))

    def abandon(self) -> None:
        """Write nothing more; delete what was written."""
        self._queue.put(None)

    def start(self, pool: ThreadPoolExecutor) -> Job:
        """Run on ``pool``'s thread (``future`` tells how it ended)."""
        self.future: Future[None] = pool.submit(self.run)
        return self

    def drop(self) -> None:
        """Abandon the started job and wait until its files are deleted."""
        self.abandon()
        with contextlib.suppress(Exception):
            self.future.result()  # (the first error is the one raised)

    def run(self) -> None:
        """Write the batches as they come; commit at the end (the writer thread's work).

        After a failed write the rest is only drained, so the pipeline never waits on a
        writer that gave up; the failure is raised at the end, nothing committed.
        """
        files = self.sink.files()
        failure: BaseException | None = None
        while isinstance(item := self._queue.get(), pa.Table):
            if failure is None:
                try:
                    plan = self.sink.plan(item)
                    item = None  # only its pieces stay in memory while they are written
                    self.sink.append(files, plan)
                except BaseException as exc:  # raised below, after draining
                    failure = exc
        if failure is not None:
            files.discard()
            raise failure
        if item is None:
            files.discard()
            return
        self.sink.commit(files, item.txns, item.meta)
