"""Line splitting CPU: ``LineSplitter.feed`` against the former numpy/pyarrow passes.

``python bench/run.py split``. A file of about 48 MB (``logpipe.sample``'s cluster logs,
repeated) is generated once under bench/.data/ and read in ``READ_CHUNK`` pieces with
``os.pread``, as ``logpipe sync`` reads on its main thread. Figures are CPU time per MB
beyond the reads themselves, best of a few rounds; the ratio is what compares.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.ingest.lines import DEFAULT_MAX_LINE_BYTES, LineSplitter
from logpipe.ingest.tail import READ_CHUNK
from logpipe.sample import generate

DATA = Path(__file__).resolve().parent / ".data" / "split"
SIZE = 48 << 20
ROUNDS = 3


def sample_file() -> Path:
    """The benchmark file (made once, then reused)."""
    path = DATA / f"sample-{SIZE}.log"
    if not path.exists():
        with tempfile.TemporaryDirectory() as tmp:
            files = sorted(generate(Path(tmp)))
            one = b"".join(p.read_bytes() for p in files)
        DATA.mkdir(parents=True, exist_ok=True)
        path.with_suffix(".tmp").write_bytes(one * (SIZE // len(one) + 1))
        path.with_suffix(".tmp").rename(path)
    return path


def numpy_lines(data: bytes, limit: int) -> int:
    """The former split of one buffer ending with a newline (whole-buffer passes)."""
    newlines = np.flatnonzero(np.frombuffer(data, np.uint8) == 10)
    offsets = np.empty(len(newlines) + 1, np.int32)
    offsets[0], offsets[1:] = 0, newlines + 1
    bufs = [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    with_nl = pa.Array.from_buffers(pa.binary(), len(newlines), bufs)
    lines = pc.binary_slice(with_nl, 0, -1)
    arr = np.frombuffer(data, np.uint8)
    has_cr = (newlines > offsets[:-1]) & (arr[np.maximum(newlines - 1, 0)] == 13)
    if has_cr.any():
        lines = pc.if_else(pa.array(has_cr), pc.binary_slice(with_nl, 0, -2), lines)
    if pc.any(pc.greater(pc.binary_length(lines), limit)).as_py():
        raise ValueError("the baseline covers lines within the limit only")
    starts = np.zeros(len(newlines), np.int64)
    starts[1:] = newlines[:-1] + 1
    pa.array(starts), pa.array(newlines + 1 - starts), pa.nulls(len(newlines), pa.binary())
    return len(lines.cast(pa.string()))


def read(fd: int, size: int, split: Callable[[bytes], int]) -> tuple[float, int]:
    """(CPU seconds, lines) of reading the file in chunks and splitting each."""
    pos = lines = 0
    start = time.process_time()
    while pos < size and (data := os.pread(fd, READ_CHUNK, pos)):
        pos += len(data)
        lines += split(data)
    return time.process_time() - start, lines


def splitter() -> Callable[[bytes], int]:
    sp = LineSplitter(0)
    return lambda data: sum(len(b) for b in sp.feed(data))


def numpy_path() -> Callable[[bytes], int]:
    held = [b""]

    def split(chunk: bytes) -> int:
        data = held[0] + chunk
        last = data.rfind(b"\n") + 1
        held[0] = data[last:]
        return numpy_lines(data[:last], DEFAULT_MAX_LINE_BYTES) if last else 0

    return split


def main() -> None:
    path = sample_file()
    size = path.stat().st_size
    mb = size / (1 << 20)
    fd = os.open(path, os.O_RDONLY)
    try:
        splitter()(os.pread(fd, 1 << 16, 0))  # compile (or load) the kernels
        ways = {"pread": lambda: lambda _: 0, "numpy": numpy_path, "kernel": splitter}
        best = dict.fromkeys(ways, float("inf"))
        counts = {}
        for _ in range(ROUNDS):  # interleaved: load changes hit every way alike
            for name, make in ways.items():
                cpu, counts[name] = read(fd, size, make())
                best[name] = min(best[name], cpu)
    finally:
        os.close(fd)
    if counts["numpy"] != counts["kernel"]:
        raise AssertionError(f"line counts differ: {counts}")
    cost = {name: (best[name] - best["pread"]) * 1e3 / mb for name in ways}
    print(f"{mb:.0f} MB, {counts['kernel']:,} lines, read in {READ_CHUNK >> 20} MB chunks: "
          f"pread alone {best['pread'] * 1e3 / mb:.3f} ms/MB")  # fmt: skip
    print(f"numpy passes    {cost['numpy']:.3f} ms/MB beyond pread")
    print(f"LineSplitter    {cost['kernel']:.3f} ms/MB beyond pread -> "
          f"{cost['numpy'] / cost['kernel']:.1f}x less CPU (target <= 0.5 ms/MB)")  # fmt: skip


if __name__ == "__main__":
    main()
