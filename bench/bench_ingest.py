"""Ingest speed: ``logpipe sync`` against a Python loop and DuckDB, and ``watch`` latency/CPU.

``python bench/run.py ingest`` or ``python bench/bench_ingest.py [--size 200M]``.
The tree (~1 GB of logrus and NCCL lines in 16 files) is generated once, deterministically,
under bench/.data/ and reused. Figures are measured in one run; ratios are what compare.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data" / "ingest"
FILES = 16
IDLE_FILES = 5000

LOGRUS = re.compile(rb'time="([^"]*)" level=(\w+) msg="((?:[^"\\]|\\.)*)"')
RING = re.compile(rb"^(\S+):(\d+):(\d+) \[(\d+)\] NCCL INFO Ring (\d+) : (\d+) -> (\d+)")


def _lines(rng: random.Random, node: int) -> Iterator[str]:
    host = f"gpu-node-{node:02d}"
    second = 0
    while True:
        second += 1
        stamp = f"2024-05-01T{second // 3600 % 24:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"
        rank, peer = rng.randrange(64), rng.randrange(64)
        yield (
            f'time="{stamp}" level=info msg="step {second} loss={rng.random():.4f}" '
            f"rank={rank} node={host} lr=0.0003 tokens_per_s={rng.randrange(10**6)}"
        )
        yield (
            f"{host}:{4000 + rank}:{4100 + rank} [{rank % 8}] NCCL INFO Ring {rank % 16:02d} : "
            f"{rank} -> {peer} [send] via NET/IB/{rank % 4}/GDRDMA"
        )
        if second % 7 == 0:
            yield (
                f"{host}:{4000 + rank}:{4100 + rank} [{rank % 8}] NCCL INFO comm 0x7f{rank:04x} "
                f"rank {rank} nranks 64 cudaDev {rank % 8} busId {rank:02x}000 - Init COMPLETE"
            )
        if second % 31 == 0:
            yield f'time="{stamp}" level=warning msg="slow step" rank={rank} took=2.31s'


def tree(size: int) -> Path:
    """The benchmark tree of about ``size`` bytes (made once, then reused)."""
    root = DATA / f"tree-{size}"
    done = root / ".complete"
    if done.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    per_file = size // FILES
    for node in range(FILES):
        rng = random.Random(node)
        path = root / f"node{node:02d}" / ("train.log" if node % 2 else "nccl-debug.log")
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w") as fh:
            written, block = 0, []
            for line in _lines(rng, node):
                block.append(line)
                if len(block) == 10_000:
                    text = "\n".join(block) + "\n"
                    fh.write(text)
                    written += len(text)
                    block = []
                    if written >= per_file:
                        break
    done.touch()
    return root


def files_of(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.log"))


Timing = tuple[float, float]  # (wall seconds, CPU seconds of all threads)


def run_child(cmd: list[str]) -> tuple[Timing, float]:
    """(wall and CPU seconds, peak RSS in MB) of a child process run to completion."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed with {proc.returncode}")
    wall = time.perf_counter() - started
    return (wall, usage.ru_utime + usage.ru_stime), usage.ru_maxrss / 1024


def timed(fn: Callable[[], None]) -> Timing:
    """(wall, CPU) seconds of ``fn`` run in this process (all its threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def logpipe_sync(root: Path, work: Path) -> tuple[Timing, float]:
    shutil.rmtree(work, ignore_errors=True)
    cmd = [sys.executable, "-m", "logpipe", "sync", str(root), "--to", str(work / "ds"),
           "--state-dir", str(work / "st")]  # fmt: skip
    return run_child(cmd)


def python_loop(root: Path, work: Path) -> None:
    """The straightforward way: for line in f, re.match, lists of columns, Parquet."""
    for n, path in enumerate(files_of(root)):
        rel = str(path.relative_to(root))
        cols: dict[str, list[object]] = {k: [] for k in (
            "path", "offset", "lineno", "line", "time", "level", "msg",
            "host", "rank", "channel", "src", "dst")}  # fmt: skip
        offset = 0
        with path.open("rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                text = raw.rstrip(b"\n")
                m, r = LOGRUS.match(text), RING.match(text)
                for key, value in (("path", rel), ("offset", offset), ("lineno", lineno),
                                   ("line", text.decode("utf-8", "replace"))):  # fmt: skip
                    cols[key].append(value)
                for key, i in (("time", 1), ("level", 2), ("msg", 3)):
                    cols[key].append(m.group(i).decode() if m else None)
                cols["host"].append(r.group(1).decode() if r else None)
                for key, i in (("rank", 4), ("channel", 5), ("src", 6), ("dst", 7)):
                    cols[key].append(int(r.group(i)) if r else None)
                offset += len(raw)
        pq.write_table(pa.table(cols), work / f"{n}.parquet", compression="zstd")


def duckdb_sql(root: Path, work: Path) -> None:
    """DuckDB's own way: read_csv of whole lines, regexp_extract, COPY to Parquet."""
    files = [str(p) for p in files_of(root)]
    con = duckdb.connect()
    con.execute(f"""
        COPY (
          SELECT filename AS path, line,
            regexp_extract(line, 'time="([^"]*)"', 1) AS time,
            regexp_extract(line, 'level=(\\w+)', 1) AS level,
            regexp_extract(line, 'msg="((?:[^"\\\\]|\\\\.)*)"', 1) AS msg,
            regexp_extract(line, '^(\\S+):\\d+:\\d+ \\[\\d+\\] NCCL INFO Ring', 1) AS host,
            TRY_CAST(regexp_extract(line, 'NCCL INFO Ring (\\d+) :', 1) AS INTEGER) AS channel,
            TRY_CAST(regexp_extract(line, 'Ring \\d+ : (\\d+) ->', 1) AS INTEGER) AS src,
            TRY_CAST(regexp_extract(line, '-> (\\d+)', 1) AS INTEGER) AS dst
          FROM read_csv({files!r}, columns={{'line': 'VARCHAR'}}, delim='\\x01', quote='',
                        escape='', header=false, auto_detect=false, filename=true)
        ) TO '{work / "out.parquet"}' (FORMAT parquet, COMPRESSION zstd)
    """)
    con.close()


