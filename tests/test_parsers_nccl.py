"""The NCCL reference parser: each family's typed fields, record splitting, robustness."""

from __future__ import annotations

import ast
import re
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings

from logpipe.parsers._nccl_families import FAMILIES as _FAMILIES
from logpipe.parsers._nccl_reference import classify
from logpipe.parsers._nccl_regex import Family, py
from logpipe.parsers.nccl import FAMILIES, NCCL_RECORD, parse_nccl
from tests import shared
from tests.strategies import nccl_message

P = "gpu-node-1:4242:4251 [3] NCCL INFO "

# (message, family, fields that must have these values); one or more per family.
EXAMPLES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "Ring 00 : 3 -> 10 [send] via NET/IB/0/GDRDMA",
        "edge",
        {
            "channel": 0,
            "rank": 3,
            "peer": 10,
            "direction": "send",
            "transport": "NET/IB/0/GDRDMA",
            "transport_kind": "NET",
            "net": "IB",
            "nic": 0,
            "gdr": True,
            "p2p_read": None,
        },
    ),
    (
        "Channel 05/0 : 13[5] -> 5[5] [receive] via NET/AWS Libfabric/5/GDRDMA",
        "edge",
        {"conn_index": 0, "rank_dev": "5", "net": "AWS Libfabric", "nic": 5, "gdr": True},
    ),
    (
        "Channel 00/0 : 9[1] -> 0[0] [send] via NET/IB/0(8)/GDRDMA",
        "edge",
        {"proxy_rank": 8, "transport": "NET/IB/0(8)/GDRDMA", "nic": 0},
    ),
    (
        "Channel 00/0 : 7[7] -> 6[6] via P2P/direct pointer/read",
        "edge",
        {"transport_kind": "P2P", "p2p_mode": "direct pointer", "p2p_read": True, "gdr": False},
    ),
    (
        "Ring 00 : 155[3d000] -> 157[b2000] via P2P/IPC",
        "edge",
        {"rank_dev": "3d000", "peer_dev": "b2000", "p2p_mode": "IPC", "p2p_read": False},
    ),
    (
        "Channel 02 : 1[1] -> 2[2] via P2P/indirect/3[b0]/read",
        "edge",
        {"p2p_mode": "indirect", "transport": "P2P/indirect/3[b0]/read"},
    ),
    ("Ring 00 : 3[b0] -> 0[80] via direct shared memory", "edge", {"transport_kind": "SHM"}),
    (
        "Channel 01 : 12[4] -> 11[3] via SHM/direct/direct",
        "edge",
        {"transport": "SHM/direct/direct"},
    ),
    (
        "Channel 00/0 : 16[17000] -> 18[21000] via P2P/IPC comm 0x5609976f9470 nRanks 32",
        "edge",
        {"transport": "P2P/IPC", "comm": None},
    ),
    (
        "CollNet 05/0 : 5 [receive] via COLLNET/SHARP/5/GDRDMA",
        "collnet",
        {"rank": 5, "peer": None, "transport_kind": "COLLNET", "net": "SHARP", "gdr": True},
    ),
    (
        "Channel 00/16 :    0   7   6   5   4   3   2   1   9  10",
        "ring_order",
        {
            "channel": 0,
            "nchannels": 16,
            "ranks": [0, 7, 6, 5, 4, 3, 2, 1, 9, 10],
            "truncated": False,
        },
    ),
    ("Channel 03/24 : 0 1 2...", "ring_order", {"ranks": [0, 1, 2], "truncated": True}),
    (
        "Ring 02 : 7 -> 0 -> 1",
        "graph_ring",
        {"channel": 2, "ring_prev": 7, "rank": 0, "ring_next": 1},
    ),
    (
        "Tree 1 : -1 -> 0 -> 1/-1/-1",
        "graph_tree",
        {"parent": -1, "rank": 0, "children": [1, -1, -1]},
    ),
    (
        "Trees [0] -1/-1/-1->1->0 [1] 2/3/-1->1->0",
        "trees",
        {
            "trees": [
                {"channel": 0, "rank": 1, "parent": 0, "children": [-1, -1, -1], "tree": None},
                {"channel": 1, "rank": 1, "parent": 0, "children": [2, 3, -1], "tree": None},
            ]
        },
    ),
    (
        "Trees [0] 154/-1/-1->155->153|153->155->154/-1/-1",
        "trees",
        {
            "trees": [
                {"channel": 0, "rank": 155, "parent": 153, "children": [154, -1, -1], "tree": "up"},
                {
                    "channel": 0,
                    "rank": 155,
                    "parent": 153,
                    "children": [154, -1, -1],
                    "tree": "down",
                },
            ]
        },
    ),
    (
        "AllReduce: opCount 1a sendbuff 0x720000000 recvbuff 0x920000000 count 2097152 "
        "datatype 7 op 0 root 0 comm 0x55d5f5ac09e0 [nranks=2] stream 0x55d5f4d50b60",
        "coll_call",
        {
            "op": "AllReduce",
            "op_count": 26,
            "count": 2097152,
            "datatype": 7,
            "redop": 0,
            "root": 0,
            "comm": "0x55d5f5ac09e0",
            "nranks": 2,
            "sendbuff": "0x720000000",
        },
    ),
    (
        "AllReduce: 8388608 Bytes -> Algo RING proto SIMPLE channel{Lo..Hi}={0..1}",
        "algo_select",
        {
            "op": "AllReduce",
            "bytes": 8388608,
            "algo": "RING",
            "proto": "SIMPLE",
            "attrs": {"lo": "0", "hi": "1"},
        },
    ),
    ("1048576 Bytes -> Algo 1 proto 2 time 12.5", "algo_select", {"op": None, "algo": "1"}),
    (
        "ncclCommInitRank comm 0x559a0bcabd20 rank 12 nranks 16 cudaDev 4 nvmlDev 4 "
        "busId 9a000 commId 0x45a3a89de169ea18 - Init COMPLETE",
        "init",
        {
            "api": "ncclCommInitRank",
            "comm": "0x559a0bcabd20",
            "rank": 12,
            "nranks": 16,
            "cuda_dev": 4,
            "nvml_dev": 4,
            "bus_id": "9a000",
            "comm_id": "0x45a3a89de169ea18",
            "state": "Init COMPLETE",
        },
    ),
    (
        "comm 0x7f5780001ca0 rank 15 nranks 32 cudaDev 7 nvmlDev 7 - Init COMPLETE",
        "init",
        {"rank": 15, "bus_id": None},
    ),
    (
        "ncclCommSplit comm 0x1 rank 0 nranks 2 cudaDev 0 nvmlDev 0 busId 1000 parent 0x2 "
        "splitCount 1 color -1 key 3 commId 0x3- Init START",
        "init",
        {"parent_comm": "0x2", "split_color": -1, "split_key": 3, "state": "Init START"},
    ),
    (
        "comm 0x562678029210 rank 4 nranks 16 cudaDev 4 busId 97000 - Destroy COMPLETE",
        "teardown",
        {"rank": 4, "state": "Destroy COMPLETE", "bus_id": "97000"},
    ),
    (
        "comm 0x1 rank 3 nRanks 16 nNodes 2 localRanks 8 localRank 3 MNNVL 0",
        "comm_summary",
        {"nnodes": 2, "local_ranks": 8, "local_rank": 3, "attrs": {"mnnvl": "0"}},
    ),
    ("rank 0 nranks 8", "init_old", {"rank": 0, "nranks": 8, "comm": None}),
    ("comm 0x7fa42c00a3b0 rank 0 nranks 2", "init_old", {"comm": "0x7fa42c00a3b0"}),
    ("comm 0x8fe0500 rank 0 nranks 2 cudaDev", "comm_ref", {"rank": 0, "nranks": 2}),
    (
        "Init timings - ncclCommInitRank: rank 3 nranks 16 total 1.47 (kernels 0.25, alloc 1.00)",
        "init_timings",
        {"api": "ncclCommInitRank", "rank": 3, "seconds": 1.47},
    ),
    (
        "NCCL version 2.27.7+cuda13.0",
        "version",
        {"version": "2.27.7", "cuda_version": "13.0"},
    ),
    (
        "NCCL git version master v2.29.2-1",
        "git_version",
        {"attrs": {"branch": "master", "commit": "v2.29.2-1"}},
    ),
    ("cudaDriverVersion 12020", "cuda_driver", {"cuda_driver": 12020}),
    (
        "Bootstrap : Using [0]eth0:10.100.62.64<0>",
        "bootstrap_using",
        {"nics": ["eth0:10.100.62.64<0>"]},
    ),
    (
        "Bootstrap: Using eno8303:192.168.0.3<0>",
        "bootstrap_using",
        {"nics": ["eno8303:192.168.0.3<0>"]},
    ),
    (
        "NET/IB : Using [0]mlx5_0:1/RoCE [1]mlx5_1:1/RoCE [RO]; OOB eno8303:192.168.0.3<0>",
        "net_ib_using",
        {
            "nics": ["mlx5_0:1/RoCE", "mlx5_1:1/RoCE"],
            "attrs": {
                "ro": "[RO]",
                "oob_if": "eno8303",
                "oob_addr": "192.168.0.3",
                "oob_port": "0",
            },
        },
    ),
    ("NET/IB: [2] mlx5_0:1/IB", "net_ib_old", {"nic": 2, "nics": ["mlx5_0:1/IB"]}),
    (
        "NET/Socket : Using [0]eth0:10.0.0.34<0>",
        "net_socket_using",
        {"nics": ["eth0:10.0.0.34<0>"]},
    ),
    ("Using network AWS Libfabric", "using_network", {"net": "AWS Libfabric"}),
    ("Using internal Network IB", "using_network", {"net": "IB"}),
    (
        "NET/IB : GPU Direct RDMA Disabled for HCA 0 'mlx5_0'",
        "gdr_state",
        {"net": "IB", "gdr": False, "state": "Disabled", "nic": 0},
    ),
    ("NET/IBext_v8 : GPU Direct RDMA Enabled for HCA 3 'mlx5_3'", "gdr_state", {"gdr": True}),
    (
        "NET/Plugin: Could not find: libnccl-net.so.",
        "net_plugin",
        {"attrs": {"text": "Could not find: libnccl-net.so."}},
    ),
    ("NET/OFI Initializing aws-ofi-nccl 1.7.4", "net_plugin", {}),
    ("NET/IB : No device found.", "net_misc", {"attrs": None}),
    ("NET/Socket : 1 interfaces found", "net_misc", {"attrs": {"nifs": "1"}}),
    (
        "16 coll channels, 16 collnet channels, 0 nvls channels, 16 p2p channels, "
        "2 p2p channels per peer",
        "channel_counts",
        {
            "coll_channels": 16,
            "collnet_channels": 16,
            "nvls_channels": 0,
            "p2p_channels": 16,
            "p2p_per_peer": 2,
        },
    ),
    (
        "32 coll channels, 32 p2p channels, 32 p2p channels per peer",
        "channel_counts",
        {"nvls_channels": None},
    ),
    (
        "Connected all rings, use ring PXN 0 GDR 1",
        "connected",
        {"attrs": {"what": "rings", "pxn": "0", "ring_gdr": "1"}},
    ),
    ("Connected NVLS tree", "connected", {"attrs": {"nvls": "NVLS tree"}}),
    ("threadThresholds 8/8/64 | 128/8/64 | 512 | 512", "thread_thresholds", {}),
    ("Enabled NCCL Func/Proto/Algo Matrix:", "algo_matrix_head", {}),
    (
        "[Proxy Progress] Device 7 CPU core 31",
        "proxy_thread",
        {"attrs": {"kind": "Progress", "gpu": "7", "core": "31"}},
    ),
    (
        "New proxy send connection 3 from local rank 5, transport 2",
        "proxy_conn",
        {"direction": "send", "local_rank": 5},
    ),
    (
        "Bootstrap timings total 0.001186 (create 0.000018, send 0.000108, recv 0.000316, "
        "ring 0.000021, delay 0.000000)",
        "bootstrap_timings",
        {"seconds": 0.001186},
    ),
    ("[Service thread] Connection closed by localRank 0", "service_thread", {}),
    (
        "NCCL_IB_TIMEOUT set by environment to 18.",
        "env",
        {"attrs": {"var": "NCCL_IB_TIMEOUT", "value": "18"}},
    ),
    (
        "NCCL_SOCKET_IFNAME set to en",
        "env",
        {"attrs": {"var": "NCCL_SOCKET_IFNAME", "value": "en"}},
    ),
    ("Setting affinity for GPU 3 to 0fffff00,000fffff", "affinity", {}),
    ("P2P Chunksize set to 524288", "p2p_chunksize", {"bytes": 524288}),
    ("CC Off, workFifoBytes 1048576", "cc", {"attrs": {"cc": "Off", "fifo": "1048576"}}),
    ("MNNVL busId 0x1a000 fabric UUID 0.0 cliqueId 0x7 state 3 healthMask 0x0", "mnnvl", {}),
    (
        "transport/net.cc:1227 -> 6",
        "err_trace",
        {"src_file": "transport/net.cc", "src_line": 1227, "code": 6},
    ),
    ("proxy.cc:878 -> 6 [Progress Thread]", "err_trace", {"attrs": {"extra": "[Progress Thread]"}}),
    (
        "NET/IB : Got completion from peer 10.0.35.1<49189> with error 4, opcode 5327, len 5327, "
        "vendor err 81 (Send)",
        "ib_completion",
        {
            "attrs": {
                "peer_addr": "10.0.35.1<49189>",
                "err": "4",
                "opcode": "5327",
                "len": "5327",
                "verr": "81",
                "rest": " (Send)",
            }
        },
    ),
    (
        "NVLS multicast support is not available on dev 0",
        "nvls_support",
        {"attrs": {"nvls": "not available", "gpu": "0"}},
    ),
    ("NVLS Head  0:  0  8", "nvls_head", {"ranks": [0, 8]}),
    (
        "  Algorithm   |     Tree |     Ring |",
        "tuning_table",
        {"attrs": {"row": "Algorithm", "cells": "     Tree |     Ring |"}},
    ),
]


