"""The local checkpoint: a cache of one source's committed offsets, never the truth."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logpipe.errors import CheckpointError, SourceError
from logpipe.ingest.state import FORMAT, SourceState

__all__ = ["Cached", "Checkpoint", "default_state_dir"]


def default_state_dir() -> Path:
    """``$XDG_STATE_HOME/logpipe`` (``~/.local/state/logpipe``)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "logpipe"


@dataclass(frozen=True, slots=True)
class Cached:
    """A cached state and the id of the table it was read from."""

    table_id: str
    state: SourceState


class Checkpoint:
    """``<dir>/<hash of dataset and source>.json`` plus a ``.lock`` beside it.

    The file is written atomically after commits; a missing, corrupt or stale one is
    rebuilt from the table, which is the only truth.
    """

    def __init__(self, directory: Path, dataset: str, source: str) -> None:
        key = hashlib.sha256(f"{dataset}\0{source}".encode()).hexdigest()[:16]
        self.path = directory / f"{key}.json"
        self.dataset, self.source = dataset, source

    def load(self) -> Cached | None:
        """The cached state; None when there is none; ``CheckpointError`` when corrupt."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CheckpointError(f"cannot read checkpoint {self.path}: {exc}") from exc
        try:
            doc: dict[str, Any] = json.loads(text)
            if doc["format"] != FORMAT or doc["source"] != self.source:
                raise ValueError(f"format {doc['format']!r}, source {doc['source']!r}")
            state = SourceState(self.source)
            state.apply(doc["state"])
            return Cached(str(doc["table_id"]), state)
        except (ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(f"corrupt checkpoint {self.path}: {exc}") from exc

    def save(self, table_id: str, state: SourceState) -> None:
        """Replace the file atomically (a crash leaves the old or the new one)."""
        doc = {
            "format": FORMAT,
            "dataset": self.dataset,
            "source": self.source,
            "table_id": table_id,
            "state": state.payload(full=True),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, self.path)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold an exclusive lock: one logpipe per dataset and source on this host."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise SourceError(
                    f"another logpipe is already writing source {self.source!r} to "
                    f"{self.dataset} (lock {self.path.with_suffix('.lock')})"
                ) from exc
            yield
        finally:
            os.close(fd)
