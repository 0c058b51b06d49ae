"""``logpipe sync``: one pass over the sources, committing in batches, then stop."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from logpipe.ingest import _job
from logpipe.ingest import pipeline as _pipeline

if TYPE_CHECKING:
    from logpipe.ingest.config import IngestConfig
    from logpipe.ingest.sink import DeltaSink
    from logpipe.ingest.world import World

__all__ = ["SyncProgress", "SyncReport", "sync"]

log = logging.getLogger("logpipe.ingest.sync")


@dataclass
class SyncProgress:
    """Where a sync is: files and bytes to read, bytes read, lines committed."""

    files: int = 0
    total_bytes: int = 0
    read_bytes: int = 0
    rows: int = 0


@dataclass
class SyncReport:
    """What a sync did; ``errors`` are the files it could not read (the rest went on)."""

    files: int = 0
    rows: int = 0
    nbytes: int = 0
    commits: int = 0
    generations: int = 0
    errors: list[tuple[str, str, OSError]] = field(default_factory=list)


def sync(
    config: IngestConfig,
    *,
    world: World | None = None,
    sink: DeltaSink | None = None,
    progress: Callable[[SyncProgress], None] | None = None,
) -> SyncReport:
    """Land every complete line not yet in the dataset; a second run adds nothing."""
    report = SyncReport()
    pipe = _pipeline.Pipeline(config, world=world, sink=sink)
    pipe.open()
    try:
        state = SyncProgress()
        for name, stats in pipe.scan().items():
            report.files += stats.files
            report.generations += stats.generations
            report.errors += [(name, path, exc) for path, exc in stats.errors if exc.errno != 2]
        for f in pipe.followers.values():
            for s in f.streams.values():
                if s.fd is not None:
                    state.files += 1
                    state.total_bytes += max(0, s.size - s.pos)
        if progress:
            progress(state)
        _drain(pipe, config.batch_bytes, report, state, progress)
    finally:
        pipe.close()
    return report


def _drain(
    pipe: _pipeline.Pipeline,
    batch: int,
    report: SyncReport,
    state: SyncProgress,
    progress: Callable[[SyncProgress], None] | None,
) -> None:
    def count() -> None:
        for info in pipe.completed:
            report.commits += 1
            report.rows += info.rows
            report.nbytes += info.nbytes
            state.rows += info.rows
        pipe.completed.clear()

    run = min(batch, _job.PARSE_BYTES)
    while True:
        # Read a run, parse it into the open commit (written meanwhile), and hand the
        # commit its offsets once it holds a batch: memory is a few runs, not a batch.
        n = pipe.read(max(0, run - pipe.pending_bytes))
        state.read_bytes += n
        if n == 0:
            pipe.commit()
        else:
            if pipe.pending_bytes >= run:
                pipe.feed()
            if pipe.fed_bytes >= batch:
                pipe.submit()  # lands while the next batch is read
        count()
        if progress:
            progress(state)
        if n == 0:
            return
