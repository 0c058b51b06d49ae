"""``logpipe nccl summary`` and ``logpipe nccl rings``: runs and rings of a dataset as tables."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from logpipe import errors, query
from logpipe.cli._output import Report
from logpipe.cli.query import snapshot_arg
from logpipe.query import nccl

__all__ = ["add_rings", "add_summary", "gdr_text", "rings_command", "summary_command"]


def gdr_text(inter_node: int, with_gdr: int) -> str:
    """``16/16 (100%)``: inter-node connections using GPUDirect RDMA; ``-`` when none."""
    if not inter_node:
        return "-"
    return f"{with_gdr}/{inter_node} ({100 * with_gdr // inter_node}%)"


def _hosts(hosts: list[str]) -> str:
    return ", ".join(hosts) if len(hosts) <= 3 else f"{hosts[0]} ... {hosts[-1]} ({len(hosts)})"


def _transports(items: list[dict[str, Any]]) -> str:
    return ", ".join(f"{t['transport']} x{t['edges']}" for t in items) or "-"


def _overview(report: Report, runs: list[dict[str, Any]]) -> None:
    columns = (
        "run",
        "NCCL",
        "CUDA",
        "ranks",
        "hosts",
        "channels",
        "transports",
        "inter-node GDR",
        "warnings",
    )
    body, styles = [], []
    for r in runs:
        ranks = (
            f"{r['ranks_seen']}/{r['nranks']}" if r["ranks_seen"] != r["nranks"] else r["nranks"]
        )
        gdr = gdr_text(r["inter_node"], r["inter_node_gdr"])
        body.append(
            (
                r["run_id"],
                r["version"] or "?",
                r["cuda_version"] or "?",
                ranks,
                _hosts(r["hosts"]),
                r["nchannels"],
                _transports(r["transports"]),
                gdr,
                r["warnings"],
            )
        )
        short = r["inter_node_gdr"] < r["inter_node"] or r["warnings"]
        styles.append("yellow" if short else None)
    report.table(columns, body, title="NCCL runs", styles=styles)


def _facts(run: dict[str, Any]) -> list[tuple[str, Any]]:
    span = "-"
    if run["start_time"] is not None:
        span = f"{run['start_time']:%Y-%m-%d %H:%M:%S} .. {run['end_time']:%Y-%m-%d %H:%M:%S}"
    return [
        ("run", run["run_id"]),
        ("identified by", run["id_kind"]),
        ("NCCL version", run["version"] or "(no version line)"),
        ("CUDA", run["cuda_version"] or "?"),
        ("ranks", f"{run['ranks_seen']} seen of {run['nranks']}"),
        ("hosts", ", ".join(run["hosts"])),
        ("channels", run["nchannels"]),
        ("connections", run["edges"]),
        ("inter-node GDR", gdr_text(run["inter_node"], run["inter_node_gdr"])),
        ("time", span),
        ("warnings", run["warnings"]),
        ("files", len(run["files"])),
    ]


def _detail(report: Report, run: dict[str, Any], more: dict[str, list[dict[str, Any]]]) -> None:
    report.table(("fact", "value"), _facts(run), title=f"NCCL run {run['run_id']}")
    report.table(
        ("transport", "connections", "share", "inter-node", "GDR"),
        [
            (t["transport"], t["edges"], f"{t['share']:.0%}", t["inter_node_edges"], t["gdr_edges"])
            for t in more["transports"]
        ],
        title="transports",
    )
    report.table(
        ("rank", "host", "pid", "cudaDev", "busId", "NICs"),
        [tuple(r.values()) for r in more["ranks"]],
        title="ranks",
    )
    if more["warnings"]:
        report.table(
            ("time", "host", "pid", "where", "message"),
            [
                (
                    w["ts"],
                    w["host"],
                    w["pid"],
                    f"{w['src_file'] or '?'}:{w['src_line'] or '?'}",
                    w["message"],
                )
                for w in more["warnings"]
            ],
            title="warnings",
        )


def summary_command(
    args: argparse.Namespace, *, out: TextIO | None = None, tty: bool | None = None
) -> int:
    """Every run (or one, in detail); exit 2 when the run named does not exist."""
    report = Report(out, tty=tty)
    with query.connect(args.dataset, snapshot=args.snapshot) as con:
        runs = nccl.overview(con, args.run)
        if args.run is not None and not runs:
            raise errors.QueryError(f"no run {args.run!r} (runs: {', '.join(nccl.run_ids(con))})")
        if not runs:
            report.line("no NCCL records in this dataset (were the jobs run with NCCL_DEBUG=INFO?)")
        elif args.run is None:
            _overview(report, runs)
        else:
            _detail(report, runs[0], nccl.run_detail(con, args.run))
    report.flush()
    return 0


def _pick_run(con: Any, wanted: str | None) -> str:
    """The run asked for, or the only run with ring-order lines when none is named."""
    ids = nccl.run_ids(con)
    if wanted is not None:
        if wanted not in ids:
            raise errors.QueryError(f"no run {wanted!r} (runs: {', '.join(ids) or 'none'})")
        return wanted
    ringed = [r["run_id"] for r in nccl.rows(con, "SELECT DISTINCT run_id FROM nccl_rings")]
    if len(ringed) != 1:
        raise errors.QueryError(f"name a run with --run (runs with rings: {', '.join(ringed)})")
    return str(ringed[0])


def _at(rank: int, host: str | None) -> str:
    return f"{rank}@{host or '?'}"


def rings_command(
    args: argparse.Namespace, *, out: TextIO | None = None, tty: bool | None = None
) -> int:
    """Each channel's ring as segments of alike hops (every hop with ``--hops``)."""
    report = Report(out, tty=tty)
    with query.connect(args.dataset, snapshot=args.snapshot) as con:
        run = _pick_run(con, args.run)
        rings = nccl.rows(
            con, "SELECT * FROM nccl_rings WHERE run_id = $r ORDER BY channel", {"r": run}
        )
        segments = nccl.ring_segments(con, run, fold=not args.hops)
    if not rings:
        report.line(f"run {run} has no ring-order lines (only rank 0 prints them)")
    for ring in rings:
        mine = [s for s in segments if s.channel == ring["channel"]]
        cut = " (line cut by NCCL)" if ring["truncated"] else ""
        title = f"channel {ring['channel']:02d}: {ring['ring_length']} ranks{cut}"
        body = [
            (
                _at(s.first, s.first_host),
                _at(s.last, s.last_host),
                s.hops,
                s.transport or "? (no connection record)",
                s.gdr,
                s.inter_node,
            )
            for s in mine
        ]
        styles = ["yellow" if s.inter_node and not s.gdr else None for s in mine]
        report.table(
            ("from", "to", "hops", "transport", "GDR", "inter-node"),
            body,
            title=title,
            styles=styles,
        )
    report.flush()
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", metavar="DATASET", help="the Delta table logpipe wrote")
    parser.add_argument("--run", metavar="ID", help="one run (see 'logpipe nccl summary')")
    parser.add_argument(
        "--snapshot", type=snapshot_arg, metavar="VERSION|TIME", help="read this Delta version"
    )


def add_summary(group: Any) -> None:
    parser = group.add_parser(
        "summary",
        help="NCCL runs of a dataset: versions, ranks, hosts, transports, GDR, warnings",
        description="One row per NCCL run; with --run, that run's transports, ranks, warnings.",
    )
    _common(parser)
    parser.set_defaults(func=summary_command)


def add_rings(group: Any) -> None:
    parser = group.add_parser(
        "rings",
        help="ring order per channel and each hop's transport",
        description="The rings of one run (rank 0's ring-order lines) with their transports.",
    )
    _common(parser)
    parser.add_argument("--hops", action="store_true", help="one row per hop, nothing folded")
    parser.set_defaults(func=rings_command)
