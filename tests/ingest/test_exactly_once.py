"""Property: whatever a log writer does and wherever the daemon crashes, nothing is lost
and nothing is doubled (a step-driven daemon, real files, a real Delta table)."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logpipe.ingest.sink import DeltaSink, commit_files
from tests.ingest.crash_writer import BASES, Writer
from tests.ingest.helpers import Harness, check, table_rows
from tests.strategies import writer_ops


def crash(h: Harness) -> None:
    """What SIGKILL leaves: no shutdown, no commit; the OS closes fds and drops locks."""
    h.daemon.events.stop()
    for f in h.daemon.pipe.followers.values():
        f.close()
    h.daemon.pipe._locks.close()


def failing(mode: str, uri: str) -> DeltaSink:
    def commit(*args: Any) -> None:
        if mode == "after":
            commit_files(*args)  # landed, then the process died / the call failed
        raise OSError(errno.EIO, f"killed {mode} landing")

    return DeltaSink(uri, commit=commit)


def run(tmp: Path, ops: list[tuple[str, ...]], seed: int) -> dict[str, int]:
    (tmp / "s").mkdir()
    writer = Writer(tmp / "s", seed)
    h = Harness(tmp, flush_interval=0.5, poll_interval=1.0, drain_grace=2)
    for op in ops:
        kind = op[0]
        if kind == "append":
            writer.append(op[1])
        elif kind == "rotate":
            writer.rotate(op[1], op[2])
        elif kind == "event":  # inotify says: read it now, no scan
            h.daemon.events.modified(str(tmp / "s" / f"{op[1]}.log"))
            h.tick(0.01)
        elif kind == "tick":
            h.tick(float(op[1]))
        elif kind == "crash":
            if op[1] != "idle":
                h.daemon.pipe.sink = failing(op[1], h.cfg.to)
                h.tick(1.0)
            crash(h)
            h = Harness(tmp, flush_interval=0.5, poll_interval=1.0, drain_grace=2)
    journal = json.loads(json.dumps(writer.journal()))
    for _ in range(4):
        h.tick(1.0)
    h.daemon.shutdown()
    return check(journal, table_rows(h.cfg.to))


@settings(
    max_examples=int(os.environ.get("LOGPIPE_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(writer_ops(BASES, int(os.environ.get("LOGPIPE_OPS", "40"))), st.integers(0, 2**16))
def test_crash_at_any_step_loses_nothing_and_doubles_nothing(
    ops: list[tuple[str, ...]], seed: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run(Path(tmp), ops, seed)
