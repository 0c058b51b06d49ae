"""Walk a source tree and yield the regular files the filter rules select (PLACEHOLDER)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from logpipe.ingest.rules import FilterRules

__all__ = ["Found", "discover"]


@dataclass(frozen=True, slots=True)
class Found:
    """A selected regular file: its ``/``-separated path relative to the root, and its stat."""

    relpath: str
    path: Path
    stat: os.stat_result


def discover(
    root: Path,
    rules: FilterRules,
    *,
    scandir: Callable[[Path], Iterator[os.DirEntry[str]]] = os.scandir,
    on_error: Callable[[Path, OSError], None] | None = None,
) -> Iterator[Found]:
    """Yield selected regular files under ``root`` (symlinks, FIFOs and devices skipped)."""
    stack: list[tuple[Path, str]] = [(root, "")]
    while stack:
        folder, rel = stack.pop()
        try:
            entries = sorted(scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            if on_error is not None:
                on_error(folder, exc)
            continue
        for entry in entries:
            relpath = f"{rel}{entry.name}"
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                if rules.included(relpath, is_dir=True):
                    stack.append((Path(entry.path), relpath + "/"))
            elif stat.S_ISREG(st.st_mode) and rules.included(relpath, is_dir=False):
                yield Found(relpath, Path(entry.path), st)
