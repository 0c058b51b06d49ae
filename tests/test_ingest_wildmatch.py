"""Pattern translation: rsync wildmatch syntax to a bytes regex, corner by corner."""

from __future__ import annotations

import re

import pytest

from logpipe.ingest._wildmatch import PatternError, translate


def matches(pattern: bytes, text: bytes) -> bool:
    return re.fullmatch(translate(pattern), text, re.DOTALL) is not None


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        # '*' stops at '/', two or more stars do not; '?' is one byte but never '/'.
        (b"*", b"abc", True),
        (b"*", b"", True),
        (b"*", b"a/b", False),
        (b"a*c", b"a/c", False),
        (b"**", b"a/b/c", True),
        (b"a**c", b"a/b/c", True),
        (b"a***c", b"a/b/c", True),
        (b"a/**/c", b"a/c", False),  # no zero-directory magic, unlike git
        (b"a/**/c", b"a/b/c", True),
        (b"?", b"/", False),
        (b"?", b"\xff", True),
        (b"??", "é".encode(), True),
        (b"?", b"\n", True),
        (b"*", b"new\nline", True),
        # Backslash makes the next byte literal, wildcards included.
        (b"\\*", b"*", True),
        (b"\\*", b"a", False),
        (b"\\?", b"?", True),
        (b"\\[a]", b"[a]", True),
        (b"\\\\", b"\\", True),
        (b"\\a", b"a", True),
        # Regex metacharacters in a pattern are plain bytes.
        (b"a.b", b"axb", False),
        (b"(a|b)+$", b"(a|b)+$", True),
        # Classes: members, negation with '!' or '^', ranges, ']' first, '-' first or last.
        (b"[abc]", b"b", True),
        (b"[abc]", b"d", False),
        (b"[!abc]", b"d", True),
        (b"[^abc]", b"a", False),
        (b"[a-c]", b"b", True),
        (b"[c-a]", b"b", False),  # a reversed range is empty...
        (b"[c-a]", b"c", True),  # ...but its first byte was a member before the '-'
        (b"[]]", b"]", True),
        (b"[!]]", b"]", False),
        (b"[]a]", b"a", True),
        (b"[-a]", b"-", True),
        (b"[a-]", b"-", True),
        (b"[a-c-e]", b"-", True),  # after a range, '-' is a member again
        (b"[a-c-e]", b"d", False),
        (b"[\\]]", b"]", True),
        (b"[\\!a]", b"!", True),
        (b"[a\\-z]", b"m", False),
        (b"[a\\-z]", b"-", True),
        (b"[\\a-\\c]", b"b", True),
        (b"[\x80-\xff]", b"\xe9", True),
        (b"[\x80-\xff]", b"e", False),
        # A class never matches '/', not even negated or spelled out.
        (b"[!a]", b"/", False),
        (b"[/]", b"/", False),
        (b"[.-0]", b"/", False),
        (b"[.-0]", b"0", True),
        # POSIX classes, C locale (no byte >= 0x80 is in any), and their near misses.
        (b"[[:digit:]]", b"7", True),
        (b"[[:alpha:]]", b"\xe9", False),
        (b"[[:upper:][:digit:]]", b"Q", True),
        (b"[![:space:]]", b" ", False),
        (b"[[:punct:]]", b"_", True),
        (b"[[:xdigit:]]", b"g", False),
        (b"[[:x]", b":", True),  # no ":]": '[', ':' and 'x' are plain members
        (b"[[:x]", b"[", True),
        (b"[[:]", b":", True),
        (b"[[:digit:]-z]", b"-", True),  # a named class ends any range
    ],
)
def test_matches_like_rsync_wildmatch(pattern: bytes, text: bytes, expected: bool) -> None:
    assert matches(pattern, text) is expected


@pytest.mark.parametrize(
    ("pattern", "reason", "offset"),
    [
        (b"[", "unterminated character class '['", 0),
        (b"a[bc", "unterminated character class '['", 1),
        (b"[]", "unterminated character class '['", 0),
        (b"[!]", "unterminated character class '['", 0),
        (b"[a\\", "unterminated character class '['", 0),
        (b"[a-\\", "unterminated character class '['", 0),
        (b"[[:alpha:]", "unterminated character class '['", 0),
        (b"[[:alpha", "unterminated character class '['", 0),
        (b"x[[:foo:]]", "unknown character class '[:foo:]'", 2),
        (b"[[::]]", "unknown character class '[::]'", 1),
        (b"*\\", "pattern ends in a lone backslash", 1),
    ],
)
def test_patterns_rsync_can_never_match_are_errors(
    pattern: bytes, reason: str, offset: int
) -> None:
    with pytest.raises(PatternError) as info:
        translate(pattern)
    assert (info.value.reason, info.value.offset) == (reason, offset)
    assert isinstance(info.value, ValueError)


def test_a_class_no_byte_satisfies_compiles_to_a_never_match() -> None:
    assert translate(b"[!\x01-\xff]") == b"(?!)"
    assert not matches(b"x[!\x01-\xff]*", b"xa")


def test_runs_of_bytes_become_compact_ranges() -> None:
    assert translate(b"[a-cx]") == b"[\\x61-\\x63\\x78]"
    assert translate(b"[!a]") == b"[\\x01-\\x2e\\x30-\\x60\\x62-\\xff]"  # no '/' (0x2f)


def test_bytes_between_stars_commit_to_their_first_fit_only_where_that_is_safe() -> None:
    assert translate(b"*a*b") == b"(?>[^/]*?a)[^/]*b"
    assert translate(b"**a**b") == b"(?>.*?a).*b"
    assert translate(b"*a**b") == b"(?>[^/]*?a).*b"
    # After '**', a later '*' cannot cross '/', so the first 'a' is not always the one.
    assert translate(b"**a*b") == b".*a[^/]*b"
    assert matches(b"**a*b", b"a/xab")
    # Between two '*', bytes holding a '/' are left to ordinary backtracking.
    assert translate(b"*a/*b") == b"[^/]*a/[^/]*b"


@pytest.mark.parametrize("pattern", [b"*a*a*a*a*a*a*b", b"**a**a**a**a**a**b", b"a**a*a*a*b"])
def test_many_stars_against_a_long_name(pattern: bytes) -> None:
    assert not matches(pattern, b"a" * 250)
    assert matches(pattern, b"a" * 250 + b"b")
