"""discover: on a real varied tree it selects exactly what ``rsync -r --dry-run`` selects."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings

from logpipe.errors import SourceError
from logpipe.ingest.discover import Found, discover
from logpipe.ingest.rules import DEFAULT_RULES, FilterRules, Rule

from .rsync_judge import VARIED_FILES, build_varied_tree, rsync_listing, rsync_selects
from .strategies import filter_rule_lists


@pytest.fixture(scope="module")
def varied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("varied") / "src"
    build_varied_tree(root)
    return root


def selected(root: Path, rules: list[Rule] | tuple[Rule, ...]) -> list[bytes]:
    return [os.fsencode(found.relpath) for found in discover(root, FilterRules(rules))]


def inc(pattern: str) -> Rule:
    return Rule("include", pattern)


def exc(pattern: str) -> Rule:
    return Rule("exclude", pattern)


RULE_SETS: dict[str, list[Rule]] = {
    "default": list(DEFAULT_RULES),
    "exclude-gz-alone": [exc("*.gz")],
    "include-everything": [inc("*")],
    "exclude-everything": [exc("*")],
    "anchored": [exc("/a.log"), exc("/logs/old/"), inc("/var/"), exc("/v*")],
    "anchored-top-only": [inc("/*.log"), exc("/*/")],
    "double-star": [inc("*/"), inc("**/logs/**.log"), exc("*")],
    "double-star-prefix": [exc("**/app.log"), exc("**.txt")],
    "double-star-infix": [exc("n/**/deep.*"), exc("x.log**")],
    "triple-star": [inc("logs/***"), exc("*")],
    "triple-star-anchored": [inc("/var/***"), inc("/.git/***"), exc("*")],
    "classes": [exc("[ab].*"), exc("*[!a-z0-9].log"), exc("[[:upper:]]*"), exc("[]x[-]*")],
    "class-include": [inc("*[[:digit:]]*"), inc("*/"), exc("*")],
    "escapes": [
        exc("st\\*r.log"),
        exc("q\\?m.log"),
        exc("br\\[ack]et.log"),
        exc("back\\slash.log"),
    ],
    "dot-files": [exc(".*")],
    "question-mark": [inc("?.log"), inc("*/"), exc("*")],
    "trailing-slash": [exc("x.log/"), exc("*.log/")],
    "trailing-slash-include": [inc("*.log/"), inc("*.log"), exc("*")],
    "trailing-components": [exc("logs/*.txt"), exc("old/app.log")],
    "trailing-components-literal": [exc("logs/app.log"), exc("f/g/h/deep.log")],
    "include-after-exclude": [exc("*.log"), inc("a.log"), inc("*")],
    "exclude-after-include": [inc("a.log"), exc("*.log")],
    "excluded-parent-included-child": [exc("skip/"), inc("skip/keep/child.log"), inc("*")],
    "excluded-parent-by-name": [exc("skip"), inc("skip/**")],
    "prefixes": [exc("+ *.log"), inc("- *"), exc("+ */")],
    "clear": [exc("*"), inc("!"), exc("*.gz")],
    "bang-literal": [exc("!bang.log"), exc("- dash.log"), exc("\\+ plus.log")],
    "spaces": [exc("* *"), inc("*/"), exc("*.txt")],
    "non-ascii": [exc("ü*"), exc("*ç*")],
    "non-utf8": [exc(os.fsdecode(b"*\xff*")), exc(os.fsdecode(b"bad\xfedir/"))],
    "deep": [inc("/n/a/b/c/d/e/f/g/h/*.log"), inc("/n/"), inc("/n/**/"), exc("*")],
    "rotated": [inc("*.log.[0-9]"), inc("*.log"), inc("*/"), exc("*")],
}


@pytest.mark.parametrize("rules", list(RULE_SETS.values()), ids=list(RULE_SETS))
def test_selects_what_rsync_selects(varied: Path, rules: list[Rule]) -> None:
    assert selected(varied, rules) == rsync_selects(varied, rules)


def test_no_rules_selects_what_the_default_idiom_selects(varied: Path) -> None:
    ours = [os.fsencode(f.relpath) for f in discover(varied, FilterRules())]
    assert ours == rsync_selects(varied, DEFAULT_RULES)
    assert b"x.log/x.log/innermost.log" in ours  # *.log at any depth, inside x.log/ dirs too
    assert b"a.log.1" not in ours
    assert b"a.log.gz" not in ours


@settings(max_examples=50, deadline=None)
@given(rules=filter_rule_lists(VARIED_FILES))
def test_random_rules_select_what_rsync_selects(varied: Path, rules: list[Rule]) -> None:
    assert selected(varied, rules) == rsync_selects(varied, rules or DEFAULT_RULES)


def test_skips_what_rsync_skips_and_says_so(varied: Path) -> None:
    skipped: list[Path] = []
    found = list(discover(varied, FilterRules([inc("*")]), on_skip=skipped.append))
    listing = rsync_listing(varied, [inc("*")])
    assert sorted(os.fsencode(p.relative_to(varied)) for p in skipped) == listing.skipped
    assert b"pipe.log" in listing.skipped
    assert b"link-out.log" in listing.skipped
    assert not any(f.path.is_symlink() for f in found)
    assert all(f.stat.st_nlink >= 1 and f.path.is_file() for f in found)
    assert sorted(os.fsencode(f.relpath) for f in found) == sorted(VARIED_FILES)


def test_found_carries_exact_bytes_path_and_lstat(varied: Path) -> None:
    by_rel = {os.fsencode(f.relpath): f for f in discover(varied, FilterRules([inc("*")]))}
    found = by_rel[b"bad\xfedir/inner.log"]
    assert found.path == varied / os.fsdecode(b"bad\xfedir/inner.log")
    assert found.stat.st_ino == os.lstat(found.path).st_ino
    assert found.stat.st_size == len(b"line of bad\xfedir/inner.log\n")
    assert b"new\nline.log" in by_rel
    assert isinstance(found, Found)


def test_order_is_by_relpath_bytes_across_directories(tmp_path: Path) -> None:
    names = [b"a/x.log", b"a.log", b"a0.log", b"a-b.log", b"a/b/c.log", b"a/b.log", b"\xff.log"]
    for name in names:
        path = os.path.join(os.fsencode(tmp_path), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "wb").close()
    got = [os.fsencode(f.relpath) for f in discover(tmp_path, FilterRules())]
    assert got == sorted(names)
    assert got == [
        b"a-b.log",
        b"a.log",
        b"a/b.log",
        b"a/b/c.log",
        b"a/x.log",
        b"a0.log",
        b"\xff.log",
    ]


def test_excluded_directory_is_never_listed(varied: Path) -> None:
    listed: list[Path] = []

    def scandir(folder: Path) -> Iterator[os.DirEntry[str]]:
        listed.append(folder)
        return os.scandir(folder)

    rules = FilterRules([exc("skip/"), exc(".git/"), inc("skip/keep/child.log")])
    found = [f.relpath for f in discover(varied, rules, scandir=scandir)]
    assert varied / "skip" not in listed
    assert varied / ".git" not in listed
    assert varied / "logs" in listed
    assert not any(rel.startswith(("skip/", ".git/")) for rel in found)


def test_empty_directories_are_not_represented(varied: Path) -> None:
    found = [f.relpath for f in discover(varied, FilterRules([inc("*")]))]
    assert not any(rel.startswith(("empty", "emptyish")) for rel in found)
    assert all(f.path.is_file() for f in discover(varied, FilterRules()))


def test_unreadable_directory_is_reported_and_the_walk_goes_on(varied: Path) -> None:
    denied = varied / "logs"
    errors: list[tuple[Path, OSError]] = []

    def scandir(folder: Path) -> Iterator[os.DirEntry[str]]:
        if folder == denied:
            raise PermissionError(13, "Permission denied", str(folder))
        return os.scandir(folder)

    found = [
        f.relpath
        for f in discover(
            varied, FilterRules(), scandir=scandir, on_error=lambda p, e: errors.append((p, e))
        )
    ]
    assert [(p, type(e)) for p, e in errors] == [(denied, PermissionError)]
    assert "logs/app.log" not in found
    assert "var/logs/app.log" in found
    assert "x.log/inner.log" in found


def test_errors_are_logged_as_warnings_by_default(
    varied: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def scandir(folder: Path) -> Iterator[os.DirEntry[str]]:
        if folder.name == "old":
            raise PermissionError(13, "Permission denied", str(folder))
        return os.scandir(folder)

    with caplog.at_level(logging.WARNING, logger="logpipe.ingest.discover"):
        found = list(discover(varied, FilterRules(), scandir=scandir))
    assert found
    assert any(
        "logs/old" in r.getMessage() and "Permission denied" in r.getMessage()
        for r in caplog.records
    )


def test_files_and_directories_vanishing_mid_walk_are_skipped_silently(tmp_path: Path) -> None:
    for rel in ("gone.log", "kept.log", "gone-dir/a.log", "kept-dir/b.log"):
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        (tmp_path / rel).write_text("x\n")

    def scandir(folder: Path) -> Iterator[os.DirEntry[str]]:
        entries = list(os.scandir(folder))
        if folder == tmp_path:  # listed, then removed before they are stat'ed or entered
            (tmp_path / "gone.log").unlink()
            shutil.rmtree(tmp_path / "gone-dir")
        return iter(entries)

    def on_error(path: Path, exc: OSError) -> None:
        raise AssertionError(f"unexpected error on {path}: {exc}")

    found = [
        f.relpath for f in discover(tmp_path, FilterRules(), scandir=scandir, on_error=on_error)
    ]
    assert found == ["kept-dir/b.log", "kept.log"]


def test_root_that_cannot_be_listed_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"cannot list source .*missing"):
        list(discover(tmp_path / "missing", FilterRules()))
    (tmp_path / "file.log").write_text("x\n")
    with pytest.raises(SourceError, match="Not a directory"):
        list(discover(tmp_path / "file.log", FilterRules()))


def test_root_may_be_a_str_or_a_symlink_to_a_directory(varied: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(varied, target_is_directory=True)
    via_link = [f.relpath for f in discover(link, FilterRules())]
    via_str = [f.relpath for f in discover(str(varied), FilterRules())]
    assert via_link == via_str == [os.fsdecode(p) for p in rsync_selects(link, DEFAULT_RULES)]


def test_five_thousand_files_agree_with_rsync(tmp_path: Path) -> None:
    root = tmp_path / "big"
    for i in range(5000):
        folder = root / f"host{i % 10}" / f"job{i % 7}" / f"rank{i % 5}"
        folder.mkdir(parents=True, exist_ok=True)
        suffix = (".log", ".log.1", ".txt", ".log.gz")[i % 4]
        (folder / f"f{i}{suffix}").write_bytes(b"")
    ours = selected(root, DEFAULT_RULES)
    assert len(ours) == 1250
    assert ours == rsync_selects(root, DEFAULT_RULES)
