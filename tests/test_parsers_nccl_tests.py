"""nccl-tests result tables: the line mask and the section 5.1 extraction."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.parsers.nccl_tests import (
    NcclTestsParser,
    is_nccl_tests_line,
    nccl_tests_mask,
    parse_nccl_tests,
)
from tests import shared
from tests.strategies import nccl_line, nccl_tests_line

OUTPUTS = shared.glob("nccl/nccl-tests", "*.txt")
EMBEDDED = [
    p
    for p in shared.glob("nccl/real", "*.log")
    if p.with_suffix(".nccltests.expected.json").exists()
]
ALL = OUTPUTS + EMBEDDED


def expected_tests(path: Path) -> list[dict[str, Any]]:
    name = path.with_suffix(
        ".expected.json" if path.suffix == ".txt" else ".nccltests.expected.json"
    )
    tests: list[dict[str, Any]] = json.loads(name.read_text())["tests"]
    return tests


def lines_of(path: Path) -> list[str]:
    return path.read_text(errors="replace").split("\n")


@pytest.mark.parametrize("path", shared.params_or_missing(ALL, [p.name for p in ALL], "nccl"))
def test_golden_tables(path: Any) -> None:
    assert parse_nccl_tests(lines_of(path)) == expected_tests(path)


@pytest.mark.parametrize("path", shared.params_or_missing(ALL, [p.name for p in ALL], "nccl"))
def test_feeding_in_chunks_gives_the_same_tables(path: Any) -> None:
    lines = lines_of(path)
    parser = NcclTestsParser()
    for start in range(0, len(lines), 7):
        parser.feed(lines[start : start + 7])
    assert parser.tests == expected_tests(path)


_COLUMNS = (
    "      size         count      type   redop    root" + "     time   algbw   busbw #wrong" * 2
)
_UNITS = "       (B)    (elements)                    " + "           (us)  (GB/s)  (GB/s)" * 2
HEADER = [
    "# Collective test starting: all_gather_perf",
    "# nThread 1 nGpus 8 minBytes 8 maxBytes 128 step: 2(factor) warmup iters: 5 iters: 20 "
    "agg iters: 1 validation: 1 graph: 0",
    "#",
    "# Using devices",
    "#  Rank  0 Group  0 Pid   6899 on node-a device  0 [0000:04:00] NVIDIA H100 80GB HBM3",
    "#  Rank  1 Group  0 Pid   6900 on node-a device  1 [0000:05:00] NVIDIA H100 80GB HBM3",
    "#" + " " * 62 + "out-of-place" + " " * 23 + "in-place",
    "#" + _COLUMNS,
    "#" + _UNITS,
]
RECORD = (
    "node-a:6899:6899 [0] NCCL INFO AllGather: opCount 0 sendbuff 0x1 recvbuff 0x2 count 2 "
    "datatype 7 op 0 root 0 comm 0x3 [nranks=2] stream 0x4"
)
TAG = "[1,0]<stdout>:"
HEAD16 = "          16             4     float    none      -1"
ROW32 = "          32             8     float    none      -1    66.22    1.5e-01    0.00      0"


def test_rows_split_by_tags_records_and_glued_values_are_reassembled() -> None:
    lines = [
        *HEADER,
        RECORD,  # teaches the host name "node-a"
        "           8             2     float    none      -1" + RECORD,
        "    65.43    0.00    0.00      0" + RECORD,
        "    64.78    0.00    0.00      0",
        f"{TAG}{HEAD16}{TAG}    65.19    0.00    0.00      0{TAG}    65.65    0.00    0.00    N/A",
        "          24             6     float    none      -1",  # cut short: dropped
        ROW32 + "    65.96    0.00    0.00      0",
        "# Out of bounds values : 3 FAILED",
        "# Avg bus bandwidth    : 0 ",
    ]
    (test,) = parse_nccl_tests(lines)
    assert test["name"] == "all_gather_perf"
    assert (test["header_format"], test["devices_listed"]) == ("root+#wrong", 2)
    assert [r["size"] for r in test["rows"]] == [8, 16, 32]
    first, second, third = test["rows"]
    assert first["oop"] == {"time_us": 65.43, "algbw": 0.0, "busbw": 0.0, "wrong": 0}
    assert first["ip"]["time_us"] == 64.78
    assert (first["root"], first["redop"]) == (-1, "none")
    assert second["ip"]["wrong"] == "N/A"
    assert third["oop"]["algbw"] == 0.15
    assert (test["out_of_bounds"], test["avg_busbw"]) == (3, 0)


def test_a_header_without_rows_and_several_tests() -> None:
    tests = parse_nccl_tests([*HEADER, "# Avg bus bandwidth    : 1.5", *HEADER[1:3]])
    assert [len(t["rows"]) for t in tests] == [0, 0]
    assert [t["name"] for t in tests] == ["all_gather_perf", None]
    assert tests[1]["header_format"] is None


def test_mask_marks_tables_and_nothing_else() -> None:
    yes = [
        *HEADER,
        "        8192          2048   float     sum" + "    298.7    0.03    0.04    N/A" * 2,
        "[1,0]<stdout>:# nThread 1 nGpus 1",
        "    314.7   26.66   26.66      0mew0:65704:65704 [1] NCCL INFO x",
        "     8388608       2097152     float     sum      -1mew0:65704:65704 [1] NCCL INFO x",
        "#",
    ]
    no = [
        "## NCCL TEST RESULT",
        "> mpirun -np 16",
        "2024-01-01 12:00:00 INFO started",
        RECORD,
        'time="2024-01-01T00:00:00Z" level=info msg=x',
        "12 apples",
        "",
        "1 2 3 4 5",
        "# a comment",
    ]
    assert nccl_tests_mask(pa.array(yes + no)).to_pylist() == [True] * len(yes) + [False] * len(no)
    assert nccl_tests_mask(pa.array([None, "#"], pa.string())).to_pylist() == [False, True]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(nccl_tests_line, nccl_line), max_size=20))
def test_mask_equals_the_per_line_reference(lines: list[str]) -> None:
    mask = nccl_tests_mask(pa.array(lines, pa.string()))
    assert mask.to_pylist() == [is_nccl_tests_line(x) for x in lines]
