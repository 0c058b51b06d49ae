"""One commit on the writer thread: its batches written as they are parsed, then committed.

The pipeline parses a commit's lines in small batches and hands each one over as soon
as it is parsed; the writer thread appends it to the commit's files meanwhile (both
cores busy, and only a few batches in memory). The offsets payload comes last, once
the previous commit has landed: then the files are committed in one transaction, or
discarded when the pipeline gives the commit up.
"""

from __future__ import annotations

import queue
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from logpipe.ingest.sink import DeltaSink

__all__ = ["Job"]


@dataclass(frozen=True, slots=True)
class _Commit:
    txns: Mapping[str, int]
    meta: Mapping[str, Any]


class Job:
    """A commit being fed (``put``) by the pipeline and written by ``run`` on the writer
    thread; ``finish`` commits it, ``abandon`` drops it."""

    def __init__(self, sink: DeltaSink) -> None:
        self.sink = sink
        self.rows = 0
        self._queue: queue.Queue[pa.Table | _Commit | None] = queue.Queue(1)

    def put(self, data: pa.Table) -> None:
        """Hand over one parsed batch, once the writer takes it: while the next batch is
        parsed, only the one being written is in memory besides (no queue of them)."""
        self.rows += data.num_rows
        self._queue.put(data)
        self._queue.join()

    def finish(self, txns: Mapping[str, int], meta: Mapping[str, Any]) -> None:
        """Commit what was handed over, with these writer versions and payload."""
        self._queue.put(_Commit(txns, meta))

    def abandon(self) -> None:
        """Write nothing more; delete what was written."""
        self._queue.put(None)

    def run(self) -> None:
        """Write the batches as they come; commit at the end (the writer thread's work).

        After a failed write the rest is only drained, so the pipeline never waits on a
        writer that gave up; the failure is raised at the end, nothing committed.
        """
        files = self.sink.files()
        failure: BaseException | None = None
        while isinstance(item := self._queue.get(), pa.Table):
            self._queue.task_done()
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
