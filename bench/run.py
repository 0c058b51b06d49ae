"""Run every benchmark in ``bench/`` (or those named): ``python bench/run.py [NAME...] [--opt]``.

Each ``bench/bench_<name>.py`` exposes ``main() -> None`` and prints ratios against a
baseline measured in the same run (absolute times drift on shared machines). Options
after the names (``--size 200M``) are left in ``sys.argv`` for the benchmarks to read.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(args: list[str]) -> int:
    first_option = next((i for i, a in enumerate(args) if a.startswith("-")), len(args))
    names = args[:first_option]
    found = {p.stem.removeprefix("bench_"): p for p in sorted(HERE.glob("bench_*.py"))}
    unknown = [n for n in names if n not in found]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; available: {sorted(found)}", file=sys.stderr)
        return 2
    for name in names or sorted(found):
        print(f"== {name} ==", flush=True)
        load(found[name]).main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