@pytest.mark.parametrize(("message", "family", "fields"), EXAMPLES, ids=[e[1] for e in EXAMPLES])
def test_family_fields(message: str, family: str, fields: dict[str, Any]) -> None:
    (record,) = parse_nccl(P + message)
    assert record["family"] == family
    assert record["body"] == message
    for key, value in fields.items():
        assert record[key] == value, key
    assert (record["host"], record["pid"], record["tid"], record["device"]) == (
        "gpu-node-1",
        4242,
        4251,
        3,
    )


def test_every_family_has_an_example() -> None:
    assert set(FAMILIES) == {e[1] for e in EXAMPLES}


def test_records_are_complete_dicts_of_the_arrow_type() -> None:
    records = [r for m, _, _ in EXAMPLES for r in parse_nccl(P + m)]
    assert all(set(r) == set(NCCL_RECORD.names) for r in records)
    assert pa.array(records, NCCL_RECORD).to_pylist()[0]["transport"] == "NET/IB/0/GDRDMA"


def test_unknown_message_keeps_its_body() -> None:
    (record,) = parse_nccl(P + "Mem Realloc old size 0, new size 256 pointer 0x7f40  ")
    assert record["family"] is None
    assert record["body"] == "Mem Realloc old size 0, new size 256 pointer 0x7f40"


