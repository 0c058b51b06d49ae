"""Realistic sample logs of a simulated GPU cluster: NCCL, a Go sidecar, a Python trainer.

Two jobs on four 8-GPU hosts: job 4242 runs NCCL 2.27.5 on ``gpu-node-01``/``02`` with
GPUDirect RDMA everywhere; job 4177 ran an older container (NCCL 2.4.8) on
``gpu-node-03``/``04``, where ``gpu-node-04`` lost InfiniBand and fell back to sockets
(the job's mpirun output, all 16 ranks, is kept on its launch node ``gpu-node-03``).
Each host is one folder (one ``logpipe sync`` source), laid out as a node keeps it.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import UTC as _UTC
from datetime import datetime
from pathlib import Path

from logpipe.sample import _nccl, _services

__all__ = ["HOSTS", "generate"]

HOSTS = ("gpu-node-01", "gpu-node-02", "gpu-node-03", "gpu-node-04")


def _write(path: Path, lines: Iterable[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for line in lines:
            fh.write(line if line.endswith("\n") else line + "\n")
    return path


def _interleave(streams: list[list[str]], rng: random.Random) -> Iterator[str]:
    """Merge per-process outputs as a shared stdout does: each in order, randomly mixed."""
    positions = [0] * len(streams)
    live = [i for i, s in enumerate(streams) if s]
    while live:
        i = rng.choice(live)
        yield streams[i][positions[i]]
        positions[i] += 1
        if positions[i] == len(streams[i]):
            live.remove(i)


def _recent_job(root: Path, seed: int) -> list[Path]:
    """Job 4242: NCCL_DEBUG_FILE per process, trainer output through ``torchrun --tee``."""
    job = _nccl.NcclJob(
        4242, HOSTS[:2], "2.27.5", datetime(2026, 11, 20, 9, 0, tzinfo=_UTC), seed=seed
    )
    written = []
    for rank in range(job.nranks):
        host = job.host_of(rank)
        name = f"nccl.{host}.{job.pid_of(rank)}.log"
        written.append(_write(root / host / "jobs/job-4242" / name, job.rank_lines(rank)))
    for host_index, host in enumerate(job.hosts):
        tagged: list[tuple[str, str]] = []
        for local in range(job.gpus):
            rank = host_index * job.gpus + local
            for line in _services.trainer_lines(rank, job.start, steps=60, nccl_warn_at=41):
                tagged.append((line, f"[default{local}]:{line}"))
        tagged.sort()  # lines start with time=...: sorting interleaves ranks by time
        written.append(_write(root / host / "jobs/job-4242/train.log", (t for _, t in tagged)))
    return written


def _legacy_job(root: Path, seed: int) -> list[Path]:
    """Job 4177: NCCL 2.4.8 writing to stdout, gathered by ``mpirun --tag-output``.

    mpirun forwards every rank's stdout, from every host, to its own: the whole job's
    output lands in one file on the launch node (``gpu-node-03``).
    """
    job = _nccl.NcclJob(
        4177,
        HOSTS[2:],
        "2.4.8",
        datetime(2026, 11, 18, 14, 0, tzinfo=_UTC),
        socket_hosts=frozenset({"gpu-node-04"}),
        seed=seed,
    )
    streams = []
    for rank in range(job.nranks):
        lines = list(job.rank_lines(rank))
        if rank == 0:  # rank 0's process prints the bare version line to stdout
            lines.insert(0, job.version_line())
        tag = f"[1,{rank}]<stdout>:"  # mpirun tags every physical line
        streams.append([tag + item.replace("\n", "\n" + tag) for item in lines])
    merged = _interleave(streams, random.Random(f"{seed}/{job.job_id}"))
    return [_write(root / job.hosts[0] / "jobs/job-4177/train.log", merged)]


def generate(root: Path, *, seed: int = 0) -> list[Path]:
    """Write the sample tree under ``root`` (one folder per host); return the files written."""
    written = _recent_job(root, seed) + _legacy_job(root, seed)
    for host in HOSTS:
        start = datetime(2026, 11, 18, 13, 55, tzinfo=_UTC)
        minutes = 3 * 24 * 60 // 8  # the agents ran over both jobs
        written.append(
            _write(
                root / host / "agent/gpu-agent.log",
                _services.agent_lines(host, start, minutes, ib_down=host == "gpu-node-04"),
            )
        )
        written.append(
            _write(root / host / "agent/exporter.log", _services.exporter_lines(host, start, 240))
        )
    return sorted(written)
