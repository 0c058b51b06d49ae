"""Filter rules: each decision in the table is what the real rsync decides, and what we decide."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from logpipe.errors import ConfigError
from logpipe.ingest.rules import DEFAULT_RULES, FilterRules, Rule

from .rsync_judge import rsync_listing


def inc(pattern: str) -> Rule:
    return Rule("include", pattern)


def exc(pattern: str) -> Rule:
    return Rule("exclude", pattern)


def case(rules: list[Rule], path: bytes, kind: str, expected: bool) -> object:
    shown = " ".join(f"{'+-'[r.kind == 'exclude']}{r.pattern}" for r in rules) or "default"
    label = f"{shown} {path.decode(errors='backslashreplace')}{'/' if kind == 'dir' else ''}"
    return pytest.param(rules, path, kind == "dir", expected, id=label)


# (rules, path, file or dir, selected?) -- rsync 3.2.7 agrees with every row (checked below).
TABLE = [
    # The default idiom: *.log at any depth, every directory, nothing else.
    case([], b"a.log", "file", True),
    case([], b"a.log.1", "file", False),
    case([], b"b.txt", "file", False),
    case([], b".hidden.log", "file", True),
    case([], b"d/e/f.log", "file", True),
    case([], b"x.log", "dir", True),
    case([], b"d/f.txt", "file", False),
    # Once a rule is given the defaults are gone and an unmatched path is included.
    case([exc("*.gz")], b"b.txt", "file", True),
    case([exc("*.gz")], b"a.log.gz", "file", False),
    # First match wins, across includes and excludes.
    case([exc("*.log"), inc("a.log")], b"a.log", "file", False),
    case([inc("a.log"), exc("*.log")], b"a.log", "file", True),
    # A pattern without '/' matches the last component; '*' and '?' do not cross '/'.
    case([exc("*")], b"a.log", "file", False),
    case([exc("a*g")], b"d/a.log", "file", False),
    case([exc("d*g")], b"d/a.log", "file", True),
    case([exc("/d*g")], b"d/a.log", "file", True),
    case([exc("/d**g")], b"d/a.log", "file", False),
    case([exc("/a?log")], b"a/log", "file", True),
    case([exc("?.log")], b"a.log", "file", False),
    case([exc("?.log")], b"ab.log", "file", True),
    # Matching is on bytes: '?' is one byte, and "é" is two in UTF-8.
    case([exc("?.log")], "é.log".encode(), "file", True),
    case([exc("??.log")], "é.log".encode(), "file", False),
    case([exc(os.fsdecode(b"*\xff*"))], b"bad\xff.log", "file", False),
    case([exc("*\u00e9*")], b"lat\xe9n1.log", "file", True),
    # Whitespace is part of a pattern, at either end.
    case([exc("*.log ")], b"a.log ", "file", False),
    case([exc("*.log ")], b"a.log", "file", True),
    case([exc(" a.log")], b" a.log", "file", False),
    # Classes: sets, negation with '!' or '^', ranges, ']' and '-' as members, POSIX names.
    case([exc("[ab].log")], b"b.log", "file", False),
    case([exc("[ab].log")], b"c.log", "file", True),
    case([exc("[!ab].log")], b"c.log", "file", False),
    case([exc("[^ab].log")], b"a.log", "file", True),
    case([exc("[a-c]x")], b"bx", "file", False),
    case([exc("[a-c]x")], b"dx", "file", True),
    case([exc("[c-a]x")], b"bx", "file", True),
    case([exc("[c-a]x")], b"cx", "file", False),  # the range is empty, its 'c' is not
    case([exc("[]]x")], b"]x", "file", False),
    case([exc("[a-]x")], b"-x", "file", False),
    case([exc("[[:digit:]]*")], b"2024.log", "file", False),
    case([exc("[[:digit:]]*")], b"a.log", "file", True),
    case([exc("[[:x]y")], b":y", "file", False),
    case([exc("[é].log")], b"\xa9.log", "file", False),  # the class holds é's 2 bytes
    case([exc(os.fsdecode(b"[\x80-\xff]*"))], "é.log".encode(), "file", False),
    # Backslash escapes a wildcard; in a pattern with no wildcard it is a plain byte.
    case([exc("st\\*r.log")], b"st*r.log", "file", False),
    case([exc("st\\*r.log")], b"star.log", "file", True),
    case([exc("back\\slash")], b"back\\slash", "file", False),
    case([exc("b\\[x\\]*")], b"b[x]y", "file", False),
    # A trailing '/' matches directories only.
    case([exc("x.log/")], b"x.log", "dir", False),
    case([exc("x.log/")], b"x.log", "file", True),
    case([exc("*/")], b"d", "dir", False),
    # A leading '/' anchors at the source root; "/" alone matches nothing.
    case([exc("/a.log")], b"a.log", "file", False),
    case([exc("/a.log")], b"d/a.log", "file", True),
    case([exc("/")], b"a.log", "file", True),
    # An unanchored pattern with '/' matches the trailing components.
    case([exc("logs/*.txt")], b"var/logs/app.txt", "file", False),
    case([exc("logs/*.txt")], b"logs/app.txt", "file", False),
    case([exc("logs/*.txt")], b"app.txt", "file", True),
    case([exc("logs/*.txt")], b"logs/x/app.txt", "file", True),
    case([exc("logs/app.log")], b"var/logs/app.log", "file", False),
    case([exc("logs/app.log")], b"xlogs/app.log", "file", True),
    # rsync counts a '/' inside a class as a component separator, so this never matches.
    case([exc("a[!/]b")], b"axb", "file", True),
    # '**' crosses '/'; a leading '**/' also matches at the top.
    case([exc("**/app.log")], b"app.log", "file", False),
    case([exc("**/app.log")], b"var/logs/app.log", "file", False),
    case([exc("logs/**")], b"var/logs/b.log", "file", False),
    case([exc("logs/**")], b"logs", "dir", True),
    case([exc("a**b")], b"a/x/b", "file", False),
    # 'dir/***' matches the directory itself and everything in it.
    case([exc("logs/***")], b"var/logs", "dir", False),
    case([exc("/logs/***")], b"var/logs", "dir", True),
    case([inc("logs/***"), exc("*")], b"logs/x/a.log", "file", True),
    case([inc("logs/***"), exc("*")], b"a.log", "file", False),
    # "+ "/"- " prefixes override the option; "!" clears the rules before it.
    case([exc("+ *.log"), exc("*")], b"a.log", "file", True),
    case([exc("+ *.log"), exc("*")], b"b.txt", "file", False),
    case([inc("- *.gz")], b"a.gz", "file", False),
    case([inc("*.log"), exc("!"), exc("*.log")], b"a.log", "file", False),
    case([inc("*.log"), exc("!"), exc("*.log")], b"b.txt", "file", True),
    case([exc("!a.log")], b"!a.log", "file", False),
    case([exc("!a.log")], b"a.log", "file", True),
]


def make(root: Path, path: bytes, is_dir: bool) -> None:
    full = os.path.join(os.fsencode(root), path)
    if is_dir:
        os.makedirs(full)
    else:
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb"):
            pass


@pytest.mark.parametrize(("rules", "path", "is_dir", "expected"), TABLE)
def test_decision_agrees_with_rsync(
    tmp_path: Path, rules: list[Rule], path: bytes, is_dir: bool, expected: bool
) -> None:
    root = tmp_path / "src"
    make(root, path, is_dir)
    listing = rsync_listing(root, rules or DEFAULT_RULES)
    parents = [path[:i] for i in range(len(path)) if path[i : i + 1] == b"/"]
    assert all(p in listing.dirs for p in parents), "table row: a parent dir is excluded"
    assert (path in (listing.dirs if is_dir else listing.files)) == expected, "rsync disagrees"
    assert FilterRules(rules).included(path, is_dir=is_dir) == expected
    assert FilterRules(rules).included(os.fsdecode(path), is_dir=is_dir) == expected


def test_no_rules_means_the_default_idiom() -> None:
    assert FilterRules().rules == DEFAULT_RULES
    assert FilterRules([]).rules == DEFAULT_RULES
    assert FilterRules(None) == FilterRules(list(DEFAULT_RULES))


def test_decide_names_the_deciding_rule_after_prefixes() -> None:
    rules = FilterRules([exc("+ *.log"), inc("- *.gz"), exc("*")])
    assert rules.effective == (inc("*.log"), exc("*.gz"), exc("*"))
    assert rules.decide("d/a.log", is_dir=False) == inc("*.log")
    assert rules.decide("a.gz", is_dir=False) == exc("*.gz")
    assert rules.decide("b.txt", is_dir=False) == exc("*")
    assert FilterRules([exc("*.gz")]).decide("b.txt", is_dir=False) is None


def test_bang_clears_earlier_rules_only() -> None:
    rules = FilterRules([exc("*.log"), inc("!"), exc("*.txt")])
    assert rules.effective == (exc("*.txt"),)
    assert rules.rules == (exc("*.log"), inc("!"), exc("*.txt"))
    assert FilterRules([exc("*"), exc("!")]).included("anything", is_dir=False)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (exc(""), "--exclude pattern is empty"),
        (inc("- "), "nothing follows the prefix"),
        (inc("+ "), "nothing follows the prefix"),
        (exc("[abc"), "unterminated character class '[' at offset 0"),
        (exc("/logs/[!a"), "unterminated character class '[' at offset 6"),
        (exc("*.log\\"), "pattern ends in a lone backslash at offset 5"),
        (exc("[[:word:]]"), "unknown character class '[:word:]' at offset 1"),
        (exc("a\0b"), "NUL byte in pattern at offset 1"),
    ],
)
def test_malformed_rule_is_a_config_error_naming_it(rule: Rule, message: str) -> None:
    with pytest.raises(ConfigError, match=r"^--") as info:
        FilterRules([rule])
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_bad_kind_or_pattern_type_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="'include' or 'exclude', not 'skip'"):
        FilterRules([Rule("skip", "*.log")])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="must be a string"):
        FilterRules([Rule("include", 42)])  # type: ignore[arg-type]


def test_trailing_whitespace_is_kept_and_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="logpipe.ingest.rules"):
        rules = FilterRules([exc("*.log ")])
    assert "trailing whitespace is part of the pattern" in caplog.text
    assert not rules.included("a.log ", is_dir=False)
    assert rules.included("a.log", is_dir=False)


def test_a_literal_backslash_pattern_is_not_malformed() -> None:
    # Without a wildcard rsync compares the pattern as a plain string, backslash included.
    assert not FilterRules([exc("dir\\")]).included("dir\\", is_dir=False)


def test_rules_compare_by_effect_and_show_what_was_given() -> None:
    assert FilterRules([exc("- *.gz")]) == FilterRules([inc("- *.gz")])
    assert hash(FilterRules([exc("*.gz")])) == hash(FilterRules([inc("- *.gz")]))
    assert FilterRules([exc("*.gz")]) != FilterRules([inc("*.gz")])
    assert repr(FilterRules([exc("*.gz")])) == "FilterRules([Rule(kind='exclude', pattern='*.gz')])"
