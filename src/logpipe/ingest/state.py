"""Committed offsets: one record per file generation, per source, and their JSON form."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from logpipe.errors import CheckpointError
from logpipe.ingest.fingerprint import Reader, digest

__all__ = ["FORMAT", "Key", "Record", "SourceState", "decode_records", "encode_records"]

#: Version of the JSON layout of records (in commit metadata and the local cache).
FORMAT = 1

#: A generation's key within its source: (path where first seen, generation).
Key = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Record:
    """What was committed of one file generation.

    ``path`` is where logpipe first saw the file (relative to the source root) and
    stays its name across renames; ``loc`` is where it was last seen. Bytes
    ``[0, offset)`` are committed as ``lineno`` complete lines. Identity is the digest
    ``head`` of the first ``head_len`` bytes; ``[vstart, vend)`` with digest ``vsum``
    is the append-verify window. ``dev``/``ino`` are hints only (inodes are reused).
    """

    path: str
    generation: int
    offset: int = 0
    lineno: int = 0
    head_len: int = 0
    head: str = ""
    vstart: int = 0
    vend: int = 0
    vsum: str = ""
    loc: str = ""
    dev: int = 0
    ino: int = 0
    seen: float = 0.0

    @property
    def key(self) -> Key:
        return (self.path, self.generation)

    def verified_by(self, read: Reader, size: int) -> bool:
        """Whether a file of ``size`` bytes holds this generation's committed prefix."""
        return size >= self.vend and self.committed_bytes(read) is not None

    def committed_bytes(self, read: Reader) -> tuple[bytes, bytes] | None:
        """The identity prefix and verify window as a file holds them now, if they are
        this generation's (else None): what a stream adopts is what was checked."""
        if self.head_len == 0:
            return None  # nothing committed yet: nothing to recognise, nothing to lose
        head = read(0, self.head_len)
        window = read(self.vstart, self.vend - self.vstart)
        if len(head) != self.head_len or len(window) != self.vend - self.vstart:
            return None
        if digest(head) != self.head or digest(window) != self.vsum:
            return None
        return head, window

    def moved(self, **changes: Any) -> Record:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


_FIELDS = [f.name for f in dataclasses.fields(Record)]


def encode_records(records: Iterable[Record]) -> list[list[Any]]:
    """Records as compact JSON-ready rows (field order of ``Record``)."""
    return [[getattr(r, name) for name in _FIELDS] for r in records]


def decode_records(rows: Any) -> list[Record]:
    """Inverse of ``encode_records``; a malformed row is a ``CheckpointError``."""
    try:
        records = [Record(*row) for row in rows]
        for r in records:
            if not (isinstance(r.path, str) and isinstance(r.offset, int) and r.offset >= 0):
                raise TypeError(f"bad record {r!r}")
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"malformed offset records: {exc}") from exc
    return records


@dataclass
class SourceState:
    """The committed offsets of one source as of writer version ``version``."""

    source: str
    version: int = 0
    records: dict[Key, Record] = field(default_factory=dict)
    gens: dict[str, int] = field(default_factory=dict)  # highest generation per path

    def new_generation(self, path: str) -> int:
        """The generation number of new content found at ``path`` (and reserve it)."""
        gen = self.gens.get(path, -1) + 1
        self.gens[path] = gen
        return gen

    def put(self, record: Record) -> None:
        self.records[record.key] = record
        self.gens[record.path] = max(self.gens.get(record.path, -1), record.generation)

    def apply(self, payload: Mapping[str, Any]) -> None:
        """Apply one commit's payload (a full snapshot replaces everything)."""
        if payload.get("full"):
            self.records.clear()
            self.gens.clear()
        for record in decode_records(payload.get("records", [])):
            self.put(record)
        for path, gen in dict(payload.get("gens", {})).items():
            self.gens[str(path)] = max(self.gens.get(str(path), -1), int(gen))
        for path, gen in payload.get("forget", []):
            self.records.pop((str(path), int(gen)), None)
        self.version = int(payload["version"])

    def payload(
        self, *, full: bool, changed: Iterable[Key] = (), forget: Iterable[Key] = ()
    ) -> dict[str, Any]:
        """The JSON payload describing this state (all, or only ``changed`` records)."""
        keys = list(self.records) if full else [k for k in changed if k in self.records]
        gens = self.gens if full else {p: self.gens[p] for p, _ in keys}
        return {
            "version": self.version,
            "full": full,
            "records": encode_records(self.records[k] for k in keys),
            "gens": dict(gens),
            "forget": [list(k) for k in forget],
        }

    def copy(self) -> SourceState:
        return SourceState(self.source, self.version, dict(self.records), dict(self.gens))
