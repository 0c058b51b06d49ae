"""What ``nccl summary`` and ``nccl rings`` show, read from the views as plain Python values."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

__all__ = ["RingSegment", "overview", "rows", "run_detail", "ring_segments"]


def rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> list[dict[str, Any]]:
    """The result of ``sql`` as dicts (column name -> Python value)."""
    result = con.execute(sql, params if isinstance(params, Mapping) else list(params))
    names = [d[0] for d in result.description or ()]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


# One class per transport whatever the NIC: NET/IB/3/GDRDMA and NET/IB/0(8)/GDRDMA count
# as NET/IB/*/GDRDMA (a host with 8 NICs would otherwise list 8 transports).
_CLASS = r"regexp_replace(transport, '^((?:NET|COLLNET)/.+?)/\d+(?:\(\d+\))?', '\1/*')"

_OVERVIEW = f"""
WITH t AS (
    SELECT run_id, {_CLASS} AS class, sum(edges) AS n,
        any_value(run_inter_node_edges) AS inter_node,
        any_value(run_inter_node_gdr_edges) AS inter_node_gdr
    FROM nccl_transport_summary GROUP BY run_id, class
), per_run AS (
    SELECT run_id, list({{'transport': class, 'edges': n}} ORDER BY n DESC, class) AS transports,
        max(inter_node) AS inter_node, max(inter_node_gdr) AS inter_node_gdr
    FROM t GROUP BY run_id
)
SELECT r.*, coalesce(p.transports, []) AS transports,
    coalesce(p.inter_node, 0) AS inter_node, coalesce(p.inter_node_gdr, 0) AS inter_node_gdr
FROM nccl_runs r LEFT JOIN per_run p USING (run_id)
WHERE $run IS NULL OR r.run_id = $run
ORDER BY r.start_time NULLS LAST, r.run_id
"""


def overview(con: duckdb.DuckDBPyConnection, run: str | None = None) -> list[dict[str, Any]]:
    """``nccl_runs`` rows, each with ``transports`` ({transport, edges} by NIC-less class,
    most used first) and its inter-node connections with and without GPUDirect RDMA."""
    return rows(con, _OVERVIEW, {"run": run})


def run_detail(con: duckdb.DuckDBPyConnection, run: str) -> dict[str, list[dict[str, Any]]]:
    """A run's transports, ranks and warnings."""
    where = {"run": run}
    return {
        "transports": rows(
            con,
            "SELECT transport, edges, share, inter_node_edges, gdr_edges "
            "FROM nccl_transport_summary WHERE run_id = $run ORDER BY edges DESC, transport",
            where,
        ),
        "ranks": rows(
            con,
            "SELECT rank, host, pid, cuda_dev, bus_id, nics FROM nccl_ranks "
            "WHERE run_id = $run ORDER BY rank",
            where,
        ),
        "warnings": rows(
            con,
            "SELECT ts, host, pid, src_file, src_line, message FROM nccl_warnings "
            "WHERE run_id = $run ORDER BY ts NULLS LAST, source, path, lineno",
            where,
        ),
    }


@dataclass(frozen=True, slots=True)
class RingSegment:
    """Consecutive hops of one ring that stay alike: same transport, same host boundary."""

    channel: int
    first: int
    first_host: str | None
    last: int
    last_host: str | None
    hops: int
    transport: str | None  # None: no connection record was found for these hops
    gdr: bool | None
    inter_node: bool | None


def _alike(seg: RingSegment, hop: dict[str, Any]) -> bool:
    return (
        seg.channel == hop["channel"]
        and not seg.inter_node
        and not hop["inter_node"]
        and seg.transport == hop["transport"]
        and seg.last_host == hop["host"]
        and hop["host"] == hop["next_host"]
    )


def ring_segments(
    con: duckdb.DuckDBPyConnection, run: str, *, fold: bool = True
) -> list[RingSegment]:
    """The rings of ``run`` hop by hop; with ``fold``, alike intra-node hops in a row as one."""
    hops = rows(
        con,
        "SELECT * FROM nccl_ring_hops WHERE run_id = $run ORDER BY channel, position",
        {"run": run},
    )
    out: list[RingSegment] = []
    for hop in hops:
        if fold and out and _alike(out[-1], hop):
            last = out[-1]
            out[-1] = dataclasses.replace(
                last, last=hop["next_rank"], last_host=hop["next_host"], hops=last.hops + 1
            )
            continue
        out.append(
            RingSegment(
                channel=hop["channel"],
                first=hop["rank"],
                first_host=hop["host"],
                last=hop["next_rank"],
                last_host=hop["next_host"],
                hops=1,
                transport=hop["transport"],
                gdr=hop["gdr"],
                inter_node=hop["inter_node"],
            )
        )
    return out
