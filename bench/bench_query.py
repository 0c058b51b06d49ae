"""Query speed: ``logpipe nccl summary`` and ``nccl_transport_summary`` warm, against regexes.

``python bench/run.py query`` or ``python bench/bench_query.py [--size 1G]``.

A simulated cluster (``logpipe.sample``'s NCCL job generator scaled up: 32 hosts x 8 GPUs,
two NCCL 2.27 jobs with 16 channels, one NCCL 2.4 job with a socket-fallback host, every
collective logged with ``NCCL_DEBUG_SUBSYS=COLL``, trainer logs beside them) is written
once under ``bench/.data/query/`` and synced once into a dataset. Then, in this run:

* cold: the first ``connect`` builds the NCCL cache (segments and the index);
* warm: what ``logpipe nccl summary`` does in-process (connect, query, render), the
  ``nccl_transport_summary`` view (connect + query, and the query on an open connection),
  and the whole CLI as a process (interpreter start and imports included);
* baseline: the same per-run transport summary computed by DuckDB with regexes over the
  raw ``line`` column of the same snapshot files at query time (checked equal).
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from deltalake import DeltaTable

from logpipe import query
from logpipe.cli import _nccl_report
from logpipe.ingest.config import parse_size
from logpipe.sample import _nccl, _services

DATA = Path(__file__).resolve().parent / ".data" / "query"
HOSTS = tuple(f"node-{i:02d}" for i in range(32))
RANK_BYTES = 190  # about one collective record


def _write(path: Path, lines: Any) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(lines) + "\n"
    path.write_text(text)
    return len(text)


def _jobs(size: int) -> list[_nccl.NcclJob]:
    start = datetime(2026, 11, 20, tzinfo=UTC)
    colls = max(10, size // (256 * RANK_BYTES))
    socket_a, socket_b = frozenset({HOSTS[20]}), frozenset({HOSTS[5]})
    return [
        _nccl.NcclJob(7001, HOSTS[:16], "2.27.5", start, channels=16, collectives=colls),
        _nccl.NcclJob(
            7002, HOSTS[16:], "2.27.5", start, channels=16, socket_hosts=socket_a, collectives=colls
        ),
        _nccl.NcclJob(7003, HOSTS[:8], "2.4.8", start, channels=8, socket_hosts=socket_b),
    ]


def tree(size: int) -> Path:
    """The log tree of about ``size`` bytes, one folder per host (made once, then reused)."""
    root = DATA / f"tree-{size}"
    if (root / ".complete").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    for job in _jobs(size):
        for host in job.hosts:
            ranks = [r for r in range(job.nranks) if job.host_of(r) == host]
            folder = root / host / f"jobs/job-{job.job_id}"
            if job.legacy:  # mpirun stdout, one file per host
                lines = [f"[1,{r}]<stdout>:{x}" for r in ranks for x in job.rank_lines(r)]
                _write(folder / "train.log", lines)
                continue
            for r in ranks:
                _write(folder / f"nccl.{host}.{job.pid_of(r)}.log", job.rank_lines(r))
            steps = (_services.trainer_lines(r, job.start, 40, nccl_warn_at=7) for r in ranks)
            _write(folder / "train.log", (x for lines in steps for x in lines))
    (root / ".complete").touch()
    return root


def dataset(size: int) -> tuple[Path, float]:
    """The synced dataset (and how long the sync took, 0 when it was already there)."""
    ds = DATA / f"ds-{size}"
    if (ds / ".complete").exists():
        return ds, 0.0
    shutil.rmtree(ds, ignore_errors=True)
    root = tree(size)
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "logpipe", "sync", *(str(root / h) for h in HOSTS),
           "--to", str(ds), "--state-dir", str(DATA / f"state-{size}")]  # fmt: skip
    subprocess.run(cmd, check=True)
    took = time.perf_counter() - started
    (ds / ".complete").touch()
    return ds, took


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


_EDGE = (
    r"([^\s:\[\]]+):(\d+):\d+ \[\d+\] NCCL INFO (?:Ring|Channel) (\d+)(?:/\d+)? : (\d+)"
    r"(?:\[[0-9a-fA-F]+\])? -> (\d+)(?:\[[0-9a-fA-F]+\])?(?: \[(send|receive)\])? via "
    r"(NET/(.+?)/\d+(?:\(\d+\))?(/GDRDMA)?|P2P/\S+|SHM/\S+|COLLNET/\S+|direct shared memory)"
)
_INIT = (
    r"([^\s:\[\]]+):(\d+):\d+ \[\d+\] NCCL INFO .*comm 0x[0-9a-f]+ rank \d+ "
    r".*commId (0x[0-9a-f]+)"
)


def baseline_sql(files: list[str]) -> str:
    """The per-run transport summary from the raw lines, with regexes, at query time."""
    return f"""
    WITH raw AS (
        SELECT source, path, generation, line
        FROM read_parquet({files!r}, hive_partitioning = true)
    ), edges AS (
        SELECT source, path, generation,
            regexp_extract(line, '{_EDGE}',
                ['host', 'pid', 'channel', 'rank', 'peer', 'dir', 'transport', 'net', 'gdr']) m
        FROM raw WHERE line LIKE '% via %'
    ), procs AS (
        SELECT DISTINCT source, path, generation, m.host, m.pid, m.id
        FROM (SELECT source, path, generation,
                regexp_extract(line, '{_INIT}', ['host', 'pid', 'id']) m
              FROM raw WHERE line LIKE '%commId 0x%')
        WHERE m.id <> ''
    ), placed AS (
        SELECT coalesce(p.id, e.source || ':' || e.path) AS run_id, e.m.transport AS transport,
            e.m.transport LIKE 'NET/%' OR e.m.transport LIKE 'COLLNET/%' AS inter_node,
            e.m.gdr <> '' AS gdr
        FROM edges e LEFT JOIN procs p ON p.source = e.source AND p.path = e.path
            AND p.generation = e.generation AND p.host = e.m.host AND p.pid = e.m.pid
        WHERE e.m.transport <> ''
    ), per_run AS (
        SELECT run_id, count(*) AS n, count(*) FILTER (WHERE inter_node) AS inter,
            count(*) FILTER (WHERE inter_node AND gdr) AS inter_gdr
        FROM placed GROUP BY run_id
    )
    SELECT run_id, transport, count(*) AS edges, count(*) / any_value(n) AS share,
        any_value(inter_gdr) / nullif(any_value(inter), 0) AS gdr_coverage
    FROM placed JOIN per_run USING (run_id)
    GROUP BY run_id, transport ORDER BY run_id, transport
    """


_VIEW = (
    "SELECT run_id, transport, edges, share, gdr_coverage FROM nccl_transport_summary "
    "ORDER BY run_id, transport"
)


def _summary_in_process(ds: Path) -> None:
    args = argparse.Namespace(dataset=str(ds), run=None, snapshot=None)
    _nccl_report.summary_command(args, out=io.StringIO(), tty=False)


def _view(ds: Path) -> list[Any]:
    with query.connect(ds) as con:
        return con.execute(_VIEW).fetchall()


def _cli(ds: Path) -> None:
    subprocess.run([sys.executable, "-m", "logpipe", "nccl", "summary", str(ds)],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:7.1f} ms  (min {min(values) * 1000:.1f})"


def run(size: int) -> None:
    ds, sync_took = dataset(size)
    files = DeltaTable(str(ds)).file_uris()
    raw = sum(p.stat().st_size for p in tree(size).rglob("*.log"))
    stored = sum(Path(f).stat().st_size for f in files)
    print(f"  logs {raw / 1e6:.0f} MB -> dataset {stored / 1e6:.0f} MB in {len(files)} files"
          + (f" (sync {sync_took:.1f} s)" if sync_took else ""))  # fmt: skip
    shutil.rmtree(ds / "_logpipe", ignore_errors=True)
    cold = timed(lambda: query.connect(ds).close(), 1)[0]
    cache = sum(p.stat().st_size for p in (ds / "_logpipe").rglob("*.parquet"))
    print(f"  cold: first connect builds the NCCL cache in {cold:.2f} s ({cache / 1e6:.0f} MB)")
    summary = timed(lambda: _summary_in_process(ds), 7)
    view = timed(lambda: _view(ds), 7)
    with query.connect(ds) as con:
        expected = con.execute(_VIEW).fetchall()
        open_view = timed(lambda: con.execute(_VIEW).fetchall(), 7)
    cli = timed(lambda: _cli(ds), 3)
    bare = timed(lambda: subprocess.run([sys.executable, "-c", "import logpipe.cli"],
                                        check=True), 3)  # fmt: skip
    base_con = duckdb.connect()
    sql = baseline_sql(files)
    got = base_con.execute(sql).fetchall()
    if [r[:3] for r in got] != [r[:3] for r in expected]:
        raise SystemExit("the regex baseline and the view disagree: not the same summary")
    baseline = timed(lambda: base_con.execute(sql).fetchall(), 3)
    print(f"  warm nccl summary (connect, query, render)  {_ms(summary)}")
    print(f"  warm nccl_transport_summary, connect+query  {_ms(view)}")
    print(f"  warm nccl_transport_summary, open connection {_ms(open_view)}")
    print(f"  logpipe nccl summary as a process           {_ms(cli)}")
    print(f"    of which interpreter + imports           {_ms(bare)}")
    print(f"  baseline: regexes over raw lines (DuckDB)  {_ms(baseline)}")
    base = statistics.median(baseline)
    print(f"  ratio baseline / nccl summary:          {base / statistics.median(summary):6.1f}x")
    print(f"  ratio baseline / transport summary view: {base / statistics.median(view):6.1f}x")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="1G", help="bytes of generated logs (1G)")
    args = parser.parse_args(argv if argv is not None else [])
    run(parse_size(args.size))


if __name__ == "__main__":
    main(sys.argv[1:])
