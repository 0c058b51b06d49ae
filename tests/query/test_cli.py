"""``logpipe query`` and ``logpipe nccl summary|rings|check`` as real processes."""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from logpipe import sample
from logpipe.cli import _nccl_report
from tests import shared

GDR_LOG = "nccl/real/nccl-687-ib-gdrdma-ipc-read.log"
SOCKET_LOG = "nccl/real/nccl-1232-bracket-rank-prefix-socket.log"


def logpipe(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI; whatever happens it must end by itself, never by a signal or crash."""
    done = subprocess.run(
        [sys.executable, "-m", "logpipe", *args],
        capture_output=True,
        text=True,
        input=stdin,
        check=False,
        timeout=300,
    )
    assert done.returncode in (0, 1, 2), (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    return done


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample cluster synced (by the CLI) into a dataset."""
    root = tmp_path_factory.mktemp("cluster")
    sample.generate(root / "logs")
    hosts = [str(root / "logs" / h) for h in sample.HOSTS]
    done = logpipe("sync", *hosts, "--to", str(root / "ds"), "--state-dir", str(root / "st"))
    assert done.returncode == 0, done.stderr
    return root / "ds"


def test_query_csv_when_piped(cluster: Path) -> None:
    done = logpipe("query", str(cluster), "SELECT run_id, nranks FROM nccl_runs ORDER BY 1")
    assert done.returncode == 0, done.stderr
    got = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["nranks"] for r in got] == ["16", "16"]
    assert got[1]["run_id"] == "gpu-node-03:jobs/job-4177/train.log"


