"""The sample cluster logs: deterministic, laid out per host, in the formats they claim."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from logpipe import sample


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample")
    sample.generate(root)
    return root


def test_deterministic(tree: Path, tmp_path: Path) -> None:
    again = sample.generate(tmp_path)
    first = sorted(p for p in tree.rglob("*") if p.is_file())
    assert [p.relative_to(tmp_path) for p in again] == [p.relative_to(tree) for p in first]
    for a, b in zip(again, first, strict=True):
        assert a.read_bytes() == b.read_bytes(), a


def test_one_folder_per_host(tree: Path) -> None:
    assert sorted(p.name for p in tree.iterdir()) == list(sample.HOSTS)
    for host in sample.HOSTS:
        assert (tree / host / "agent/gpu-agent.log").is_file()
        assert (tree / host / "agent/exporter.log").is_file()
    # NCCL_DEBUG_FILE=nccl.%h.%p: one file per process of the 16-rank job
    assert len(list(tree.glob("gpu-node-0[12]/jobs/job-4242/nccl.*.log"))) == 16


def test_exporter_writes_logrus_json(tree: Path) -> None:
    for line in (tree / "gpu-node-01/agent/exporter.log").read_text().splitlines():
        record = json.loads(line)
        assert record["level"] == "info"
        assert record["msg"] == "metrics scraped"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["time"])


def test_socket_fallback_only_on_node_04(tree: Path) -> None:
    legacy = (tree / "gpu-node-03/jobs/job-4177/train.log").read_text().splitlines()
    sockets = [line for line in legacy if "via NET/Socket/0" in line]
    assert sockets
    assert all(":gpu-node-04:" in line.replace("<stdout>:", ":") for line in sockets)
    others = [p.read_text() for p in tree.rglob("*.log") if p.name != "train.log"]
    assert not any("NET/Socket" in text for text in others)
    agent = (tree / "gpu-node-04/agent/gpu-agent.log").read_text()
    assert 'level=error msg="infiniband port state DOWN' in agent


def test_versions_of_both_jobs(tree: Path) -> None:
    legacy = (tree / "gpu-node-03/jobs/job-4177/train.log").read_text()
    assert "[1,0]<stdout>:NCCL version 2.4.8+cuda10.1\n" in legacy
    recent = next((tree / "gpu-node-01/jobs/job-4242").glob("nccl.*.log")).read_text()
    assert " NCCL INFO NCCL version 2.27.5+cuda12.9\n" in recent


def test_warn_records_keep_their_leading_newline(tree: Path) -> None:
    legacy = (tree / "gpu-node-03/jobs/job-4177/train.log").read_text()
    assert re.search(
        r"\[1,8\]<stdout>:\n\[1,8\]<stdout>:\S+ \[0\] misc/ibvwrap.cc:63 NCCL WARN", legacy
    )


def test_cli(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "logpipe", "sample", str(tmp_path / "s")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "for 4 hosts" in out.stdout
    assert (tmp_path / "s/gpu-node-03/jobs/job-4177/train.log").is_file()


def test_nccl_records_say_what_the_story_says(tree: Path) -> None:
    """Through the NCCL parser: versions, 16-rank rings, GDR on IB edges, sockets on node 04."""
    from logpipe.parsers.nccl import parse_nccl
    from logpipe.parsers.nccl_summary import summarize_file

    logs = [p for p in tree.rglob("*.log") if "agent" not in p.parts]
    summaries = {p: summarize_file(p) for p in logs}
    versions = {p.parent.name: summaries[p]["nccl_version"] for p in logs}
    assert versions == {"job-4242": "2.27.5", "job-4177": "2.4.8"}
    legacy = summaries[tree / "gpu-node-03/jobs/job-4177/train.log"]
    assert legacy["ranks_seen"] == list(range(16))
    assert {r for s in summaries.values() for r in s["ranks_seen"]} == set(range(16))
    records = [r for p in logs for line in p.read_text().splitlines() for r in parse_nccl(line)]
    edges = [r for r in records if r["family"] == "edge"]
    assert len(edges) == 2 * (16 * 4 + 2 * 4)  # per job: a hop per rank, 2 receive sides
    for edge in edges:
        net = edge["transport_kind"] == "NET"
        socket = edge["transport"] == "NET/Socket/0"
        assert socket == (net and edge["host"] == "gpu-node-04"), edge
        assert edge["gdr"] == (net and not socket), edge
    assert sum(r["level"] == "WARN" for r in records) == 2
