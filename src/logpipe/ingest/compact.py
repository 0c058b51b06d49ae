"""Merge small Parquet files of the table (a Delta optimize) and drop expired ones."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from deltalake.exceptions import DeltaError

from logpipe import errors as _errors
from logpipe.ingest import sink as _sink
from logpipe.ingest import snapshot as _snapshot

__all__ = ["CompactReport", "compact"]

log = logging.getLogger("logpipe.ingest.compact")


@dataclass(frozen=True, slots=True)
class CompactReport:
    """Files merged away, files written, and expired files deleted by the vacuum."""

    removed: int
    added: int
    vacuumed: int


def compact(
    uri: str | Path,
    *,
    target_size: int | None = None,
    vacuum: bool = True,
    retention_hours: int | None = None,
) -> CompactReport:
    """One optimize commit (readers see all old files or all new ones, never a mix).

    It carries no offsets: recovery skips it. The vacuum then deletes files that
    left the table more than ``retention_hours`` ago (the table's setting, 7 days by
    default), so readers of recent snapshots keep working. A Delta checkpoint of the
    result follows when anything changed.
    """
    dt = _snapshot.open_table(uri)
    try:
        metrics = dt.optimize.compact(
            target_size=target_size,
            max_concurrent_tasks=1,
            writer_properties=_sink.writer_properties(),
        )
        vacuumed = dt.vacuum(retention_hours, dry_run=False) if vacuum else []
        if metrics.get("numFilesRemoved") or vacuumed:
            # The optimize commit removes many files: readers and the next writer
            # start from a checkpoint instead of replaying every add and remove.
            _snapshot.open_table(uri).create_checkpoint()
    except (DeltaError, OSError) as exc:
        raise _errors.DatasetError(f"cannot compact {uri}: {exc}") from exc
    report = CompactReport(
        int(metrics.get("numFilesRemoved", 0)), int(metrics.get("numFilesAdded", 0)), len(vacuumed)
    )
    fields = {"dataset": str(uri), "merged": report.removed, "into": report.added}
    log.info("compacted", extra=fields | {"vacuumed": report.vacuumed})
    return report