def test_query_json_lines_keep_nested_values(cluster: Path) -> None:
    sql = "SELECT run_id, hosts, start_time FROM nccl_runs WHERE id_kind = 'commId'"
    done = logpipe("query", str(cluster), sql, "--format", "json")
    assert done.returncode == 0, done.stderr
    (row,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert row["hosts"] == ["gpu-node-01", "gpu-node-02"]
    assert row["start_time"].startswith("2026-11-20T")


def test_query_nested_columns_as_json_text_in_csv(cluster: Path) -> None:
    sql = "SELECT rank, nics FROM nccl_ranks WHERE rank = 0 AND nics <> [] ORDER BY run_id"
    done = logpipe("query", str(cluster), sql, "--format", "csv")
    got = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [json.loads(r["nics"]) for r in got] == [["mlx5_0"], ["mlx5_0"]]


def test_query_parquet_and_table_to_files(cluster: Path, tmp_path: Path) -> None:
    out = tmp_path / "edges.parquet"
    done = logpipe("query", str(cluster), "SELECT * FROM nccl_edges", "-o", str(out),
                   "--format", "parquet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = pq.read_table(out)
    assert table.num_rows == 144
    assert {"run_id", "inter_node", "gdr", "transport"} <= set(table.column_names)
    text = tmp_path / "t.txt"
    done = logpipe("query", str(cluster), "SELECT 41 + 1 AS answer", "--format", "table",
                   "-o", str(text))  # fmt: skip
    assert text.read_text().split() == ["answer", "42"]


def test_query_reads_sql_from_stdin(cluster: Path) -> None:
    done = logpipe("query", str(cluster), "-", stdin="SELECT count(*) AS n FROM nccl_warnings")
    assert done.stdout.split() == ["n", "2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["SELECT nope FROM logs"], "nope"),
        (["SELECT 1", "--snapshot", "99"], "no snapshot 99"),
        (["SELECT 1", "--snapshot", "yesterday"], "not a version or ISO time"),
        (["SELECT 1", "--format", "xml"], "invalid choice"),
    ],
)
def test_query_errors_exit_2(cluster: Path, args: list[str], message: str) -> None:
    done = logpipe("query", str(cluster), *args)
    assert done.returncode == 2
    assert message in done.stderr


def test_query_of_a_folder_that_is_no_dataset(tmp_path: Path) -> None:
    done = logpipe("query", str(tmp_path), "SELECT 1")
    assert (done.returncode, done.stdout) == (2, "")
    assert "no logpipe dataset" in done.stderr


def test_query_into_a_closed_pipe_ends_quietly(cluster: Path) -> None:
    cmd = f"{sys.executable} -m logpipe query {cluster} 'SELECT * FROM logs' | head -c 10"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stderr == ""


def test_summary_plain_when_piped(cluster: Path) -> None:
    done = logpipe("nccl", "summary", str(cluster))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "NCCL runs"
    row = next(line for line in lines if line.startswith("gpu-node-03:"))
    assert "NET/Socket/* x8" in row
    assert "8/16 (50%)" in row  # gpu-node-04's half of the inter-node connections
    assert "2.27.5" in done.stdout
    assert "16/16 (100%)" in done.stdout


def test_summary_of_a_dataset_loads_no_ingest_machinery(cluster: Path) -> None:
    """Start-up cost: reading a dataset needs neither the ingest pipeline nor numba."""
    heavy = ("numba", "logpipe.ingest.sync", "logpipe.ingest._ksplit", "logpipe.parsers._text")
    code = (
        "import sys; from logpipe.cli import main; "
        f"assert main(['nccl', 'summary', {str(cluster)!r}]) == 0; "
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == "[]"


def test_summary_of_one_run(cluster: Path) -> None:
    done = logpipe("nccl", "summary", str(cluster), "--run", "gpu-node-03:jobs/job-4177/train.log")
    assert done.returncode == 0, done.stderr
    assert "NET/Socket/0" in done.stdout
    assert "misc/ibvwrap.cc:63" in done.stdout  # the warning, where it was raised
    missing = logpipe("nccl", "summary", str(cluster), "--run", "nope")
    assert missing.returncode == 2
    assert "no run 'nope'" in missing.stderr


def test_summary_on_a_terminal_is_a_rich_table(cluster: Path) -> None:
    out = io.StringIO()
    args = argparse.Namespace(dataset=str(cluster), run=None, snapshot=None)
    assert _nccl_report.summary_command(args, out=out, tty=True) == 0
    assert "┃" in out.getvalue() or "│" in out.getvalue()
    assert "\x1b[" in out.getvalue()


def test_rings_fold_alike_hops(cluster: Path) -> None:
    commid = logpipe("query", str(cluster), "SELECT run_id FROM nccl_runs WHERE id_kind='commId'")
    run = commid.stdout.split()[1]
    assert run.startswith("0x")
    done = logpipe("nccl", "rings", str(cluster), "--run", run)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("channel ") == 4
    first = done.stdout.split("\n\n")[0].splitlines()
    assert first[0] == "channel 00: 16 ranks"
    assert first[2].split() == ["0@gpu-node-01", "7@gpu-node-01", "7", "P2P/CUMEM/read", "no", "no"]
    assert first[3].split()[:4] == ["7@gpu-node-01", "8@gpu-node-02", "1", "NET/IB/7/GDRDMA"]
    hops = logpipe("nccl", "rings", str(cluster), "--run", run, "--hops")
    assert hops.stdout.count("P2P/CUMEM/read") == 4 * 14


def test_rings_needs_a_run_when_several_have_rings(cluster: Path) -> None:
    done = logpipe("nccl", "rings", str(cluster))
    assert done.returncode == 2
    assert "name a run with --run" in done.stderr


def test_check_exit_codes_on_the_sample(cluster: Path) -> None:
    done = logpipe("nccl", "check", str(cluster), "--expect-gdr")
    assert done.returncode == 1
    assert "1 of 2 runs failed" in done.stdout
    failing = [line for line in done.stdout.splitlines() if "NET/Socket/0" in line]
    assert len(failing) == 8
    assert all("no GPUDirect RDMA" in line for line in failing)
    assert "15@gpu-node-04 -> 0@gpu-node-03" in done.stdout
    run = "0x" + done.stdout.split("PASS  0x")[1].split()[0]
    passing = logpipe("nccl", "check", str(cluster), "--expect-gdr", "--run", run)
    assert passing.returncode == 0, passing.stdout
    assert passing.stdout.splitlines()[-1] == "all runs passed"


def test_check_min_channels_is_a_run_problem(cluster: Path) -> None:
    done = logpipe("nccl", "check", str(cluster), "--min-channels", "8")
    assert done.returncode == 1
    assert done.stdout.count("4 channels, fewer than 8") == 2
    assert logpipe("nccl", "check", str(cluster), "--min-channels", "0").returncode == 2


def test_check_passes_on_a_gdrdma_log() -> None:
    done = logpipe("nccl", "check", str(shared.require(GDR_LOG)))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "inter-node network IB, GPUDirect RDMA on inter-node connections" in done.stdout
    assert "PASS" in done.stdout


def test_check_names_the_edges_of_a_socket_fallback_log() -> None:
    log = shared.require(SOCKET_LOG)
    done = logpipe("nccl", "check", str(log), "--no-socket-fallback", "--expect-gdr")
    assert done.returncode == 1
    failing = [line for line in done.stdout.splitlines() if "NET/Socket/0" in line]
    assert len(failing) == 9
    assert any("socket fallback; " in line or "; socket fallback" in line for line in failing)
    assert "no GPUDirect RDMA" in done.stdout


def test_check_of_logs_without_nccl_fails(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_text("hello\n")
    done = logpipe("nccl", "check", str(tmp_path))
    assert done.returncode == 1
    assert "no NCCL connection records" in done.stdout


@pytest.mark.parametrize(
    "args",
    [["/no/such/logs"], ["--expect-gdr"], ["DATASET", "more.log"]],
    ids=["missing", "no-path", "dataset-and-logs"],
)
def test_check_usage_errors_exit_2(cluster: Path, args: list[str], tmp_path: Path) -> None:
    (tmp_path / "more.log").write_text("x\n")
    args = [str(cluster) if a == "DATASET" else str(tmp_path / a) if a == "more.log" else a
            for a in args]  # fmt: skip
    done = logpipe("nccl", "check", *args)
    assert done.returncode == 2, done.stdout
    assert done.stderr
