"""NCCL answers over a connection: run overview, ring segments and the bring-up check.

``check`` is the cluster bring-up test (the ``nv_peer_mem`` one: every inter-node
connection ``via NET/IB/*/GDRDMA``) over ``nccl_edges`` and ``nccl_runs``. ``open_logs``
lands raw log files or folders in a temporary dataset first, for a job's epilogue.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

import duckdb

from logpipe import errors
from logpipe.ingest import config as _config
from logpipe.ingest import rules as _rules
from logpipe.query import connect as _connect
from logpipe.query._report import RingSegment, overview, ring_segments, rows, run_detail

__all__ = [
    "BRING_UP",
    "Expectations",
    "RAW_PATTERNS",
    "RingSegment",
    "RunVerdict",
    "Violation",
    "check",
    "is_dataset",
    "open_logs",
    "overview",
    "ring_segments",
    "rows",
    "run_detail",
    "run_ids",
]


@dataclass(frozen=True, slots=True)
class Expectations:
    """What every run must show; ``run`` limits the check to one run."""

    net: str | None = None  # inter-node NET connections use this network (IB, Socket, ...)
    gdr: bool = False  # inter-node connections use GPUDirect RDMA
    no_socket: bool = False  # no connection at all goes through NET/Socket
    min_channels: int | None = None
    run: str | None = None

    def describe(self) -> list[str]:
        """The checks in words, as the report names them."""
        said = []
        if self.net:
            said.append(f"inter-node network {self.net}")
        if self.gdr:
            said.append("GPUDirect RDMA on inter-node connections")
        if self.no_socket:
            said.append("no socket fallback")
        if self.min_channels is not None:
            said.append(f"at least {self.min_channels} channels")
        return said

    @property
    def empty(self) -> bool:
        return not self.describe()


#: The default check: the ``nv_peer_mem`` test (inter-node edges ``via NET/IB/*/GDRDMA``).
BRING_UP = Expectations(net="IB", gdr=True)


@dataclass(frozen=True, slots=True)
class Violation:
    """One connection record that fails an expectation, and why."""

    run_id: str
    channel: int
    rank: int
    peer: int | None
    rank_host: str | None
    peer_host: str | None
    direction: str | None
    transport: str
    logged_by: int | None
    source: str
    path: str
    lineno: int
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RunVerdict:
    """One run's result: its facts, failing connections and run-level problems."""

    run_id: str
    version: str | None
    nranks: int
    nhosts: int
    nchannels: int | None
    edges: int
    inter_node: int
    inter_node_gdr: int
    violations: tuple[Violation, ...] = ()
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.violations and not self.problems


def run_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every run id of the snapshot, sorted."""
    return [r["run_id"] for r in rows(con, "SELECT run_id FROM nccl_runs ORDER BY run_id")]


_VIOLATIONS = """
SELECT * FROM (
    SELECT run_id, channel, rank, peer, rank_host, peer_host, direction, transport, logged_by,
        source, path, lineno, rec,
        list_filter([
            CASE WHEN $gdr AND inter_node AND NOT gdr THEN 'no GPUDirect RDMA' END,
            CASE WHEN $net IS NOT NULL AND inter_node AND transport_kind = 'NET'
                AND lower(net) <> lower($net) THEN 'network ' || net || ', not ' || $net END,
            CASE WHEN $no_socket AND net = 'Socket' THEN 'socket fallback' END
        ], lambda x: x IS NOT NULL) AS reasons
    FROM nccl_edges
    WHERE $run IS NULL OR run_id = $run
)
WHERE len(reasons) > 0
ORDER BY run_id, channel, source, path, lineno, rec
"""

_RUNS = """
SELECT r.run_id, r.version, r.nranks, r.nhosts, r.nchannels, r.edges,
    coalesce(t.inter_node, 0) AS inter_node, coalesce(t.inter_node_gdr, 0) AS inter_node_gdr
