"""``logpipe nccl inspect``, run as a real process on the golden logs and nccl-tests outputs."""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from logpipe.cli.nccl import inspect_command, ranges
from tests import shared

LOGS = shared.glob("nccl/real", "*.log")
OUTPUTS = shared.glob("nccl/nccl-tests", "*.txt")
GOLDEN = LOGS + OUTPUTS


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "logpipe", "nccl", *args],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def inspected() -> dict[str, dict[str, Any]]:
    """One ``inspect --json`` process over every golden file: its objects by file."""
    if not GOLDEN:
        return {}
    out = run("inspect", "--json", *map(str, GOLDEN))
    assert out.returncode == 0, out.stderr
    objects = [json.loads(line) for line in out.stdout.splitlines()]
    assert [o["file"] for o in objects] == list(map(str, GOLDEN))
    return {o.pop("file"): o for o in objects}


def _expected(path: Path, suffix: str) -> dict[str, Any] | None:
    sidecar = path.with_suffix(suffix)
    if not sidecar.exists():
        return None
    data: dict[str, Any] = json.loads(sidecar.read_text())
    data.pop("notes", None)
    return data


@pytest.mark.parametrize(
    "path", shared.params_or_missing(LOGS, [p.name for p in LOGS], "nccl/real")
)
def test_real_logs_give_their_oracle(path: Any, inspected: dict[str, dict[str, Any]]) -> None:
    got = dict(inspected[str(path)])
    tables = _expected(path, ".nccltests.expected.json")
    if tables is None:
        assert "tests" not in got
    else:
        assert got.pop("tests") == tables["tests"]
    assert got == _expected(path, ".expected.json")


@pytest.mark.parametrize(
    "path", shared.params_or_missing(OUTPUTS, [p.name for p in OUTPUTS], "nccl/nccl-tests")
)
def test_nccl_tests_outputs_give_their_oracle(
    path: Any, inspected: dict[str, dict[str, Any]]
) -> None:
    got = inspected[str(path)]
    assert got["tests"] == (_expected(path, ".expected.json") or {})["tests"]
    assert (got["ring_edges"], got["warn_count"], got["nccl_version"]) == ([], 0, None)


def test_bad_files_are_reported_and_the_others_still_processed(tmp_path: Path) -> None:
    good = tmp_path / "good.log"
    good.write_bytes(b"\xff\xfeh:1:2 [0] NCCL INFO Channel 00 : 0[0] -> 1[1] via P2P/IPC\n")
    out = run("inspect", "--json", str(tmp_path / "missing.log"), str(tmp_path), str(good))
    assert out.returncode == 2
    assert f"logpipe nccl inspect: error: cannot read {tmp_path / 'missing.log'}" in out.stderr
    assert f"cannot read {tmp_path}: Is a directory" in out.stderr
    (line,) = out.stdout.splitlines()
    assert json.loads(line)["transports_count"] == {"P2P/IPC": 1}


def test_piped_output_is_plain_text(tmp_path: Path) -> None:
    log = tmp_path / "job.log"
    log.write_text(
        "NCCL version 2.20.3+cuda12.2\n"
        "n0:1:1 [0] NCCL INFO Channel 00/0 : 0[0] -> 8[0] [send] via NET/IB/0/GDRDMA\n"
        "n0:1:1 [0] NCCL INFO Channel 01/0 : 0[0] -> 8[0] [send] via NET/Socket/0\n"
    )
    out = run("inspect", str(log))
    assert out.returncode == 0
    assert out.stdout.splitlines() == [
        str(log),
        "  NCCL version: 2.20.3",
        "  ranks seen: 0, 8 (2)",
        "  connections: 2 (1 with GPUDirect RDMA)",
        "  Trees lines: 0",
        "  Init COMPLETE: 0",
        "  warnings: 0",
        "  transport NET/IB/0/GDRDMA: 1",
        "  transport NET/Socket/0: 1",
    ]


def test_terminal_output_is_rich_tables(tmp_path: Path) -> None:
    log = tmp_path / "job.log"
    log.write_text("h:1:1 [0] NCCL INFO Channel 00 : 1[1] -> 2[2] via P2P/indirect/3[b0]/read\n")
    out = io.StringIO()
    args = argparse.Namespace(files=[str(log)], json=False)
    assert inspect_command(args, out=out, is_tty=True) == 0
    styled = out.getvalue()
    assert "\x1b[" in styled  # styled for a terminal
    text = re.sub(r"\x1b\[[0-9;]*m", "", styled)
    assert "│ P2P/indirect/3[b0]/read │ 1 " in text  # brackets in values are not rich markup
    assert "┃ transport " in text
    assert "│ ranks seen    │ 1-2 (2) " in text


def test_group_and_usage_errors() -> None:
    group = run()
    assert group.returncode == 2
    assert "inspect" in group.stdout
    missing = run("inspect")
    assert missing.returncode == 2
    assert "the following arguments are required: FILE" in missing.stderr


def test_rank_ranges() -> None:
    assert ranges([5, 0, 1, 2, 3, 8, 7, 3]) == "0-3, 5, 7-8"
    assert ranges([]) == ""
