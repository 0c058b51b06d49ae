"""``logpipe sample DIR``: write the sample logs of a simulated GPU cluster."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from logpipe import sample

__all__ = ["register"]


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "sample",
        help="write sample logs of a simulated GPU cluster (one folder per host)",
        description=sample.__doc__,
    )
    parser.add_argument("dir", type=Path, help="where to write (created; existing files replaced)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    written = sample.generate(args.dir, seed=args.seed)
    size = sum(p.stat().st_size for p in written)
    hosts = sorted({p.relative_to(args.dir).parts[0] for p in written})
    print(
        f"wrote {len(written)} files ({size / 1e6:.1f} MB) for {len(hosts)} hosts under {args.dir}"
    )
    for host in hosts:
        print(f"  {args.dir / host}")
    return 0