FROM nccl_runs r
LEFT JOIN (
    SELECT run_id, any_value(run_inter_node_edges) AS inter_node,
        any_value(run_inter_node_gdr_edges) AS inter_node_gdr
    FROM nccl_transport_summary GROUP BY run_id
) t USING (run_id)
WHERE r.edges > 0 AND ($run IS NULL OR r.run_id = $run)
ORDER BY r.run_id
"""


def check(con: duckdb.DuckDBPyConnection, expect: Expectations) -> list[RunVerdict]:
    """The verdict of every run with connection records (runs without any cannot be judged).

    An empty list means there was nothing to check: no run printed a connection
    (``NCCL_DEBUG=INFO`` was not set, or the run named by ``expect.run`` is not there).
    """
    params = {
        "gdr": expect.gdr,
        "net": expect.net,
        "no_socket": expect.no_socket,
        "run": expect.run,
    }
    bad: dict[str, list[Violation]] = {}
    names = [f.name for f in fields(Violation) if f.name != "reasons"]
    for row in rows(con, _VIOLATIONS, params):
        v = Violation(**{n: row[n] for n in names}, reasons=tuple(row["reasons"]))
        bad.setdefault(v.run_id, []).append(v)
    verdicts = []
    for run in rows(con, _RUNS, {"run": expect.run}):
        problems: list[str] = []
        have = run["nchannels"]
        if expect.min_channels is not None and (have or 0) < expect.min_channels:
            problems.append(f"{have or 0} channels, fewer than {expect.min_channels}")
        failing = tuple(bad.get(run["run_id"], ()))
        verdicts.append(RunVerdict(**run, violations=failing, problems=tuple(problems)))
    return verdicts


def is_dataset(path: str | Path) -> bool:
    """Whether ``path`` is a Delta table (else it is taken for raw logs)."""
    return (Path(path) / "_delta_log").is_dir()


#: File names taken from a folder of raw logs: the usual suffixes and NCCL_DEBUG_FILE names.
RAW_PATTERNS = ("*.log", "*.out", "*.err", "*.txt", "nccl*")


def _rule_literal(name: str) -> str:
    """An rsync pattern matching exactly ``name`` (escapes only count beside a wildcard)."""
    if not any(c in name for c in "*?["):
        return name
    return "".join("\\" + c if c in "*?[\\" else c for c in name)


def _source(raw: str | Path) -> tuple[Path, list[_rules.Rule]]:
    """The folder to read and the rules that pick ``raw`` (a folder's logs, or one file)."""
    path = Path(raw).expanduser()
    if path.is_dir():
        rules = [_rules.Rule("include", p) for p in (*RAW_PATTERNS, "*/")]
    elif path.is_file():
        rules = [_rules.Rule("include", "/" + _rule_literal(path.name))]
        path = path.parent
    else:
        raise errors.SourceError(f"{raw}: no such file or directory")
    return path.resolve(), [*rules, _rules.Rule("exclude", "*")]


@contextlib.contextmanager
def open_logs(paths: Sequence[str | Path]) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection over raw log files and folders, landed in a temporary dataset.

    A folder contributes its files named like ``RAW_PATTERNS`` at any depth; a file is
    taken whatever its name. The dataset is deleted when the block ends.
    """
    # Here, not at the top: the ingest pipeline (parsers, Delta writer) costs ~40 ms of
    # imports that a check of an existing dataset does not need.
    from logpipe.ingest import sync as _sync  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="logpipe-check-") as tmp:
        dataset = Path(tmp) / "ds"
        names: set[str] = set()
        for n, raw in enumerate(paths):
            root, rules = _source(raw)
            name = root.name or "root"
            name = f"{name}-{n}" if name in names else name
            names.add(name)
            cfg = _config.IngestConfig(
                sources=(_config.SourceSpec(name, root),),
                to=str(dataset),
                rules=tuple(rules),
                state_dir=Path(tmp) / "state",
            )
            report = _sync.sync(cfg)
            for _, file, exc in report.errors:
                raise errors.SourceError(f"cannot read {root / file}: {exc.strerror or exc}")
        if not is_dataset(dataset):
            raise errors.SourceError(f"no log files found in {', '.join(map(str, paths))}")
        con = _connect(dataset)
        try:
            yield con
        finally:
            con.close()
