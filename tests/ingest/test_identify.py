"""Identification of found files against followed generations (real files, no daemon)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from logpipe.ingest.identify import Verdict, identify
from logpipe.ingest.state import Record
from logpipe.ingest.tail import Probe, Stream, open_readonly


class Opens:
    """The real opener, counting calls."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, path: str) -> int:
        self.count += 1
        return open_readonly(path)


def probes(root: Path, opener: Opens | None = None) -> list[Probe]:
    found = sorted(p for p in root.rglob("*") if p.is_file())
    return [
        Probe(str(p.relative_to(root)), str(p), p.stat(), opener or open_readonly) for p in found
    ]


def follow(root: Path, name: str) -> Stream:
    """A stream bound to ``name`` that read all of it."""
    path = root / name
    stream = Stream(Record(name, 0, loc=name))
    stream.bind(name, open_readonly(str(path)), path.stat())
    stream.read(1 << 20)
    return stream


def names(v: Verdict) -> dict[str, list[str]]:
    return {
        "kept": [p.relpath for _, p in v.kept],
        "binds": [p.relpath for _, p in v.binds],
        "new": [p.relpath for p in v.new],
        "copies": [p.relpath for p, _ in v.copies],
        "lost": [s.key[0] for s in v.lost],
    }


def test_an_unchanged_file_costs_no_io(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_bytes(b"x\n")
    s = follow(tmp_path, "a.log")
    opens = Opens()
    v = identify([s], probes(tmp_path, opens))
    assert names(v)["kept"] == ["a.log"]
    assert opens.count == 0


def test_rename_and_a_new_file_in_its_place(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_bytes(b"one\ntwo\n")
    s = follow(tmp_path, "a.log")
    (tmp_path / "a.log").rename(tmp_path / "a-1.log")
    (tmp_path / "a.log").write_bytes(b"fresh\n")
    s.unbind()  # and without an fd pinning the inode: found by content
    s.close()
    v = identify([s], probes(tmp_path))
    assert names(v) == {"kept": [], "binds": ["a-1.log"], "new": ["a.log"], "copies": [],
                        "lost": []}  # fmt: skip


def test_copies_and_hard_links_are_never_new(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_bytes(os.urandom(600).hex().encode() + b"\n")
    s = follow(tmp_path, "a.log")
    shutil.copyfile(tmp_path / "a.log", tmp_path / "a-1.log")
    os.link(tmp_path / "a.log", tmp_path / "hard.log")
    with (tmp_path / "a.log").open("ab") as fh:
        fh.write(b"appended\n")
    v = identify([s], probes(tmp_path))
    assert names(v)["kept"] == ["a.log"]
    assert sorted(names(v)["copies"]) == ["a-1.log", "hard.log"]
    assert names(v)["new"] == []


def test_same_first_bytes_but_another_file_is_new(tmp_path: Path) -> None:
    header = b"=" * 400 + b"\n"
    (tmp_path / "rank0.log").write_bytes(header + b"rank 0\n")
    s = follow(tmp_path, "rank0.log")
    (tmp_path / "rank1.log").write_bytes(header + b"rank 1 says more\n")
    assert names(identify([s], probes(tmp_path)))["new"] == ["rank1.log"]


def test_rewritten_in_place(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_bytes(b"header " + b"-" * 300 + b"\nold\n")
    s = follow(tmp_path, "a.log")
    with log.open("r+b") as fh:  # same inode, same first bytes, other content, longer
        fh.write(b"header " + b"-" * 300 + b"\nnew content here\n")
    v = identify([s], probes(tmp_path))
    assert v.rewritten == [s]
    assert names(v)["new"] == ["a.log"]
