"""``logpipe sync|watch|compact|status`` as real processes: exit codes, output, clean exits."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from deltalake import DeltaTable
from rich.console import Console

from logpipe.cli import sync as sync_cli
from tests.ingest.helpers import append, expected, lines

ENV = {k: v for k, v in os.environ.items() if not k.startswith("LOGPIPE_")}


def logpipe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "logpipe", *args],
        capture_output=True,
        text=True,
        check=False,
        env=ENV,
        timeout=120,
    )


def clean(proc: subprocess.CompletedProcess[str]) -> None:
    """No crash of any kind on the way out."""
    for bad in ("Traceback", "panicked", "Fatal Python error", "Aborted"):
        assert bad not in proc.stderr, proc.stderr


def test_sync_is_quiet_off_a_terminal_and_idempotent(tmp_path: Path) -> None:
    src, ds = tmp_path / "web", tmp_path / "ds"
    append(src / "a.log", b"1\n2\n")
    args = ("sync", str(src), "--to", str(ds), "--state-dir", str(tmp_path / "st"))
    first = logpipe(*args)
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")
    again = logpipe(*args)
    assert again.returncode == 0
    clean(again)
    assert lines(ds) == expected("a.log", b"1\n2\n")


def test_include_and_exclude_keep_their_order_across_both_options(tmp_path: Path) -> None:
    src = tmp_path / "s"
    for name in ["a.log", "b.txt", "c.log"]:
        append(src / name, b"x\n")
    base = ("sync", str(src), "--state-dir", str(tmp_path / "st"))
    logpipe(*base, "--to", str(tmp_path / "one"), "--exclude", "a.log", "--include", "*.log",
            "--exclude", "*")  # fmt: skip
    logpipe(*base, "--to", str(tmp_path / "two"), "--include", "*.log", "--exclude", "a.log",
            "--exclude", "*")  # fmt: skip
    assert [r[0] for r in lines(tmp_path / "one")] == ["c.log"]
    assert [r[0] for r in lines(tmp_path / "two")] == ["a.log", "c.log"]


def test_status_and_compact(tmp_path: Path) -> None:
    src, ds, st = tmp_path / "s", tmp_path / "ds", tmp_path / "st"
    for i in range(3):
        append(src / "a.log", f"{i}\n")
        assert logpipe("sync", str(src), "--to", str(ds), "--state-dir", str(st)).returncode == 0
    append(src / "a.log", "waiting\n")  # on disk, not committed: lag
    text = logpipe("status", str(ds))
    assert text.returncode == 0
    clean(text)
    assert "version 3" in text.stdout
    assert "a.log" in text.stdout
    doc = json.loads(logpipe("status", str(ds), "--json").stdout)
    assert doc[0]["source"] == "s"
    assert doc[0]["files"][0] | {"size": None} == {
        "path": "a.log", "generation": 0, "loc": "a.log", "offset": 6, "lines": 3,
        "size": None, "lag": 8,
    }  # fmt: skip
    before = lines(ds)
    out = logpipe("compact", str(ds))
    assert out.returncode == 0, out.stderr
    clean(out)
    assert out.stdout.startswith("3 files merged into 1")
    assert lines(ds) == before


def test_errors_are_one_clear_line_and_status_2(tmp_path: Path) -> None:
    conf = tmp_path / "bad.toml"
    conf.write_text('to = "x"\nflush_intervall = 2\n')
    out = logpipe("sync", str(tmp_path), "--config", str(conf))
    assert out.returncode == 2
    assert "unknown key 'flush_intervall'" in out.stderr
    assert str(conf) in out.stderr
    clean(out)
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "x.log").write_text("x\n")
    bad_to = logpipe("sync", str(tmp_path / "src"), "--to", str(tmp_path / "a-file"))
    assert bad_to.returncode == 2
    assert "a-file" in bad_to.stderr
    clean(bad_to)
    missing = logpipe("status", str(tmp_path / "nothing"))
    assert missing.returncode == 2
    assert "no logpipe dataset" in missing.stderr
    clean(missing)


@contextlib.contextmanager
def watching(src: Path, ds: Path, *extra: str) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "logpipe", "watch", str(src), "--to", str(ds),
         "--state-dir", str(ds.parent / "st"), *extra],
        stderr=subprocess.PIPE, text=True, env=ENV,
    )  # fmt: skip
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


def eventually(check: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_watch_lands_new_lines_and_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    src, ds = tmp_path / "s", tmp_path / "ds"
    src.mkdir()
    with watching(src, ds) as proc:
        append(src / "app.log", b"first\n")
        eventually(lambda: lines(ds) == [("app.log", 0, 0, "first")])
        append(src / "sub" / "new.log", b"second\nhalf a li")
        eventually(lambda: len(lines(ds)) == 2)
        assert proc.poll() is None  # it never exits on its own
        proc.send_signal(sig)
        started = time.monotonic()
        assert proc.wait(timeout=10) == 0
        assert time.monotonic() - started < 5
        err = proc.communicate()[1]
    assert 'level=info msg="following files" files=' in err  # logpipe's logrus formatter
    assert 'level=info msg="new file" file=sub/new.log generation=0 source=s' in err
    for bad in ("Traceback", "panicked"):
        assert bad not in err
    assert [r[3] for r in lines(ds)] == ["first", "second"]  # never the half line
    append(src / "sub" / "new.log", b"ne\n")
    logpipe("sync", str(src), "--to", str(ds), "--state-dir", str(tmp_path / "st"))
    assert [r[3] for r in lines(ds)] == ["first", "second", "half a line"]


def test_watch_refuses_a_source_that_is_not_there(tmp_path: Path) -> None:
    out = logpipe("watch", str(tmp_path / "typo"), "--to", str(tmp_path / "ds"))
    assert out.returncode == 2
    assert "is not a directory" in out.stderr
    clean(out)


def test_watch_waits_for_a_missing_source_to_come_back(tmp_path: Path) -> None:
    src, ds = tmp_path / "s", tmp_path / "ds"
    src.mkdir()
    with watching(src, ds, "--poll-interval", "0.2") as proc:
        append(src / "first.log", b"first\n")
        eventually(lambda: len(lines(ds)) == 1)  # it is running
        src.rename(tmp_path / "away")
        time.sleep(1.0)
        assert proc.poll() is None
        (tmp_path / "away").rename(src)
        append(src / "back.log", b"back\n")
        eventually(lambda: [r[3] for r in lines(ds)] == ["back", "first"])
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    src = tmp_path / "s"
    append(src / "a.log", b"x\n" * 1000)
    args = argparse.Namespace(
        sources=[str(src)], to=str(tmp_path / "ds"), rules=None, source=None, config=None,
        max_line_bytes=None, batch_bytes=None, state_dir=str(tmp_path / "st"), log_level=None,
    )  # fmt: skip
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    assert sync_cli.run(args, console) == 0
    shown = screen.getvalue()
    assert "1 files" in shown
    assert "lines/s" in shown
    assert "1,000 lines (2,000 bytes) from 1 files in 1 commits" in shown


#: Root without the capabilities that let it read any file: a mode-0 file is EACCES to it,
#: while the interpreter (maybe under a 0700 /root) stays readable, unlike as nobody.
_NO_DAC = "-dac_override,-dac_read_search"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop read capabilities")
def test_unreadable_file_with_real_permissions(tmp_path: Path) -> None:
    """A real EACCES: the sync process runs without CAP_DAC_OVERRIDE (util-linux setpriv)."""
    src = tmp_path / "s"
    append(src / "ok.log", b"fine\n")
    append(src / "locked.log", b"secret\n")
    (src / "locked.log").chmod(0)
    code = (
        "import logpipe.cli as c; "
        f"raise SystemExit(c.main(['sync', {str(src)!r}, '--to', {str(tmp_path / 'ds')!r}, "
        f"'--state-dir', {str(tmp_path / 'st')!r}]))"
    )
    setpriv = ["setpriv", f"--bounding-set={_NO_DAC}", f"--inh-caps={_NO_DAC}"]
    out = subprocess.run(
        [*setpriv, sys.executable, "-c", code], capture_output=True, text=True, env=ENV, check=False
    )
    assert out.returncode == 1, out.stderr
    assert "cannot read locked.log: Permission denied" in out.stderr
    clean(out)
    assert lines(tmp_path / "ds") == [("ok.log", 0, 0, "fine")]


@contextlib.contextmanager
def tiny_disk(path: Path, size: str) -> Iterator[None]:
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True, check=False,
    )  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_disk_full_during_commit_then_retry_commits_once(tmp_path: Path) -> None:
    src, disk = tmp_path / "s", tmp_path / "disk"
    for i in range(4):
        append(src / f"f{i}.log", os.urandom(300_000).hex().encode() + b"\n" + b"tail\n")
    with tiny_disk(disk, "700k"):
        args = ("sync", str(src), "--to", str(disk / "ds"), "--state-dir", str(tmp_path / "st"))
        full = logpipe(*args, "--batch-bytes", "600KiB")
        assert full.returncode == 2
        assert "disk full" in full.stderr
        clean(full)
        partial = lines(disk / "ds")
        assert len(partial) == len(set(partial))
        # The files of the commit that failed were removed, not left to fill the disk.
        data = {p.name for p in (disk / "ds").rglob("*.parquet")}
        assert len(data) == len(DeltaTable(str(disk / "ds")).file_uris())
        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)
        again = logpipe(*args)
        assert again.returncode == 0, again.stderr
        clean(again)
        got = lines(disk / "ds")
        assert len(got) == 8 == len(set(got))


@pytest.mark.skipif(sys.platform != "linux", reason="pyarrow ships jemalloc on Linux")
@pytest.mark.parametrize(("preset", "want"), [(None, "jemalloc"), ("system", "system")])
def test_ingest_commands_pick_arrows_pool_before_pyarrow_loads(
    preset: str | None, want: str
) -> None:
    env = {k: v for k, v in ENV.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if preset is not None:
        env["ARROW_DEFAULT_MEMORY_POOL"] = preset
    code = "import logpipe.cli.watch, pyarrow as pa; print(pa.default_memory_pool().backend_name)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == want
