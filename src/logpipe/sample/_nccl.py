"""NCCL debug output of a simulated multi-node job, in the layout of NCCL 2.27 or 2.4."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

__all__ = ["NcclJob"]

# DGX H100 GPU bus ids, in local-rank order (as NCCL prints them: packed hex).
_BUS_IDS = ("18000", "2a000", "3a000", "5d000", "9a000", "ab000", "ba000", "db000")
_NICS = ("mlx5_0", "mlx5_3", "mlx5_4", "mlx5_5", "mlx5_6", "mlx5_9", "mlx5_10", "mlx5_11")
_COLL_SIZES = tuple(2**k for k in range(10, 29, 2))  # 1 KiB .. 256 MiB, in elements of 4 bytes


@dataclass
class NcclJob:
    """One training job: ``hosts`` x ``gpus`` ranks in one ring, one communicator.

    ``socket_hosts`` lost their InfiniBand stack and fell back to ``NET/Socket``;
    ``version`` picks the line layout ("2.27.5" or "2.4.8").
    """

    job_id: int
    hosts: tuple[str, ...]
    version: str
    start: datetime
    gpus: int = 8
    channels: int = 4
    socket_hosts: frozenset[str] = frozenset()
    collectives: int = 40
    seed: int = 0
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(f"{self.seed}/{self.job_id}")
        self.comm_id = f"0x{self._rng.getrandbits(64):016x}"
        self.pids = {h: 30000 + self._rng.randrange(30000) for h in self.hosts}

    @property
    def nranks(self) -> int:
        return len(self.hosts) * self.gpus

    @property
    def legacy(self) -> bool:
        return self.version.startswith("2.4.")

    def host_of(self, rank: int) -> str:
        return self.hosts[rank // self.gpus]

    def pid_of(self, rank: int) -> int:
        return self.pids[self.host_of(rank)] + rank % self.gpus

    def comm_of(self, rank: int) -> str:
        return f"0x55{(int(self.comm_id, 16) >> rank) & 0xFFFFFFFFFF:010x}"

    def prefix(self, rank: int, *, thread: int = 0) -> str:
        """``host:pid:tid [dev]`` of a rank's main (thread 0) or helper thread."""
        pid = self.pid_of(rank)
        return f"{self.host_of(rank)}:{pid}:{pid + thread} [{rank % self.gpus}]"

    def version_line(self) -> str:
        cuda = "10.1" if self.legacy else "12.9"
        return f"NCCL version {self.version}+cuda{cuda}"

    # -- per-rank records -------------------------------------------------------------

    def rank_lines(self, rank: int) -> Iterator[str]:
        """Every NCCL record one rank writes, in order.

        A WARN record starts with the newline NCCL writes before it (one ``fprintf``), so
        an item may hold two physical lines.
        """
        main = self.prefix(rank)
        for msg in self._init_messages(rank):
            yield f"{main} NCCL INFO {msg}"
        helper = self.prefix(rank, thread=1 + self._rng.randrange(900))
        for msg in self._edges(rank):
            yield f"{helper} NCCL INFO {msg}"
        for msg in self._final_messages(rank):
            yield f"{main} NCCL INFO {msg}"
        yield from self._warnings(rank)
        if not self.legacy:
            for msg in self._collectives(rank):
                yield f"{main} NCCL INFO {msg}"

    def _net_using(self, rank: int) -> list[str]:
        host_ip = f"10.0.{self.job_id % 256}.{self.hosts.index(self.host_of(rank)) + 1}"
        if self.host_of(rank) in self.socket_hosts:
            return [
                "NET/IB : No device found.",
                f"NET/Socket : Using [0]eth0:{host_ip}<0>",
            ]
        devs = " ".join(f"[{i}]{nic}:1/IB" for i, nic in enumerate(_NICS[: self.gpus]))
        ro = "" if self.legacy else " [RO]"
        return [f"NET/IB : Using {devs}{ro}; OOB eth0:{host_ip}<0>"]

    def _init_messages(self, rank: int) -> list[str]:
        local = rank % self.gpus
        host_ip = f"10.0.{self.job_id % 256}.{self.hosts.index(self.host_of(rank)) + 1}"
        if self.legacy:
            out = [
                f"Bootstrap : Using [0]eth0:{host_ip}<0>",
                "NET/Plugin : No plugin found (libnccl-net.so).",
                *self._net_using(rank),
                f"Setting affinity for GPU {local} to ffff,ffffffff",
                "Using 256 threads, Min Comp Cap 8, Trees enabled",
            ]
        else:
            net = "Socket" if self.host_of(rank) in self.socket_hosts else "IB"
            out = [
                f"NCCL version {self.version}+cuda12.9",
                f"Bootstrap: Using eth0:{host_ip}<0>",
                "NET/Plugin: Could not find: libnccl-net.so.",
                *self._net_using(rank),
                f"Using network {net}",
                f"ncclCommInitRank comm {self.comm_of(rank)} rank {rank} nranks {self.nranks} "
                f"cudaDev {local} nvmlDev {local} busId {_BUS_IDS[local]} "
                f"commId {self.comm_id} - Init START",
                f"comm {self.comm_of(rank)} rank {rank} nRanks {self.nranks} "
                f"nNodes {len(self.hosts)} localRanks {self.gpus} localRank {local} MNNVL 0",
            ]
        if rank == 0:
            out += list(self._ring_order())
        out.append(self._trees(rank))
        return out

    def _ring_order(self) -> Iterator[str]:
        ranks = range(self.nranks)
        for c in range(self.channels):
            if self.legacy:
                yield f"Channel {c:02d} : " + "".join(f" {r:3d}" for r in ranks)
            else:
                width = len(str(self.nranks - 1))
                yield f"Channel {c:02d}/{self.channels:02d} :" + "".join(
                    f" {r:{width}d}" for r in ranks
                )

    def _trees(self, rank: int) -> str:
        local, node = rank % self.gpus, rank // self.gpus
        nodes = len(self.hosts)
        child = rank + 1 if local < self.gpus - 1 else -1
        # Within a node a chain; node heads form a chain across nodes.
        head_up = (node - 1) * self.gpus if node else -1
        up = rank - 1 if local else head_up
        cross = (node + 1) * self.gpus if local == 0 and node + 1 < nodes else -1
        if self.legacy:  # 2.4: parent->me->c0/c1/c2
            entry = f"{up}->{rank}->{child}/{cross}/-1"
        else:  # 2.8+: c0/c1/c2->me->parent
            entry = f"{child}/{cross}/-1->{rank}->{up}"
        return "Trees " + " ".join(f"[{c}] {entry}" for c in range(self.channels))

    def _transport(self, logger_rank: int) -> str:
        if self.host_of(logger_rank) in self.socket_hosts:
            return "NET/Socket/0"
        nic = 0 if self.legacy else logger_rank % self.gpus
        return f"NET/IB/{nic}/GDRDMA"

    def _dev(self, rank: int) -> str:
        return "" if self.legacy else f"[{rank % self.gpus}]"

    def _edges(self, rank: int) -> Iterator[str]:
        """Connection records logged by ``rank``: ring neighbours, P2P or NET."""
        kw = "Ring" if self.legacy else "Channel"
        nxt, prev = (rank + 1) % self.nranks, (rank - 1) % self.nranks
        for c in range(self.channels):
            chan = f"{kw} {c:02d}" if self.legacy else f"{kw} {c:02d}/0"
            if self.host_of(nxt) == self.host_of(rank):
                p2p = "P2P/IPC" if self.legacy else "P2P/CUMEM/read"
                me, peer = f"{rank}[{rank % self.gpus}]", f"{nxt}[{nxt % self.gpus}]"
                yield f"{chan} : {me} -> {peer} via {p2p}"
            else:
                me, peer = f"{rank}{self._dev(rank)}", f"{nxt}{self._dev(nxt)}"
                yield f"{chan} : {me} -> {peer} [send] via {self._transport(rank)}"
            if self.host_of(prev) != self.host_of(rank):
                src, me = f"{prev}{self._dev(prev)}", f"{rank}{self._dev(rank)}"
                yield f"{chan} : {src} -> {me} [receive] via {self._transport(rank)}"

    def _final_messages(self, rank: int) -> list[str]:
        local = rank % self.gpus
        if self.legacy:
            return [
                f"comm {self.comm_of(rank)} rank {rank} nranks {self.nranks} "
                f"cudaDev {local} nvmlDev {local} - Init COMPLETE",
                "Launch mode Parallel",
            ]
        c = self.channels
        return [
            "Connected all rings, use ring PXN 0 GDR 1",
            "Connected all trees",
            f"{c} coll channels, {c} collnet channels, 0 nvls channels, {c} p2p channels, "
            "1 p2p channels per peer",
            f"ncclCommInitRank comm {self.comm_of(rank)} rank {rank} nranks {self.nranks} "
            f"cudaDev {local} nvmlDev {local} busId {_BUS_IDS[local]} "
            f"commId {self.comm_id} - Init COMPLETE",
            f"Init timings - ncclCommInitRank: rank {rank} nranks {self.nranks} total 1.48 "
            "(kernels 0.25, alloc 0.86, bootstrap 0.20, allgathers 0.01, topo 0.05, "
            "graphs 0.00, connections 0.09, rest 0.02)",
        ]

    def _warnings(self, rank: int) -> Iterator[str]:
        """A few WARN records, each with the newline NCCL writes before it."""
        host = self.host_of(rank)
        if self.legacy and host in self.socket_hosts and rank % self.gpus == 0:
            warn = "misc/ibvwrap.cc:63 NCCL WARN Failed to open libibverbs.so[.1]"
            yield f"\n{self.prefix(rank)} {warn}"
        if not self.legacy and rank == self.nranks - 3:
            when = self.start + timedelta(minutes=41, seconds=7)
            stamp = f"[{when:%Y-%m-%d %H:%M:%S}] "
            peer_ip = f"10.0.{self.job_id % 256}.1"
            yield (
                f"\n{stamp}{self.prefix(rank, thread=77)} transport/net_ib.cc:2453 NCCL WARN "
                f"NET/IB: Got completion from peer {peer_ip}<36473> with status=12 opcode=0 "
                "len=0 vendor err 129 (Send) localGid ::ffff:10.0.0.2 remoteGids::ffff:10.0.0.1"
            )
            yield f"{self.prefix(rank, thread=77)} NCCL INFO transport/net.cc:1227 -> 6"

    def _collectives(self, rank: int) -> Iterator[str]:
        """``NCCL_DEBUG_SUBSYS=COLL`` call records: a few sizes, many steps."""
        rng = random.Random(f"{self.seed}/{self.job_id}/coll")  # same sequence on every rank
        sizes = list(_COLL_SIZES)
        comm = self.comm_of(rank)
        for op_count in range(self.collectives):
            op = "AllReduce" if op_count % 5 else "Broadcast"
            count = rng.choice(sizes)
            yield (
                f"{op}: opCount {op_count:x} sendbuff 0x7f3a{op_count:08x} recvbuff "
                f"0x7f3b{op_count:08x} count {count} datatype 7 op 0 root 0 comm {comm} "
                f"[nranks={self.nranks}] stream 0x{int(comm, 16) + 0x9A0:x}"
            )
