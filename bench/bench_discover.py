"""Benchmark discover against ``rsync -r --dry-run`` listing the same 5,000-file tree."""

from __future__ import annotations

import functools
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from logpipe.ingest.discover import discover
from logpipe.ingest.rules import DEFAULT_RULES, FilterRules, Rule

DATA = Path(__file__).resolve().parent / ".data" / "discover"
FILES = 5000
REPEAT = 7
SUFFIXES = (".log", ".log.1", ".log.2.gz", ".txt", ".log", ".json", ".log", ".out")

RULE_SETS: dict[str, tuple[Rule, ...]] = {
    "default idiom (3 rules)": DEFAULT_RULES,
    "12 rules, ** and classes": (
        Rule("exclude", "*.gz"),
        Rule("exclude", "/host[0-1]/job0/"),
        Rule("exclude", "**/rank4/*.out"),
        Rule("include", "job[2-4]/**/*.log.[0-9]"),
        Rule("exclude", "*.log.[0-9]"),
        Rule("exclude", ".cache/"),
        Rule("include", "*[[:digit:]].log"),
        Rule("include", "*.json"),
        Rule("exclude", "*.txt"),
        Rule("include", "*/"),
        Rule("include", "*.log"),
        Rule("exclude", "*"),
    ),
}


def build_tree(root: Path) -> None:
    """10 hosts x 10 jobs x 5 ranks x 10 files, plus a deep path: 5,000+ files in 600 dirs."""
    marker = root / ".complete"
    if marker.exists():
        return
    shutil.rmtree(root, ignore_errors=True)
    count = 0
    for host in range(10):
        for job in range(10):
            for rank in range(5):
                folder = root / f"host{host}" / f"job{job}" / f"rank{rank}"
                folder.mkdir(parents=True)
                for k in range(10):
                    (folder / f"proc{k}{SUFFIXES[(count + k) % len(SUFFIXES)]}").write_bytes(b"")
                count += 10
    deep = root.joinpath(*(f"d{i}" for i in range(20)))
    deep.mkdir(parents=True)
    (deep / "deep.log").write_bytes(b"")
    marker.write_bytes(b"")


def rsync_list(root: Path, rules: Sequence[Rule]) -> list[str]:
    """The files ``rsync -r --dry-run`` selects (names as rsync prints them)."""
    with tempfile.TemporaryDirectory() as dest:
        argv = ["rsync", "-r", "--dry-run", "--out-format=@@%n"]
        argv += [f"--{r.kind}={r.pattern}" for r in rules]
        out = subprocess.run(
            [*argv, f"{root}/", f"{dest}/"], capture_output=True, text=True, check=True
        ).stdout
    return sorted(
        line[2:] for line in out.splitlines() if line.startswith("@@") and line[-1] != "/"
    )


def count_found(rules: FilterRules) -> int:
    return sum(1 for _ in discover(DATA, rules))


def median_seconds(run: Callable[[], object]) -> float:
    run()  # warm the page cache and the imports
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    if shutil.which("rsync") is None:
        print("rsync is not installed: nothing to compare with")
        return
    build_tree(DATA)
    total = sum(len(files) for _, _, files in os.walk(DATA)) - 1
    print(f"tree: {total} files under {DATA} (median of {REPEAT} runs each)")
    t_floor = median_seconds(lambda: sum(len(files) for _, _, files in os.walk(DATA)))
    print(f"floor: os.walk naming every file, no rules, no stat: {t_floor * 1e3:.1f} ms")
    for name, rules in RULE_SETS.items():
        compiled = FilterRules(rules)
        ours = [f.relpath for f in discover(DATA, compiled)]
        same = ours == rsync_list(DATA, rules)
        t_ours = median_seconds(functools.partial(count_found, compiled))
        t_rsync = median_seconds(functools.partial(rsync_list, DATA, rules))
        print(
            f"{name}: {len(ours)} selected, same as rsync: {'yes' if same else 'NO'}\n"
            f"  discover {t_ours * 1e3:6.1f} ms ({total / t_ours:,.0f} files walked/s)"
            f"   rsync -r --dry-run {t_rsync * 1e3:6.1f} ms"
            f"   ratio rsync/discover {t_rsync / t_ours:.2f}x"
        )


if __name__ == "__main__":
    main()