def _real_bodies() -> list[str]:
    bodies: list[str] = []
    for path in sorted(shared.require("nccl/real").glob("*.log")):
        for line in path.read_text(errors="replace").split("\n"):
            bodies.extend(r["body"] for r in parse_nccl(line) if r["level"] != "VERSION")
    return bodies


def test_families_agree_with_the_grammar_regexes_on_real_logs() -> None:
    """A classified message matches GRAMMAR.md's regex of its family; an unclassified one none."""
    grammar = shared.require("nccl/GRAMMAR.md").read_text()
    found = re.findall(
        r"`msg\.(\w+)` \(match the message\):\s*```python\s*\n(r(['\"]).*?\3)\s*\n```",
        grammar,
        re.S,
    )
    regexes = {name: re.compile(ast.literal_eval(text)) for name, text, _ in found}
    alias = {"ib_completion": "ib_completion_warn", "git_version": "version"}
    assert {alias.get(f, f) for f in FAMILIES} - {"comm_ref"} <= set(regexes)  # ours: comm_ref
    bodies = _real_bodies()
    assert len(bodies) > 8000
    for body in bodies:
        family = classify(body)[0]
        matching = {name for name, rx in regexes.items() if rx.match(body)}
        if family is None:
            assert not matching, body
        elif alias.get(family, family) in regexes:
            assert alias.get(family, family) in matching, body


def _hint_holds(family: Family, message: str) -> bool:
    starts = not family.starts or message.startswith(family.starts)
    return starts and (family.contains is None or family.contains in message)


def _check_hints(message: str) -> None:
    for family in _FAMILIES:
        if py(family.pattern).match(message):
            assert _hint_holds(family, message), (family.name, message)


def test_literal_hints_are_necessary_on_examples_and_real_logs() -> None:
    for message in [m for m, _, _ in EXAMPLES] + _real_bodies():
        _check_hints(message)


@settings(max_examples=500, deadline=None)
@given(nccl_message)
def test_literal_hints_are_necessary_on_generated_messages(message: str) -> None:
    _check_hints(message)
