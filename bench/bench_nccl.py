"""NCCL column throughput: vectorized ``nccl_column`` against the ``parse_nccl`` loop.

Two generated mixes (cached under ``bench/.data/``), each 25% NCCL lines among
logrus-like service lines:

* ``job``: a simulated 8 hosts x 8 GPUs job: connections follow per-channel rings (P2P
  inside a host, NET/IB with GDR between hosts), collectives with increasing opCount,
  tuning, init, trees, ring order, network, env, WARN with error traces, launcher tags,
  spliced lines. Messages repeat the way real logs repeat them.
* ``distinct``: the same families with random values, so nearly every message differs
  (the worst case for the per-distinct-message parsing).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from logpipe.parsers.nccl import nccl_column, nccl_tests_mask, parse_nccl

DATA = Path(__file__).resolve().parent / ".data"
MIXES = {"job": 48 << 20, "distinct": 24 << 20}
BATCH_LINES = 100_000
SMALL_BATCH = 10_000  # fixed costs per batch show here
REFERENCE_LINES = 60_000
HOSTS, GPUS, CHANNELS = 8, 8, 16
RANKS = HOSTS * GPUS


class _Job:
    """Message generator of one simulated job (``distinct``: random values instead)."""

    def __init__(self, rng: random.Random, distinct: bool) -> None:
        self.rng, self.distinct, self.op_count = rng, distinct, [0] * RANKS

    def _peer(self, rank: int, channel: int) -> int:
        if self.distinct:
            return self.rng.randrange(RANKS)
        order = sorted(range(RANKS), key=lambda r: (r % GPUS + channel) % GPUS * HOSTS + r // GPUS)
        return order[(order.index(rank) + 1) % RANKS]

    def edge(self, rank: int) -> str:
        channel = self.rng.randrange(CHANNELS)
        peer = self._peer(rank, channel)
        if peer // GPUS == rank // GPUS:
            head = f"Channel {channel:02d}/0 : {rank}[{rank % 8}] -> {peer}[{peer % 8}]"
            return head + " via P2P/CUMEM/read"
        way, a, b = self.rng.choice([("send", rank, peer), ("receive", peer, rank)])
        nic = rank % 4 if not self.distinct else self.rng.randrange(8)
        head = f"Channel {channel:02d}/0 : {a}[{a % 8}] -> {b}[{b % 8}]"
        return f"{head} [{way}] via NET/IB/{nic}/GDRDMA"

    def coll(self, rank: int) -> str:
        self.op_count[rank] += 1
        buf = 0x7F0000000000 + (self.rng.randrange(1 << 30) if self.distinct else rank << 24)
        count = 1 << self.rng.randrange(4, 28)
        return (
            f"AllReduce: opCount {self.op_count[rank]:x} sendbuff 0x{buf:x} recvbuff 0x{buf:x} "
            f"count {count} datatype 7 op 0 root 0 comm 0x55d5f5ac{rank:04x} [nranks={RANKS}] "
            f"stream 0x55d5f4d5{rank:04x}"
        )

    def other(self, rank: int) -> str:
        rng = self.rng
        n = rng.random()
        if n < 0.3:
            size = 1 << rng.randrange(4, 28) if not self.distinct else rng.randrange(1 << 30)
            lo_hi = f"channel{{Lo..Hi}}={{0..{CHANNELS - 1}}}"
            return f"AllReduce: {size} Bytes -> Algo RING proto SIMPLE {lo_hi}"
        if n < 0.4:
            dev = f"cudaDev {rank % 8} nvmlDev {rank % 8} busId {rank % 8}a000"
            return (
                f"ncclCommInitRank comm 0x55d5f5ac{rank:04x} rank {rank} nranks {RANKS} {dev} "
                "commId 0x45a3a89de169ea18 - Init COMPLETE"
            )
        if n < 0.5:
            up = rank - 1 if not self.distinct else rng.randrange(RANKS)
            return "Trees" + "".join(f" [{c}] {rank + 1}/-1/-1->{rank}->{up}" for c in range(8))
        if n < 0.6:
            ranks = "".join(f" {r:3d}" for r in range(16))
            return f"Channel {rng.randrange(CHANNELS):02d}/{CHANNELS} :{ranks}"
        if n < 0.7:
            return f"transport/net.cc:{rng.randrange(2000) if self.distinct else 1227} -> 6"
        return rng.choice(
            [
                "Connected all rings",
                "threadThresholds 8/8/64 | 128/8/64 | 512 | 512",
                f"{CHANNELS} coll channels, {CHANNELS} collnet channels, 0 nvls channels, "
                f"{CHANNELS} p2p channels, 2 p2p channels per peer",
                "NET/IB : Using [0]mlx5_0:1/IB [1]mlx5_1:1/IB [2]mlx5_2:1/IB [3]mlx5_3:1/IB "
                "[RO]; OOB eth0:10.0.0.1<0>",
                "NCCL_IB_HCA set by environment to mlx5",
                "Using network IB",
                f"[Proxy Progress] Device {rank % 8} CPU core {rank * 3 % 96}",
                f"Mem Realloc old size 0, new size {rng.randrange(4096)} "
                f"pointer 0x7f{rng.randrange(1 << 32):x}",
            ]
        )


def _nccl_line(rng: random.Random, job: _Job) -> str:
    rank = rng.randrange(RANKS)
    tid = 4000 + rank + rng.choice([0, 0, 31])
    prefix = f"gpu-node-{rank // GPUS}:{4000 + rank}:{tid} [{rank % GPUS}]"
    n = rng.random()
    if n < 0.01:
        return (
            f"[2026-03-03 12:35:26] {prefix} transport/net_ib.cc:2453 NCCL WARN NET/IB : Got "
            f"completion from peer 10.0.0.{rank}<4000> with error 12, opcode 0, len 0, "
            "vendor err 129"
        )
    if n < 0.015:  # two processes writing one file: records spliced
        return f"{prefix} NCCL INFO comm 0x1 rank {rank} nranks {prefix} NCCL INFO {job.edge(rank)}"
    kind = rng.random()
    msg = job.edge(rank) if kind < 0.4 else job.coll(rank) if kind < 0.6 else job.other(rank)
    return f"{rng.choice(['', '', '', '[1,3]<stdout>:', '[default3]:'])}{prefix} NCCL INFO {msg}"


def _logrus_line(rng: random.Random) -> str:
    level = rng.choice(["info", "info", "warning", "debug", "error"])
    return (
        f'time="2024-05-01T10:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z" level={level} '
        f'msg="request served" component=sidecar path=/api/v1/jobs/{rng.randrange(10**6)} '
        f"status={rng.choice([200, 200, 404, 500])} duration={rng.random() * 100:.3f}ms"
    )


def generate(path: Path, target: int, *, distinct: bool) -> None:
    """Write about ``target`` bytes of the mix to ``path``."""
    rng = random.Random(20240501)
    job = _Job(rng, distinct)
    path.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with path.open("w") as fh:
        while size < target:
            line = _nccl_line(rng, job) if rng.random() < 0.25 else _logrus_line(rng)
            fh.write(line + "\n")
            size += len(line) + 1


def _rate(megabytes: float, work: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return megabytes / best


def _mix(name: str, target: int) -> None:
    path = DATA / f"nccl_{name}_v2.log"
    if not path.exists():
        generate(path, target, distinct=name == "distinct")
    lines = path.read_text().split("\n")[:-1]
    batches = [pa.array(lines[i : i + BATCH_LINES]) for i in range(0, len(lines), BATCH_LINES)]
    total = sum(len(x) + 1 for x in lines) / 1e6
    sample = lines[:REFERENCE_LINES]
    sample_mb = sum(len(x) + 1 for x in sample) / 1e6
    share = sum(1 for x in sample if "NCCL " in x) / len(sample)
    print(f"  mix {name}: {len(lines)} lines, {total:.1f} MB, {share:.0%} NCCL lines")
    reference = _rate(sample_mb, lambda: [parse_nccl(x) for x in sample], repeat=1)
    vector = _rate(total, lambda: [nccl_column(b) for b in batches])
    small = [pa.array(sample[i : i + SMALL_BATCH]) for i in range(0, len(sample), SMALL_BATCH)]
    vector_small = _rate(sample_mb, lambda: [nccl_column(b) for b in small])
    mask = _rate(total, lambda: [nccl_tests_mask(b) for b in batches])
    print(f"    reference parse_nccl loop          {reference:8.1f} MB/s")
    print(f"    nccl_column ({BATCH_LINES} lines/batch) {vector:8.1f} MB/s")
    print(f"    nccl_column ({SMALL_BATCH} lines/batch)   {vector_small:8.1f} MB/s")
    print(f"    nccl_tests_mask                    {mask:8.1f} MB/s")
    print(f"    nccl_column / reference: {vector / reference:.1f}x")


def main() -> None:
    for name, target in MIXES.items():
        _mix(name, target)


if __name__ == "__main__":
    main()
