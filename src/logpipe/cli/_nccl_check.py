"""``logpipe nccl check``: the bring-up check; exit 1 naming each connection that fails it."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from typing import Any, TextIO

import duckdb

from logpipe import errors, query
from logpipe.cli._nccl_report import gdr_text
from logpipe.cli._output import Report
from logpipe.cli.query import snapshot_arg
from logpipe.query import nccl

__all__ = ["add_check", "check_command"]


def _expectations(args: argparse.Namespace) -> nccl.Expectations:
    asked = nccl.Expectations(
        net=args.expect_net,
        gdr=args.expect_gdr,
        no_socket=args.no_socket_fallback,
        min_channels=args.min_channels,
        run=args.run,
    )
    if asked.empty:  # nothing asked: the nv_peer_mem test
        return nccl.Expectations(net=nccl.BRING_UP.net, gdr=nccl.BRING_UP.gdr, run=args.run)
    return asked


@contextlib.contextmanager
def _open(args: argparse.Namespace) -> Iterator[duckdb.DuckDBPyConnection]:
    datasets = [p for p in args.paths if nccl.is_dataset(p)]
    if datasets and len(args.paths) > 1:
        raise errors.ConfigError("give one DATASET, or log files and folders, not both")
    if datasets:
        with query.connect(datasets[0], snapshot=args.snapshot) as con:
            yield con
    else:
        with nccl.open_logs(args.paths) as con:
            yield con


def _at(rank: int | None, host: str | None) -> str:
    return "-" if rank is None else f"{rank}@{host or '?'}"


def _n(count: int | None, word: str) -> str:
    """``1 rank``, ``16 ranks``, ``? channels``."""
    return f"{'?' if count is None else count} {word}{'' if count == 1 else 's'}"


def _verdict(report: Report, v: nccl.RunVerdict) -> None:
    facts = (
        f"NCCL {v.version or '?'}, {_n(v.nranks, 'rank')} on {_n(v.nhosts, 'host')}, "
        f"{_n(v.nchannels, 'channel')}"
    )
    gdr = gdr_text(v.inter_node, v.inter_node_gdr)
    if v.ok:
        report.line(f"PASS  {v.run_id}  {facts}; inter-node GDR {gdr}", style="green")
        return
    failing = f"{_n(len(v.violations), 'connection')} failing"
    report.line(f"FAIL  {v.run_id}  {facts}; {failing}", style="bold red")
    for problem in v.problems:
        report.line(f"      {problem}", style="red")
    if v.violations:
        report.table(
            ("channel", "connection", "logged by", "transport", "why"),
            [
                (
                    f"{e.channel:02d}",
                    f"{_at(e.rank, e.rank_host)} -> {_at(e.peer, e.peer_host)}",
                    f"{e.logged_by} [{e.direction}]" if e.direction else e.logged_by,
                    e.transport,
                    "; ".join(e.reasons),
                )
                for e in v.violations
            ],
        )


def check_command(
    args: argparse.Namespace, *, out: TextIO | None = None, tty: bool | None = None
) -> int:
    """0 when every run passes, 1 when one fails or there is nothing to check."""
    expect = _expectations(args)
    report = Report(out, tty=tty)
    with _open(args) as con:
        verdicts = nccl.check(con, expect)
    report.line("checks: " + ", ".join(expect.describe()))
    if not verdicts:
        where = f"run {expect.run}" if expect.run else "these logs"
        report.line(
            f"FAIL  no NCCL connection records in {where} to check "
            "(were the jobs run with NCCL_DEBUG=INFO?)",
            style="bold red",
        )
        return 1
    for verdict in verdicts:
        _verdict(report, verdict)
    failed = sum(not v.ok for v in verdicts)
    report.line(f"{failed} of {len(verdicts)} runs failed" if failed else "all runs passed")
    report.flush()
    return 1 if failed else 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def add_check(group: Any) -> None:
    parser = group.add_parser(
        "check",
        help="bring-up check: exit 1 naming each NCCL connection that misses expectations",
        description=(
            "Check every NCCL run of a dataset, or of raw log files and folders (landed in a "
            "temporary dataset first; a folder gives its *.log, *.out, *.err, *.txt and nccl* "
            "files). Without options: every inter-node connection via NET/IB with GPUDirect "
            "RDMA (the nv_peer_mem test). Exit 0: all pass; 1: a run fails (each failing "
            "connection is listed) or no connection was logged; 2: usage or dataset error."
        ),
    )
    parser.add_argument("paths", nargs="+", metavar="DATASET|LOGS", help="dataset, or logs")
    parser.add_argument("--expect-net", metavar="NET", help="inter-node network (IB, Socket...)")
    parser.add_argument(
        "--expect-gdr", action="store_true", help="inter-node connections use GPUDirect RDMA"
    )
    parser.add_argument(
        "--no-socket-fallback", action="store_true", help="no connection via NET/Socket"
    )
    parser.add_argument("--min-channels", type=_positive, metavar="N", help="channels per run")
    parser.add_argument("--run", metavar="ID", help="check one run only")
    parser.add_argument(
        "--snapshot", type=snapshot_arg, metavar="VERSION|TIME", help="read this Delta version"
    )
    parser.set_defaults(func=check_command)
