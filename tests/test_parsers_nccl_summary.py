"""Per-file NCCL summaries: the section 4 oracle, chunking, reading files."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import IO, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.errors import SourceError
from logpipe.parsers.nccl_summary import NcclSummary, iter_lines, summarize_file
from tests import shared

LOGS = shared.glob("nccl/real", "*.log")


def oracle(path: Path) -> dict[str, Any]:
    expected: dict[str, Any] = json.loads(path.with_suffix(".expected.json").read_text())
    expected.pop("notes")
    tables = path.with_suffix(".nccltests.expected.json")
    if tables.exists():
        expected["tests"] = json.loads(tables.read_text())["tests"]
    return expected


@pytest.mark.parametrize(
    "path", shared.params_or_missing(LOGS, [p.name for p in LOGS], "nccl/real")
)
def test_small_chunks_give_the_oracle(path: Any) -> None:
    """4 KiB chunks: records, hosts learned and table rows cross chunk boundaries."""
    assert summarize_file(path, chunk_bytes=4096) == oracle(path)


def test_summary_of_lines_fed_one_by_one() -> None:
    summary = NcclSummary()
    for line in [
        "NCCL version 2.4.8+cuda10.1",
        "a:1:1 [0] NCCL INFO Ring 00 : 1 -> 0 [receive] via NET/IB/0/GDRDMA",
        "a:1:1 [0] NCCL INFO CollNet 00 : 1 [send] via COLLNET/SHARP/0",
        "a:1:1 [0] NCCL INFO comm 0x1 rank 1 nranks 4 cudaDev 0 nvmlDev 0 - Init COMPLETE",
        "a:1:1 [0] NCCL INFO Trees [0] 0->1->-1/-1/-1",
        "a:1:1 [0] x.cc:1 NCCL WARN oops",
        "a:1:1 [0] NCCL INFO Init timings: rank 3 nranks 4 total 1.0 (kernels 0.1)",
    ]:
        summary.add_lines([line])
    assert summary.result() == {
        "nccl_version": "2.4.8",
        "ranks_seen": [0, 1, 3],
        "ring_edges": [
            {"channel": 0, "rank": 1, "peer": 0, "direction": "receive",
             "transport": "NET/IB/0/GDRDMA", "gdr": True},
            {"channel": 0, "rank": 1, "peer": None, "direction": "send",
             "transport": "COLLNET/SHARP/0", "gdr": False},
        ],
        "tree_lines": 1,
        "init_complete": [{"rank": 1, "nranks": 4, "comm": "0x1"}],
        "warn_count": 1,
        "transports_count": {"COLLNET/SHARP/0": 1, "NET/IB/0/GDRDMA": 1},
    }  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.integers(1, 64))
def test_iter_lines_any_chunking_gives_the_same_lines(data: bytes, chunk: int) -> None:
    lines = [line for part in iter_lines(io.BytesIO(data), chunk) for line in part]
    text = data.decode("utf-8", errors="replace")
    expected = text.split("\n")
    if text.endswith("\n") or not text:
        expected.pop()
    assert lines == expected


def test_non_utf8_bytes_are_replaced(tmp_path: Path) -> None:
    path = tmp_path / "latin1.log"
    path.write_bytes(b"h\xe9:1:2 [0] NCCL INFO Channel 00 : 0[0] -> 1[1] via P2P/IPC\r\n\xff\xfe\n")
    summary = summarize_file(path)
    assert summary["ring_edges"][0]["transport"] == "P2P/IPC"


def test_unreadable_files_raise_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="No such file"):
        summarize_file(tmp_path / "missing.log")
    with pytest.raises(SourceError, match="Is a directory"):
        summarize_file(tmp_path)

    def denied(path: Path) -> IO[bytes]:
        raise PermissionError(13, "Permission denied", str(path))

    with pytest.raises(SourceError, match=r"cannot read .*x\.log: Permission denied"):
        summarize_file(tmp_path / "x.log", opener=denied)
