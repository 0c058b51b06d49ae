"""Exactly once under SIGKILL: ``logpipe watch`` killed at random moments, and compaction too."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.ingest.helpers import REPO, check, table_rows

KILLS = 20


def logpipe(*args: str, **kw: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "logpipe", *args], **kw)


def watch(src: Path, ds: Path, state: Path, log: Any) -> subprocess.Popen[bytes]:
    return logpipe(
        "watch", str(src), "--to", str(ds), "--state-dir", str(state),
        "--flush-interval", "0.05", "--poll-interval", "0.2", "--compact-interval", "0",
        "--batch-bytes", "64KiB", "--log-level", "warning",
        stdout=log, stderr=log,
    )  # fmt: skip


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    src, ds, state = tmp_path / "src", tmp_path / "ds", tmp_path / "state"
    src.mkdir()
    rng = random.Random(int(os.environ.get("LOGPIPE_CRASH_SEED", "7")))
    env = os.environ | {"PYTHONPATH": str(REPO)}
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.ingest.crash_writer", str(src), str(tmp_path / "j"), "1"],
        env=env,
    )
    with (tmp_path / "watch.log").open("ab") as log:
        for _ in range(KILLS):
            commits = len(list((ds / "_delta_log").glob("*.json")))
            proc = watch(src, ds, state, log)
            # Once it commits, any moment. Start-up may take long: a fresh checkout compiles
            # the parser's kernels (15-20 s alone, more on a busy machine); 120 s only
            # guards against a hang.
            deadline = time.monotonic() + 120
            while len(list((ds / "_delta_log").glob("*.json"))) <= commits:
                assert time.monotonic() < deadline
                assert proc.poll() is None
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.8))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        writer.send_signal(signal.SIGTERM)
        assert writer.wait(timeout=30) == 0
        last = watch(src, ds, state, log)
        time.sleep(2.0)
        last.send_signal(signal.SIGTERM)
        assert last.wait(timeout=60) == 0
        # SIGTERM commits what the daemon holds, not every backlog: a sync takes the rest.
        rest = logpipe("sync", str(src), "--to", str(ds), "--state-dir", str(state))
        assert rest.wait(timeout=60) == 0
    journal = json.loads((tmp_path / "j").read_text())
    stats = check(journal, table_rows(ds))
    assert stats["rows"] > 1000
    assert "Traceback" not in (tmp_path / "watch.log").read_text()


def test_killing_compaction_at_any_moment_changes_nothing(tmp_path: Path) -> None:
    from logpipe.ingest.sync import sync
    from tests.ingest.helpers import append, config, multiset

    src = tmp_path / "s"
    cfg = config(tmp_path, src)
    for i in range(12):  # twelve commits: twelve small files
        append(src / f"f{i % 3}.log", "".join(f"{i} line {j}\n" for j in range(200)))
        sync(cfg)
    before = multiset(cfg.to)
    rng = random.Random(3)
    for _ in range(5):
        proc = logpipe("compact", cfg.to, "--quiet")
        time.sleep(rng.uniform(0.0, 0.8))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert multiset(cfg.to) == before
    done = logpipe("compact", cfg.to, "--quiet")
    assert done.wait(timeout=60) == 0
    assert multiset(cfg.to) == before
    append(src / "f0.log", "after\n")
    assert sync(cfg).rows == 1  # offsets survive compaction commits
