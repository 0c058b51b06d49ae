"""What the NCCL views derive: runs, ranks, hosts, inter-node edges, rings, collectives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from logpipe import query
from tests.query.helpers import append, count, land, rows


@pytest.fixture
def con_of(tmp_path: Path) -> Iterator[object]:
    """Write {source: {file: text}} trees, sync them, open a connection."""
    opened: list[duckdb.DuckDBPyConnection] = []

    def make(trees: dict[str, dict[str, str]]) -> duckdb.DuckDBPyConnection:
        for source, files in trees.items():
            for name, text in files.items():
                append(tmp_path / source / name, text)
        con = query.connect(land(tmp_path, *(tmp_path / s for s in trees)))
        opened.append(con)
        return con

    yield make
    for con in opened:
        con.close()


def rec(host: str, pid: int, msg: str, dev: int = 0, tid: int | None = None) -> str:
    return f"{host}:{pid}:{tid or pid} [{dev}] NCCL INFO {msg}\n"


def init(where: tuple[str, int], comm: str, rank: int, n: int, state: str, *, cid: str = "") -> str:
    tail = f" commId {cid}" if cid else ""
    msg = f"comm {comm} rank {rank} nranks {n} cudaDev {rank} busId 1a000{tail} - Init {state}"
    return rec(*where, msg)


def test_two_communicators_of_one_process_are_two_runs(con_of: object) -> None:
    log = (
        rec("a", 1, "NCCL version 2.19.3+cuda12.2")
        + init(("a", 1), "0x10", 0, 2, "START", cid="0xaaa")
        + rec("a", 1, "Channel 00/0 : 0[0] -> 1[1] via P2P/IPC", tid=5)
        + init(("a", 1), "0x10", 0, 2, "COMPLETE", cid="0xaaa")
        + init(("a", 1), "0x20", 0, 4, "START", cid="0xbbb")
        + rec("a", 1, "Channel 00/0 : 0[0] -> 3[3] [send] via NET/IB/1/GDRDMA", tid=5)
        + rec("a", 1, "Channel 01/0 : 3[3] -> 0[0] [receive] via NET/IB/1", tid=5)
        + init(("a", 1), "0x20", 0, 4, "COMPLETE", cid="0xbbb")
        + "\n"
        + "a:1:9 [0] misc/socket.cc:1 NCCL WARN oops\n"
    )
    con = con_of({"a": {"p.log": log}})  # type: ignore[operator]
    edges = rows(con, "SELECT run_id, transport FROM nccl_edges ORDER BY lineno")
    assert [e["run_id"] for e in edges] == ["0xaaa", "0xbbb", "0xbbb"]
    runs = rows(con, "SELECT * FROM nccl_runs ORDER BY run_id")
    assert [(r["run_id"], r["id_kind"], r["nranks"], r["version"]) for r in runs] == [
        ("0xaaa", "commId", 2, "2.19.3"),
        ("0xbbb", "commId", 4, "2.19.3"),
    ]
    assert [r["warnings"] for r in runs] == [0, 1]  # after the second init: its run


def test_without_commid_a_run_is_a_file_and_takes_its_bare_version_line(con_of: object) -> None:
    rank0 = "[1,0]<stdout>:"
    log = (
        rank0 + "NCCL version 2.4.8+cuda10.1\n"
        + rank0 + rec("h1", 7, "Ring 00 : 0[0] -> 1[1] via P2P/IPC")
        + "[1,1]<stdout>:" + rec("h1", 8, "Ring 00 : 1 -> 2 [send] via NET/Socket/0", dev=1)
        + rank0 + rec("h1", 7, "comm 0x5 rank 0 nranks 4 cudaDev 0 nvmlDev 0 - Init COMPLETE")
    )  # fmt: skip
    con = con_of({"h1": {"train.log": log}})  # type: ignore[operator]
    run = rows(con, "SELECT * FROM nccl_runs")
    assert len(run) == 1
    assert run[0]["run_id"] == "h1:train.log"
    assert (run[0]["id_kind"], run[0]["version"], run[0]["nranks"]) == ("file", "2.4.8", 4)
    assert run[0]["files"] == ["h1:train.log"]


def test_hosts_decide_inter_node_where_known(con_of: object) -> None:
    a = (
        init(("a", 1), "0x1", 0, 3, "COMPLETE", cid="0xc")
        + rec("a", 1, "NET/IB : Using [0]mlx5_0:1/IB [1]mlx5_1:1/IB ; OOB eth0:10.0.0.1<0>")
        + rec("a", 1, "Channel 00/0 : 0[0] -> 1[1] [send] via NET/IB/1/GDRDMA")  # same host
        + rec("a", 1, "Channel 00/0 : 0[0] -> 2[0] [send] via NET/IB/0")  # to host b
        + rec("a", 1, "Channel 00/0 : 0[0] -> 9[0] [send] via NET/IB/0/GDRDMA")  # unknown
        + rec("a", 1, "Channel 00/0 : 0[0] -> 1[1] via P2P/MNNVL")
        + rec("a", 1, "Channel 00/0 : 0[0] -> 9[1] via P2P/MNNVL")
        + rec("a", 1, "Channel 00 : 0[0] -> 1[1] via SHM/direct/direct")
    )
    a1 = init(("a", 2), "0x2", 1, 3, "COMPLETE", cid="0xc")
    b = init(("b", 3), "0x3", 2, 3, "COMPLETE", cid="0xc")
    con = con_of({"a": {"r0.log": a, "r1.log": a1}, "b": {"r2.log": b}})  # type: ignore[operator]
    got = rows(
        con,
        "SELECT peer, transport_kind, inter_node, rank_host, peer_host, nic_name, gdr "
        "FROM nccl_edges ORDER BY lineno",
    )
    assert [(g["peer"], g["inter_node"]) for g in got] == [
        (1, False),  # NET between two GPUs of host a
        (2, True),
        (9, True),  # peer's host unknown: NET crosses hosts
        (1, False),  # multi-node NVLink inside a host
        (9, None),  # multi-node NVLink, peer unknown
        (1, False),
    ]
    assert [g["nic_name"] for g in got[:3]] == ["mlx5_1", "mlx5_0", "mlx5_0"]
    assert [g["peer_host"] for g in got[:3]] == ["a", "b", None]
    summary = rows(con, "SELECT * FROM nccl_transport_summary ORDER BY transport")
    assert sum(s["share"] for s in summary) == pytest.approx(1.0)
    assert {s["gdr_coverage"] for s in summary} == {0.5}  # 2 inter-node, 1 with GDR
    ranks = rows(con, "SELECT rank, host, nics FROM nccl_ranks ORDER BY rank")
    assert [(r["rank"], r["host"]) for r in ranks] == [(0, "a"), (1, "a"), (2, "b"), (9, None)]
    assert ranks[0]["nics"] == ["mlx5_0", "mlx5_1"]


def test_receive_lines_and_23_net_lines_are_logged_by_the_right_rank(con_of: object) -> None:
    log = (
        rec("x", 1, "Ring 00 : 6 -> 2 [receive] via NET/IB/0", dev=2)
        + rec("x", 1, "Ring 00 : 5 -> 2 via NET/IB/0", dev=2)  # 2.3: receive side, no tag
        + rec("x", 1, "Ring 00 : 2[2] -> 3[3] via P2P/IPC", dev=2)
        + rec("x", 1, "CollNet 00/0 : 2 [send] via COLLNET/SHARP/0/GDRDMA", dev=2)
    )
    con = con_of({"x": {"l.log": log}})  # type: ignore[operator]
    got = rows(
        con, "SELECT logged_by, rank_host, peer_host, inter_node FROM nccl_edges ORDER BY lineno"
    )
    assert [g["logged_by"] for g in got] == [2, 2, 2, 2]
    assert got[0]["peer_host"] == "x"
    assert got[3]["inter_node"] is True


def test_rings_and_their_hops(con_of: object) -> None:
    log = (
        rec("a", 1, "Channel 00/02 :    0   1   2")
        + rec("a", 1, "Channel 01/02 : 0 2 1...")
        + rec("a", 1, "Channel 00/0 : 0[0] -> 1[1] via P2P/CUMEM/read")
        + rec("a", 1, "Channel 00/0 : 1[1] -> 2[0] [send] via NET/IB/0/GDRDMA")
        + rec("a", 1, "Channel 00/0 : 1[1] -> 2[0] [receive] via NET/IB/3/GDRDMA")
        + rec("a", 1, "2 coll channels, 2 collnet channels, 0 nvls channels, 2 p2p channels, "
                      "2 p2p channels per peer")
    )  # fmt: skip
    con = con_of({"a": {"r.log": log}})  # type: ignore[operator]
    rings = rows(con, "SELECT channel, ranks, nchannels, truncated FROM nccl_rings ORDER BY 1")
    assert rings == [
        {"channel": 0, "ranks": [0, 1, 2], "nchannels": 2, "truncated": False},
        {"channel": 1, "ranks": [0, 2, 1], "nchannels": 2, "truncated": True},
    ]
    hops = rows(con, "SELECT channel, rank, next_rank, transport FROM nccl_ring_hops ORDER BY 1, 2")
    assert [(h["channel"], h["rank"], h["next_rank"], h["transport"]) for h in hops] == [
        (0, 0, 1, "P2P/CUMEM/read"),
        (0, 1, 2, "NET/IB/0/GDRDMA"),  # the sender's record
        (0, 2, 0, None),  # nobody printed it
        (1, 0, 2, None),
        (1, 2, 1, None),  # the truncated ring does not close
    ]
    assert count(con, "SELECT nchannels FROM nccl_runs") == 2


def test_collectives_trees_and_warnings(con_of: object) -> None:
    log = (
        init(("a", 1), "0x7f", 0, 2, "START", cid="0xfeed")
        + rec("a", 1, "Trees [0] -1/-1/-1->0->1 [1] 1/-1/-1->0->-1")
        + init(("a", 1), "0x7f", 0, 2, "COMPLETE", cid="0xfeed")
        + rec("a", 1, "AllReduce: opCount 1f sendbuff 0x1 recvbuff 0x2 count 1024 datatype 9 "
                      "op 4 root 0 comm 0x7f [nranks=2] stream 0x9")
        + rec("a", 1, "Broadcast: opCount 20 sendbuff 0x1 recvbuff 0x2 count 8 datatype 7 "
                      "op 0 root 1 comm 0xdead [nranks=2] stream 0x9")
        + "\n[2026-01-02 03:04:05] a:1:3 [0] transport/net.cc:7 NCCL WARN NET/IB : boom\n"
    )  # fmt: skip
    con = con_of({"a": {"r.log": log}})  # type: ignore[operator]
    colls = rows(con, "SELECT * FROM nccl_colls ORDER BY op_count")
    assert [(c["run_id"], c["op"], c["op_count"], c["bytes"]) for c in colls] == [
        ("0xfeed", "AllReduce", 31, 2048),
        ("a:r.log", "Broadcast", 32, 32),  # a communicator this process never initialised
    ]
    assert (colls[0]["datatype_name"], colls[0]["redop_name"]) == ("bfloat16", "avg")
    trees = rows(con, "SELECT channel, rank, parent, children FROM nccl_trees ORDER BY 1")
    assert trees == [
        {"channel": 0, "rank": 0, "parent": 1, "children": [-1, -1, -1]},
        {"channel": 1, "rank": 0, "parent": -1, "children": [1, -1, -1]},
    ]
    warn = rows(con, "SELECT run_id, ts, src_file, message FROM nccl_warnings")
    assert len(warn) == 1
    assert warn[0]["run_id"] == "0xfeed"
    assert warn[0]["ts"].isoformat() == "2026-01-02T03:04:05+00:00"
    assert (warn[0]["src_file"], warn[0]["message"]) == ("transport/net.cc", "NET/IB : boom")


def test_a_rewritten_file_is_a_new_run(tmp_path: Path) -> None:
    src = tmp_path / "h"
    append(src / "job.log", rec("h", 1, "Ring 00 : 0[0] -> 1[1] via P2P/IPC") * 3)
    land(tmp_path, src)
    (src / "job.log").write_text(rec("h", 2, "Ring 00 : 0[0] -> 1[1] via P2P/IPC"))
    with query.connect(land(tmp_path, src)) as con:
        got = rows(con, "SELECT run_id, edges FROM nccl_runs ORDER BY 1")
    assert got == [{"run_id": "h:job.log", "edges": 3}, {"run_id": "h:job.log#1", "edges": 1}]
