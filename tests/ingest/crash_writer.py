"""A log-writing process for the crash test: appends, rotates, copytruncates, truncates.

Run as ``python -m tests.ingest.crash_writer SRC JOURNAL SEED``; on SIGTERM it
finishes its lines and writes a JSON journal of every line it wrote: per content
stream its lines as (offset, text) and whether a plain truncation destroyed it.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BASES = ("api", "worker", "nccl")


@dataclass
class Content:
    """What one file generation received."""

    ident: int
    path: Path
    offset: int = 0
    lines: list[tuple[int, str]] = field(default_factory=list)
    destroyed: bool = False
    half: bytes = b""  # the rest of a line whose first half is already written


class Writer:
    def __init__(self, root: Path, seed: int) -> None:
        self.root, self.rng = root, random.Random(seed)
        self.all: list[Content] = []
        self.now: dict[str, Content] = {b: self._new(root / f"{b}.log") for b in BASES}
        self.rotations = 0

    def _new(self, path: Path) -> Content:
        content = Content(len(self.all), path)
        self.all.append(content)
        path.touch()
        return content

    def _write(self, c: Content, data: bytes) -> None:
        with c.path.open("ab") as fh:
            fh.write(data)

    def _finish(self, c: Content) -> None:
        if c.half:
            self._write(c, c.half)
            c.half = b""

    def append(self, base: str) -> None:
        c = self.now[base]
        self._finish(c)
        for _ in range(self.rng.randint(1, 4)):
            text = f"{base} c{c.ident} n{len(c.lines)} " + "x" * self.rng.randint(0, 120)
            data = (text + "\n").encode()
            c.lines.append((c.offset, text))
            c.offset += len(data)
            if self.rng.random() < 0.1:  # half a line now, the rest later
                cut = self.rng.randint(1, len(data) - 1)
                data, c.half = data[:cut], data[cut:]
                self._write(c, data)
                return
            self._write(c, data)

    def rotate(self, base: str, how: str) -> None:
        c = self.now[base]
        self._finish(c)
        self.rotations += 1
        live = self.root / f"{base}.log"
        rotated = self.root / f"{base}-{self.rotations}.log"
        if how == "rename":
            live.rename(rotated)
            c.path = rotated
        elif how == "copytruncate":
            shutil.copyfile(live, rotated)
            os.truncate(live, 0)
            c.path = rotated
        else:  # plain truncation: what was not taken yet is gone
            os.truncate(live, 0)
            c.destroyed = True
        self.now[base] = self._new(live)

    def step(self) -> None:
        base = self.rng.choice(BASES)
        r = self.rng.random()
        if r < 0.95:
            self.append(base)
        elif r < 0.975:
            self.rotate(base, "rename")
        elif r < 0.995:
            self.rotate(base, "copytruncate")
        else:
            self.rotate(base, "truncate")

    def journal(self) -> list[dict[str, object]]:
        for c in self.now.values():
            self._finish(c)
        return [{"id": c.ident, "destroyed": c.destroyed, "lines": c.lines} for c in self.all]


def main(argv: list[str]) -> int:
    root, journal, seed = Path(argv[0]), Path(argv[1]), int(argv[2])
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    writer = Writer(root, seed)
    while not stop:
        writer.step()
        time.sleep(writer.rng.uniform(0.001, 0.008))
    journal.write_text(json.dumps(writer.journal()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
