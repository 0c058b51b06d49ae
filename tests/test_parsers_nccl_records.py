"""Finding NCCL records in physical lines: prefixes, wrappers, splices, versions, damage."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pytest

from logpipe.parsers.nccl import nccl_column, parse_nccl
from tests import shared

EDGE = "gpu-node-1:4242:4251 [3] NCCL INFO Channel 02/0 : 3[3] -> 0[0] via P2P/IPC"

# Launcher and framework wrappers of GRAMMAR.md 1.5.
WRAPPERS = [
    "[1,0]<stdout>:",
    "Fri Aug 11 12:31:45 2023[1,0]<stdout>:",
    "[default0]:",
    "[rank0]:",
    "0: ",
    "[155] ",
    "rdma-gpu-train-worker-1: ",
    "(RayWorker pid=75833) ",
    "(RayWorkerWrapper pid=581, ip=10.225.128.18) ",
    "(pid=21065) ",
    "2025-11-24T03:20:21.001125857Z ",
    "  | 2025-05-16T16:39:55.216-07:00 | ",
]


def both(line: str) -> list[dict[str, Any]]:
    """The reference records, after checking the vectorized column says the same."""
    records = parse_nccl(line)
    (got,) = nccl_column(pa.array([line]), python_below=0).to_pylist()
    normal = [{**r, "attrs": dict(r["attrs"]) if r["attrs"] else r["attrs"]} for r in got or []]
    assert normal == records
    return records


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_launcher_wrappers_are_skipped(wrapper: str) -> None:
    (record,) = both(wrapper + EDGE)
    assert (record["host"], record["pid"], record["tid"], record["device"]) == (
        "gpu-node-1",
        4242,
        4251,
        3,
    )
    assert (record["family"], record["rank"], record["peer"]) == ("edge", 3, 0)


def test_logrus_and_json_lines_whose_message_is_a_record() -> None:
    text = f'time="2024-05-01T10:00:00Z" level=info msg="{EDGE}" rank=3'
    (record,) = both(text)
    assert (record["family"], record["transport"]) == ("edge", "P2P/IPC")
    (record,) = both('{"level":"info","msg":"' + EDGE.replace("P2P/IPC", "NET/IB/0/GDRDMA") + '"}')
    assert (record["transport"], record["gdr"]) == ("NET/IB/0/GDRDMA", True)


def test_records_glued_by_spaces_and_spliced_mid_line() -> None:
    first, second = both(EDGE + " " * 79 + "(RayWorker pid=75833) " + EDGE.replace("02/0", "07/0"))
    assert (first["channel"], second["channel"]) == (2, 7)
    # A record runs to the next record start: the wrapper of the next one is its tail.
    assert (
        first["body"]
        == "Channel 02/0 : 3[3] -> 0[0] via P2P/IPC" + " " * 79 + "(RayWorker pid=75833)"
    )
    spliced = (
        "ljm:803564:803604 [1] NCCL INFO comm 0x9497920 rank 1 nranks "
        "ljm:803563:803603 [0] NCCL INFO comm 0x8fe0500 rank 0 nranks 2 cudaDev 0"
        "ljm:803564:803604 [1] NCCL INFO Trees [0] -1/-1/-1->1->0"
    )
    cut, named, trees = both(spliced)
    assert (cut["family"], cut["body"]) == (None, "comm 0x9497920 rank 1 nranks")
    assert (named["family"], named["rank"], named["nranks"]) == ("comm_ref", 0, 2)
    assert (named["host"], trees["host"]) == ("ljm", "0ljm")  # glued text joins the host
    assert trees["family"] == "trees"


def test_pre_2_3_records_have_no_nccl_token() -> None:
    info, warn = both(
        "h:1:2 [0] INFO comm 0x7fa4 rank 0 nranks 2 h:1:3 [0] include/socket.h:360 WARN Call failed"
    )
    assert (info["level"], info["family"], info["rank"]) == ("INFO", "init_old", 0)
    assert (warn["level"], warn["src_file"], warn["src_line"]) == ("WARN", "include/socket.h", 360)
    assert warn["body"] == "Call failed"


def test_bare_version_lines() -> None:
    (record,) = both("[1,0]<stdout>:NCCL version 2.20.3+cuda12.2")
    assert (record["level"], record["family"], record["version"]) == (
        "VERSION",
        "version",
        "2.20.3",
    )
    assert (record["cuda_version"], record["host"]) == ("12.2", None)
    (record,) = both("NCCL version 2.5.6-2+cuda10.2")
    assert record["attrs"] == {"suffix": "-2"}
    (record,) = both("mew0:1:1 [0] NCCL INFO NCCL version 2.27.7+cuda13.0")  # not counted twice
    assert (record["level"], record["version"]) == ("INFO", "2.27.7")
    for pytorch in ("NCCL version 2.21.5", "NCCL version: 2.21.5", "libNCCL version 2.1.1+cuda1.1"):
        assert both(f"[rank0]: ProcessGroupNCCL {pytorch}") == []


def test_warn_with_timestamp_and_function() -> None:
    (record,) = both(
        "[2026-03-03 12:35:26.123456] tpgds-aihub0007:196830:198223 [0] transport/net_ib.cc:2453 "
        "(ncclIbTest) NCCL WARN NET/IB: Got completion from peer 10.99.91.63<36473> with status=4 "
        "opcode=0 len=0 vendor err 81 (Send) localGid ::ffff:10.99.91.59"
    )
    assert record["ts"] == datetime(2026, 3, 3, 12, 35, 26, 123456, tzinfo=UTC)
    assert (record["level"], record["func"], record["family"]) == (
        "WARN",
        "ncclIbTest",
        "ib_completion",
    )
    assert (record["src_file"], record["src_line"]) == ("transport/net_ib.cc", 2453)
    (record,) = both("[2026-13-03 12:35:26] h:1:2 [0] a.cc:1 NCCL WARN bad month")
    assert (record["ts"], record["body"]) == (None, "bad month")


def test_trace_and_call_records() -> None:
    (trace,) = both("h:1:2 [0] 1234.567 ncclProxyProgress:881 NCCL TRACE progress op 0x7f")
    assert (trace["level"], trace["elapsed_ms"]) == ("TRACE", 1234.567)
    assert (trace["src_file"], trace["src_line"]) == ("ncclProxyProgress", 881)
    (call,) = both("h:1:2 NCCL CALL ncclAllReduce(0x7f,0x7f,8,7,0,0x1,0x2)")
    assert (call["level"], call["device"], call["body"]) == (
        "CALL",
        None,
        "ncclAllReduce(0x7f,0x7f,8,7,0,0x1,0x2)",
    )


def test_token_without_prefix_still_starts_a_record() -> None:
    (record,) = both("<redacted> NCCL INFO Channel 00 : 0[0] -> 1[1] via P2P/IPC")
    assert (record["host"], record["family"]) == (None, "edge")


def test_crlf_and_trailing_blanks_are_not_part_of_the_body() -> None:
    (record,) = both(EDGE + " \t\r")
    assert record["body"].endswith("via P2P/IPC")
    assert record["family"] == "edge"


def test_records_cut_at_1023_bytes() -> None:
    head = "node:1:2 [0] NCCL INFO Trees"
    line = (head + "".join(f" [{c}] 1/-1/-1->0->-1" for c in range(200)))[:1023]
    (record,) = both(line)
    assert record["family"] == "trees"
    assert [t["channel"] for t in record["trees"]] == list(range(len(record["trees"])))
    (cut,) = both("node:1:2 [0] NCCL INFO Channel 00 : 0[0] -> 1[1] via P2")
    assert cut["family"] is None


def test_numbers_too_large_for_their_column_leave_the_family_unmatched() -> None:
    (record,) = both("h:1:2 [0] NCCL INFO Channel 1234567890 : 0 -> 1 via P2P/IPC")
    assert record["family"] is None


def _robust(lines: list[str]) -> None:
    column = nccl_column(pa.array(lines), python_below=0)
    assert len(column) == len(lines)
    for line in lines:
        assert isinstance(parse_nccl(line), list)


def test_random_bytes_ansi_only_and_huge_lines_do_not_raise() -> None:
    rng = random.Random(1234)
    noise = [
        bytes(rng.randrange(256) for _ in range(200)).decode("utf-8", "replace") for _ in range(200)
    ]
    ansi = ["\x1b[31m\x1b[0m", "\x1b[36mINFO\x1b[0m", "\x1b[1;32m" * 50]
    huge = [
        "x" * (1 << 20),
        "x" * (1 << 20) + " " + EDGE,
        "NCCL INFO " * 20000,
        "h:1:2 [0] NCCL INFO Trees" + " [0] 1/-1/-1->0->-1" * 50000,
    ]
    _robust(noise + ansi + huge)


def test_grammar_examples_parse_into_their_family() -> None:
    """Every "Real examples" block of GRAMMAR.md, by section."""
    grammar = shared.require("nccl/GRAMMAR.md").read_text()
    expected = {
        "2.1": "edge",
        "2.2": "collnet",
        "2.4": "ring_order",
        "2.6": "trees",
        "2.7": "init",
        "2.9": "channel_counts",
    }
    seen = set()
    for match in re.finditer(r"\n### (\d\.\d+) (.*?)(?=\n### |\Z)", grammar, re.S):
        section, text = match.groups()
        for block in re.findall(r"Real examples.*?```text\n(.*?)```", text, re.S):
            for message in block.strip("\n").split("\n"):
                (record,) = both("h:1:2 [0] NCCL INFO " + message)
                assert record["family"] == expected[section], message
                seen.add(section)
    assert seen == set(expected)
