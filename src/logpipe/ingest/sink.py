"""The Delta Lake table: commit data and offsets in one transaction, exactly once."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
from deltalake import (
    ColumnProperties,
    CommitProperties,
    DeltaTable,
    Transaction,
    WriterProperties,
    write_deltalake,
)
from deltalake.exceptions import CommitFailedError, DeltaError, TableNotFoundError

from logpipe.errors import DatasetError
from logpipe.ingest import _teardown

__all__ = ["META_KEY", "PARTITIONS", "DeltaSink", "WriteFn", "app_id", "writer_properties"]

log = logging.getLogger("logpipe.ingest.sink")

#: The table is partitioned by source name and the UTC date of ingestion.
PARTITIONS = ["source", "date"]
#: The commit-info key holding logpipe's offsets payload.
META_KEY = "logpipe"
#: ``write_deltalake``'s signature (injected in tests to fail like a full disk).
WriteFn = Callable[..., None]

# Long, nearly unique text: dictionary pages would only be built to be thrown away.
_PLAIN = ("line", "line_raw", "msg")


def app_id(source: str) -> str:
    """The Delta application-transaction id of the writer of ``source``."""
    return f"logpipe/{source}"


def writer_properties() -> WriterProperties:
    """zstd, no dictionary for the long free-text columns."""
    return WriterProperties(
        compression="ZSTD",
        column_properties={c: ColumnProperties(dictionary_enabled=False) for c in _PLAIN},
    )


def _describe(uri: str, exc: BaseException) -> str:
    text = str(exc)
    if "No space left on device" in text or "os error 28" in text:
        return f"disk full while committing to {uri}: nothing was committed ({text})"
    return f"cannot commit to {uri}: {text}"


class DeltaSink:
    """One Delta table at ``uri``: exactly-once appends, the log's payloads, compaction."""

    def __init__(self, uri: str | Path, *, write: WriteFn = write_deltalake) -> None:
        self.uri = str(uri)
        self._write = write

    def table(self) -> DeltaTable | None:
        """The latest snapshot, or None when no table exists yet."""
        try:
            return DeltaTable(self.uri)
        except TableNotFoundError:
            return None
        except (DeltaError, OSError) as exc:
            raise DatasetError(f"cannot open dataset {self.uri}: {exc}") from exc

    def versions(self, apps: list[str], dt: DeltaTable | None = None) -> dict[str, int]:
        """Each writer's last committed transaction version (0 when it never committed)."""
        dt = dt or self.table()
        return {a: (dt.transaction_version(a) or 0) if dt else 0 for a in apps}

    def commit(self, data: pa.Table, txns: Mapping[str, int], meta: Mapping[str, Any]) -> None:
        """Append ``data`` with writer versions ``txns`` and payload ``meta``, exactly once.

        Each writer version must follow the table's by one, else nothing is written.
        A write that fails but did land (seen in the writer versions) counts as done;
        any other failure is a ``DatasetError`` and nothing of this commit is in the
        table. The caller then re-reads its offsets from the table before going on.
        """
        dt = self.table()
        current = self.versions(list(txns), dt)
        clash = {a: current[a] for a, v in txns.items() if current[a] != v - 1}
        if clash:
            raise DatasetError(
                f"{self.uri}: another writer moved {sorted(clash)} to versions {clash}; "
                "two logpipe processes are writing the same source"
            )
        props = CommitProperties(
            custom_metadata={META_KEY: json.dumps(meta, separators=(",", ":"))},
            app_transactions=[Transaction(a, v) for a, v in txns.items()],
        )
        try:
            # Writing through the snapshot just checked makes a concurrent commit by
            # the same writer id a conflict instead of a silent duplicate.
            self._write(
                dt if dt is not None else self.uri,
                data,
                mode="append",
                partition_by=PARTITIONS,
                schema_mode="merge",
                writer_properties=writer_properties(),
                commit_properties=props,
            )
        except (DeltaError, CommitFailedError, OSError, pa.ArrowException) as exc:
            # A failed write may leave a native upload task that panics at teardown.
            _teardown.silence_native_teardown()
            if self._landed(txns):
                log.warning("commit to %s reported %s but landed; not repeated", self.uri, exc)
                return
            raise DatasetError(_describe(self.uri, exc)) from exc

    def _landed(self, txns: Mapping[str, int]) -> bool:
        try:
            now = self.versions(list(txns))
        except DatasetError:
            return False  # unknown: the next commit's version check decides
        return all(now[a] >= v for a, v in txns.items())

    @staticmethod
    def _payloads(infos: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for info in infos:
            raw = info.get(META_KEY)
            if isinstance(raw, str):
                try:
                    payload = json.loads(raw)
                except ValueError:
                    log.warning("unreadable logpipe payload in commit %s", info.get("version"))
                    continue
                payload["_timestamp"] = info.get("timestamp")
                out.append(payload)
        return out

    def history_pages(self) -> Iterator[list[dict[str, Any]]]:
        """Ever longer lists of payloads, until the whole retained log has been read."""
        limit = 128
        while True:
            dt = self.table()
            infos = dt.history(limit) if dt else []
            yield self._payloads(infos)
            if len(infos) < limit:
                return
            limit *= 4
