"""Per-file NCCL summary in the oracle format of GRAMMAR.md section 4, plus nccl-tests tables.

Built chunk by chunk from the vectorized NCCL column, so a large log costs memory in
proportion to a chunk and to what the summary keeps (edges, init records), not to the file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc

from logpipe import errors
from logpipe.parsers import _nccl_vector, nccl_tests

__all__ = ["EDGE_FAMILIES", "NcclSummary", "RANK_FAMILIES", "iter_lines", "summarize_file"]

#: Families whose records are connections (``ring_edges``).
EDGE_FAMILIES: tuple[str, ...] = ("edge", "collnet")
#: Families whose ``rank`` is a global rank of a communicator (``ranks_seen``).
RANK_FAMILIES: tuple[str, ...] = (
    "init",
    "teardown",
    "comm_summary",
    "init_old",
    "comm_ref",
    "init_timings",
)
_EDGE_KEYS = ("channel", "rank", "peer", "direction", "transport", "gdr")
_INIT_KEYS = ("rank", "nranks", "comm")
_CHUNK = 8 << 20

Opener = Callable[[Path], IO[bytes]]


def _rows(records: pa.StructArray, mask: pa.BooleanArray, keys: Sequence[str]) -> list[Any]:
    chosen = records.filter(mask)
    fields = [chosen.field(k) for k in keys]
    rows: list[Any] = pa.StructArray.from_arrays(fields, names=list(keys)).to_pylist()
    return rows


class NcclSummary:
    """Accumulates the summary of one file; feed its lines in order, then ``result()``."""

    def __init__(self) -> None:
        self.nccl_version: str | None = None
        self.ranks_seen: set[int] = set()
        self.ring_edges: list[dict[str, Any]] = []
        self.tree_lines = 0
        self.init_complete: list[dict[str, Any]] = []
        self.warn_count = 0
        self._tests = nccl_tests.NcclTestsParser()

    def add_lines(self, lines: Sequence[str] | pa.StringArray) -> None:
        """The next lines of the file (without their newlines)."""
        array = lines if isinstance(lines, pa.Array) else pa.array(lines, pa.string())
        self.add_records(_nccl_vector.nccl_column(array))
        self._tests.feed(array)

    def add_records(self, column: pa.ListArray) -> None:
        """The NCCL column of the next lines (``nccl_column`` output)."""
        records = pc.list_flatten(column)
        family = records.field("family")
        self.warn_count += pc.sum(pc.equal(records.field("level"), "WARN")).as_py() or 0
        self.tree_lines += pc.sum(pc.equal(family, "trees")).as_py() or 0
        if self.nccl_version is None:
            versions = records.field("version").filter(pc.equal(family, "version")).drop_null()
            self.nccl_version = versions[0].as_py() if len(versions) else None
        edges = _rows(records, pc.is_in(family, pa.array(EDGE_FAMILIES)), _EDGE_KEYS)
        self.ring_edges.extend(edges)
        self.ranks_seen.update(e["rank"] for e in edges)
        self.ranks_seen.update(e["peer"] for e in edges if e["peer"] is not None)
        ranked = records.field("rank").filter(pc.is_in(family, pa.array(RANK_FAMILIES)))
        self.ranks_seen.update(ranked.drop_null().to_pylist())
        complete = pc.and_(
            pc.equal(family, "init"), pc.equal(records.field("state"), "Init COMPLETE")
        )
        self.init_complete.extend(_rows(records, complete, _INIT_KEYS))

    def result(self) -> dict[str, Any]:
        """The oracle dict; ``tests`` only when the file holds nccl-tests tables."""
        counts = Counter(e["transport"] for e in self.ring_edges)
        out: dict[str, Any] = {
            "nccl_version": self.nccl_version,
            "ranks_seen": sorted(self.ranks_seen),
            "ring_edges": self.ring_edges,
            "tree_lines": self.tree_lines,
            "init_complete": self.init_complete,
            "warn_count": self.warn_count,
            "transports_count": dict(sorted(counts.items())),
        }
        if self._tests.tests:
            out["tests"] = self._tests.tests
        return out


def iter_lines(stream: IO[bytes], chunk_bytes: int = _CHUNK) -> Iterator[list[str]]:
    """Complete lines of a byte stream in chunks; bytes that are not UTF-8 become U+FFFD."""
    tail = b""
    while block := stream.read(chunk_bytes):
        block = tail + block
        cut = block.rfind(b"\n") + 1
        tail = block[cut:]
        if cut:
            yield block[: cut - 1].decode("utf-8", errors="replace").split("\n")
    if tail:
        yield [tail.decode("utf-8", errors="replace")]


def _open(path: Path) -> IO[bytes]:
    return path.open("rb")


def summarize_file(
    path: str | Path, *, opener: Opener = _open, chunk_bytes: int = _CHUNK
) -> dict[str, Any]:
    """The summary of one log file; ``SourceError`` when it cannot be read."""
    summary = NcclSummary()
    try:
        with opener(Path(path)) as stream:
            for lines in iter_lines(stream, chunk_bytes):
                summary.add_lines(lines)
    except OSError as exc:
        raise errors.SourceError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return summary.result()
