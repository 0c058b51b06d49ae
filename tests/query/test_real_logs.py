"""Every real NCCL log landed through ``sync`` reads back through the views as its oracle."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from logpipe import query
from tests import shared
from tests.query.helpers import count, land_files, rows

LOGS = shared.glob("nccl/real", "*.log")


def oracle(path: Path) -> dict[str, Any]:
    expected: dict[str, Any] = json.loads(path.with_suffix(".expected.json").read_text())
    expected.pop("notes")
    return expected


def through_views(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The oracle's fields, each from the public views only."""
    ranks = rows(con, "SELECT DISTINCT rank FROM nccl_ranks ORDER BY 1")
    versions = {r["version"] for r in rows(con, "SELECT version FROM nccl_runs")} - {None}
    assert len(versions) <= 1, versions
    edges = rows(
        con,
        "SELECT channel, rank, peer, direction, transport, gdr FROM nccl_edges "
        "ORDER BY path, lineno, rec",
    )
    counts = rows(
        con,
        "SELECT transport, sum(edges)::INT AS n FROM nccl_transport_summary "
        "GROUP BY transport ORDER BY transport",
    )
    return {
        "nccl_version": versions.pop() if versions else None,
        "ranks_seen": [r["rank"] for r in ranks],
        "ring_edges": edges,
        "tree_lines": count(con, "SELECT count(*) FROM nccl_lines WHERE family = 'trees'"),
        "init_complete": rows(
            con,
            "SELECT rank, nranks, comm FROM nccl_comms "
            "WHERE family = 'init' AND state = 'Init COMPLETE' ORDER BY path, lineno, rec",
        ),
        "warn_count": count(con, "SELECT count(*) FROM nccl_warnings"),
        "transports_count": {r["transport"]: r["n"] for r in counts},
    }


@pytest.fixture
def connect_log(tmp_path: Path) -> Iterator[Any]:
    opened: list[duckdb.DuckDBPyConnection] = []

    def open_one(log: Path) -> duckdb.DuckDBPyConnection:
        con = query.connect(land_files(tmp_path, log))
        opened.append(con)
        return con

    yield open_one
    for con in opened:
        con.close()


@pytest.mark.parametrize("log", shared.params_or_missing(LOGS, [p.name for p in LOGS], "nccl/real"))
def test_views_give_the_oracle(log: Any, connect_log: Any) -> None:
    assert through_views(connect_log(log)) == oracle(log)
