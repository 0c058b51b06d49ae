"""The real rsync as the judge of filter rules, and the varied tree it judges them on.

``rsync_selects(root, rules)`` runs ``rsync -r --dry-run`` with the rules as
``--include``/``--exclude`` options, in order, on ``root/`` and returns the relpaths (bytes)
of the regular files it would copy.  ``build_varied_tree(root)`` makes the tree: nested and
deep dirs, dotfiles and dot-dirs, ``x.log/`` directories, rotated and compressed names,
spaces, non-ASCII and non-UTF-8 bytes, glob characters and backslashes in names, symlinks in
and out of the root, a FIFO, a socket, a device (when allowed) and empty directories.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from logpipe.ingest.rules import Rule

from .shared import on_ci

_MARK = b"@@"  # --out-format prefix: tells file names from rsync's own messages
_SKIPPING = re.compile(rb'^skipping non-regular file "(.*)"$')
_ESCAPE = re.compile(rb"\\#([0-7]{3})")


@dataclass(frozen=True)
class Listing:
    """What one ``rsync -r --dry-run`` run reported: files and dirs selected, others skipped."""

    files: list[bytes]
    dirs: list[bytes]  # without their trailing '/'
    skipped: list[bytes]


def rsync_path() -> str:
    """The rsync binary; skips (fails on CI) when it is not installed."""
    found = shutil.which("rsync")
    if found is None:
        reason = "rsync is not installed (scripts/test installs it)"
        if on_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def _unescape(name: bytes) -> bytes:
    # rsync writes unprintable bytes (and a backslash before '#') as \#ooo, in octal.
    return _ESCAPE.sub(lambda m: bytes((int(m.group(1), 8),)), name)


def rsync_listing(root: Path, rules: Sequence[Rule]) -> Listing:
    """Run the real rsync on ``root/`` with ``rules`` and report what it selects and skips."""
    options = [b"--%s=%s" % (r.kind.encode(), os.fsencode(r.pattern)) for r in rules]
    with tempfile.TemporaryDirectory() as dest:
        argv = [
            os.fsencode(rsync_path()),
            b"-r",
            b"--dry-run",
            b"--out-format=" + _MARK + b"%n",
            *options,
            os.fsencode(root) + b"/",
            os.fsencode(dest) + b"/",
        ]
        done = subprocess.run(argv, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    files: list[bytes] = []
    dirs: list[bytes] = []
    skipped: list[bytes] = []
    for line in done.stdout.splitlines():
        if line.startswith(_MARK):
            name = _unescape(line[len(_MARK) :])
            if name == b"./":
                continue  # the root itself, which no rule is applied to
            if name.endswith(b"/"):
                dirs.append(name[:-1])
            else:
                files.append(name)
        elif match := _SKIPPING.match(line):
            skipped.append(_unescape(match.group(1)))
    return Listing(sorted(files), sorted(dirs), sorted(skipped))


def rsync_selects(root: Path, rules: Sequence[Rule]) -> list[bytes]:
    """The sorted relpaths (bytes) of the files ``rsync -r --dry-run`` selects."""
    return rsync_listing(root, rules).files


# Regular files of the varied tree, as bytes relpaths (parents are created as needed).
VARIED_FILES: tuple[bytes, ...] = (
    b"a.log",
    b"a.log.1",
    b"a.log.gz",
    b"b.txt",
    b".hidden.log",
    b"app-1.log",
    b"sp ace.log",
    "ünïcödé.log".encode(),
    b"bad\xff.log",
    b"lat\xe9n1.txt",
    b"br[ack]et.log",
    b"st*r.log",
    b"q?m.log",
    b"back\\slash.log",
    b"hash\\#041.log",
    b"tab\there.log",
    b"new\nline.log",
    b"- dash.log",
    b"+ plus.log",
    b"!bang.log",
    b"2024-01-01.log",
    b"UPPER.LOG",
    b"logs/app.log",
    b"logs/app.txt",
    b"logs/old/app.log.1",
    b"logs/old/app.log",
    b"var/logs/app.txt",
    b"var/logs/app.log",
    b"var/logs/deep/x.log",
    b"var/log/syslog",
    b".git/HEAD",
    b".git/hooks/x.log",
    b".cache/y.log",
    b"x.log/inner.log",
    b"x.log/inner.txt",
    b"x.log/x.log/innermost.log",
    b"keep/child.log",
    b"skip/child.log",
    b"skip/keep/child.log",
    b"gz/one.gz",
    b"gz/two.log.gz",
    b"dir with space/inner.log",
    "ünï/ç.log".encode(),
    b"bad\xfedir/inner.log",
    b"n/a/b/c/d/e/f/g/h/deep.log",
    b"n/a/b/c/d/e/f/g/h/deep.txt",
)
VARIED_EMPTY_DIRS: tuple[bytes, ...] = (b"empty", b"emptyish/sub/subsub", b"empty.log")


def build_varied_tree(root: Path) -> None:
    """Create the varied tree under ``root`` (an empty or missing directory)."""
    base = os.fsencode(root)
    for rel in VARIED_FILES:
        path = os.path.join(base, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(b"line of " + rel + b"\n")
    for rel in VARIED_EMPTY_DIRS:
        os.makedirs(os.path.join(base, rel), exist_ok=True)
    outside = root.parent / f"{root.name}-outside"
    (outside / "sub").mkdir(parents=True, exist_ok=True)
    (outside / "out.log").write_text("outside\n")
    (outside / "sub" / "deeper.log").write_text("outside\n")
    links = {
        "link-in.log": "a.log",
        "link-dangling.log": "no-such-file",
        "logs/link-up.log": "../a.log",
        "link-out.log": str(outside / "out.log"),
        "dirlink-in": "logs",
        "dirlink-in.log": "x.log",
        "dirlink-out": str(outside),
    }
    for name, target in links.items():
        os.symlink(target, root / name)
    os.mkfifo(root / "pipe.log")
    os.mknod(root / "sock.log", 0o600 | stat.S_IFSOCK)
    with contextlib.suppress(PermissionError):  # not root: the tree has no device node
        os.mknod(root / "null.log", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