def fresh(work: Path) -> Path:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    return work


def watch_latency(work: Path, appends: int) -> list[float]:
    """Seconds from an append to the line being visible in a query (default settings)."""
    src = work / "src"
    shutil.rmtree(work, ignore_errors=True)
    src.mkdir(parents=True)
    for i in range(8):
        (src / f"w{i}.log").write_text("start\n")
    cmd = [sys.executable, "-m", "logpipe", "watch", str(src), "--to", str(work / "ds"),
           "--state-dir", str(work / "st"), "--log-level", "error"]  # fmt: skip
    proc = subprocess.Popen(cmd)
    seen: dict[str, float] = {}
    read: set[str] = set()

    def poll() -> None:
        try:
            uris = DeltaTable(str(work / "ds")).file_uris()
        except Exception:
            return
        for uri in set(uris) - read:
            read.add(uri)
            for line in pq.read_table(uri, columns=["line"])["line"].to_pylist():
                if line.startswith("mark "):
                    seen.setdefault(line, time.perf_counter())

    try:
        time.sleep(3.0)  # started, first scan done
        rng = random.Random(1)
        sent: dict[str, float] = {}
        for n in range(appends):
            line = f"mark {n}"
            with (src / f"w{n % 8}.log").open("a") as fh:
                fh.write(line + "\n")
            sent[line] = time.perf_counter()
            deadline = time.perf_counter() + rng.uniform(0.2, 0.6)
            while time.perf_counter() < deadline:
                poll()
                time.sleep(0.02)
        deadline = time.perf_counter() + 10
        while len(seen) < appends and time.perf_counter() < deadline:
            poll()
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    return sorted(seen.get(k, float("inf")) - t for k, t in sent.items())


def idle_cpu(work: Path, seconds: float) -> float:
    """Share of one core a watch of IDLE_FILES quiet files uses (after catching up)."""
    src = work / "idle"
    if not (src / ".complete").exists():
        shutil.rmtree(src, ignore_errors=True)
        for i in range(IDLE_FILES):
            d = src / f"job{i % 100:03d}"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"rank{i:04d}.log").write_text(f"rank {i} started\n")
        (src / ".complete").touch()
    shutil.rmtree(work / "ids", ignore_errors=True)
    cmd = [sys.executable, "-m", "logpipe", "watch", str(src), "--to", str(work / "ids"),
           "--state-dir", str(work / "ist"), "--log-level", "error"]  # fmt: skip
    proc = subprocess.Popen(cmd)
    try:
        time.sleep(15.0)  # start, ingest the 5,000 files once
        before = _cpu(proc.pid)
        time.sleep(seconds)
        used = _cpu(proc.pid) - before
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    return used / seconds


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _size(text: str) -> int:
    m = re.fullmatch(r"(\d+)([KMG]?)", text.upper().removesuffix("B"))
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text}")
    return int(m.group(1)) * {"": 1, "K": 10**3, "M": 10**6, "G": 10**9}[m.group(2)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=_size, default=_size(os.environ.get("BENCH_SIZE", "1G")))
    parser.add_argument("--appends", type=int, default=40)
    parser.add_argument("--idle-seconds", type=float, default=20.0)
    args, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    root = tree(args.size)
    mb = sum(p.stat().st_size for p in files_of(root)) / 1e6
    work = DATA / "work"
    print(f"tree: {len(files_of(root))} files, {mb:,.0f} MB (logrus + NCCL lines)")
    (sync_s, sync_cpu), rss = logpipe_sync(root, work / "sync")
    loop_s, loop_cpu = timed(lambda: python_loop(root, fresh(work / "loop")))
    duck_s, duck_cpu = timed(lambda: duckdb_sql(root, fresh(work / "duck")))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a shared machine)")
    print(f"logpipe sync     {mb / sync_s:7.1f} MB/s  {sync_s:6.2f} s  cpu {sync_cpu:6.2f} s  "
          f"peak RSS {rss:.0f} MB")  # fmt: skip
    others = (("python for-line", loop_s, loop_cpu), ("duckdb read_csv", duck_s, duck_cpu))
    for name, wall, cpu in others:
        print(f"{name:16s} {mb / wall:7.1f} MB/s  {wall:6.2f} s  cpu {cpu:6.2f} s  -> sync is "
              f"{wall / sync_s:.1f}x faster ({cpu / sync_cpu:.1f}x less CPU)")  # fmt: skip
    print("targets: sync >= 100 MB/s, >= 10x python, >= 4x duckdb, peak RSS < 500 MB")
    lat = watch_latency(work / "watch", args.appends)
    p95 = lat[int(0.95 * (len(lat) - 1))]
    print(f"watch append->visible: p50 {lat[len(lat) // 2]:.2f} s, p95 {p95:.2f} s "
          f"(target p95 <= 2 s; {len(lat)} appends)")  # fmt: skip
    share = idle_cpu(work, args.idle_seconds)
    print(f"watch of {IDLE_FILES:,} idle files: {100 * share:.1f}% of a core (target < 5%)")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(the benchmark process itself, baselines included, peaked at {own:.0f} MB)")


if __name__ == "__main__":
    main()
