"""Shared hypothesis strategies, one section per invariant they serve (add, do not rewrite)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from logpipe.ingest.rules import Rule, RuleKind

# --- formatting ------------------------------------------------------------------

#: Every finite float64, subnormals and negative zero included.
finite_floats = st.floats(allow_nan=False, allow_infinity=False)

#: Text as logs carry it: any code point but surrogates, biased to the tricky ones
#: (quotes, backslashes, control and format characters, separators, non-ASCII).
log_text = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=["Cs"]),
        st.sampled_from('"\\ \t\n\r\x00\x07\x1b\x7f\x85\xa0\u200b\u2028\u2029\ufeff<>&=:'),
        st.sampled_from("aZ09-._/@^+"),
    ),
    max_size=40,
)

#: Field keys that need no thought (logrus never quotes keys anyway).
field_keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)

#: Fixed zones as Go has them: UTC, named abbreviations, unnamed offsets.
fixed_zones = st.one_of(
    st.just(UTC),
    st.builds(
        lambda minutes, name: timezone(timedelta(minutes=minutes), name),
        st.integers(-14 * 60, 14 * 60),
        st.sampled_from(["CET", "IST", "PDT", "NZDT", "X"]),
    ),
    st.builds(lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-14 * 60, 14 * 60)),
)

#: Aware datetimes over the years logs are written in, in Go-representable zones.
aware_datetimes = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=fixed_zones
)

#: UNIX times (seconds) of log records, microsecond resolution.
epoch_seconds = st.integers(0, 7_000_000_000_000_000).map(lambda us: us / 1e6)

#: JSON-encodable values as Go's encoding/json sees them (maps, lists, scalars).
json_values: st.SearchStrategy[Any] = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**64), 2**64),
        finite_floats,
        log_text,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(log_text, inner, max_size=4)
    ),
    max_leaves=12,
)

#: Values a log field may hold (what Go's %v has counterparts for).
field_values: st.SearchStrategy[Any] = st.one_of(
    log_text,
    st.integers(-(2**70), 2**70),
    finite_floats,
    st.booleans(),
    st.none(),
    st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(days=3)),
    st.lists(st.integers(), max_size=4),
    st.dictionaries(field_keys, st.integers(), max_size=3),
    st.binary(max_size=6),
)


# --- rsync filter rules: random rule lists select what the real rsync selects -------------
# Two kinds of pattern: free ones built from tokens and every wildcard form rsync knows
# (syntax coverage), and ones made from a real path of the tree with parts turned into
# wildcards (so that rules match, and the order of rules matters).

_TOKENS = ("a", "app", "log", "logs", "x", "var", "skip", "keep", ".", "-", "1", "ü", " ")
_WILDCARDS = (
    "*",
    "**",
    "?",
    "[a-m]",
    "[!a]",
    "[^.]",
    "[]x]",
    "[[:digit:]]",
    "[[:upper:]]",
    "[-.]",
    "\\*",
    "\\.",
    "\\a",
)
_SEGMENT = st.lists(
    st.one_of(st.sampled_from(_TOKENS), st.sampled_from(_WILDCARDS)), min_size=1, max_size=3
).map("".join)
_SPECIAL = frozenset(b"*?[\\")


@st.composite
def free_patterns(draw: st.DrawFn) -> str:
    """A well-formed pattern of 1-3 segments, maybe anchored, maybe with a ``/``-ish tail."""
    lead = draw(st.sampled_from(("", "", "/", "**/")))
    body = "/".join(draw(st.lists(_SEGMENT, min_size=1, max_size=3)))
    return lead + body + draw(st.sampled_from(("", "", "/", "/***", "/**", "***")))


@st.composite
def patterns_from_paths(draw: st.DrawFn, paths: Sequence[bytes]) -> str:
    """Some leading (anchored) or trailing components of a real path, parts made wildcards."""
    parts = draw(st.sampled_from(paths)).split(b"/")
    count = draw(st.integers(1, len(parts)))
    anchored = draw(st.booleans())
    chosen = b"/".join(parts[:count] if anchored else parts[-count:])
    # One item per byte of the path, escaped where the byte is a wildcard character.
    items = [b"\\" + bytes((c,)) if c in _SPECIAL else bytes((c,)) for c in chosen]
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, len(items) - 1))
        end = draw(st.integers(start + 1, min(len(items), start + 6)))
        span = b"".join(items[start:end])
        if b"/" in span:
            items[start:end] = [b"**"]
        else:
            items[start:end] = [draw(st.sampled_from((b"*", b"?" * (end - start), b"[!/]*")))]
    tail = draw(st.sampled_from((b"", b"", b"/", b"/***", b"*")))
    return os.fsdecode((b"/" if anchored else b"") + b"".join(items) + tail)


@st.composite
def filter_rules(draw: st.DrawFn, paths: Sequence[bytes]) -> Rule:
    """One ``--include``/``--exclude`` rule, sometimes with rsync's ``+ ``/``- `` prefix."""
    kind: RuleKind = draw(st.sampled_from(("include", "exclude")))
    prefix = draw(st.sampled_from(("", "", "", "", "+ ", "- ")))
    pattern = draw(st.one_of(free_patterns(), patterns_from_paths(paths)))
    return Rule(kind, prefix + pattern)


_ALL_DIRS = Rule("include", "*/")
_NOTHING_ELSE = Rule("exclude", "*")


@st.composite
def filter_rule_lists(draw: st.DrawFn, paths: Sequence[bytes]) -> list[Rule]:
    """1-7 rules in command-line order, now and then a ``"!"`` that clears those before it.

    Often the rsync idiom's ``--include='*/'`` comes first (every directory is entered, so
    every file meets the random rules) and/or its ``--exclude='*'`` closes the list.
    """
    rules = draw(st.lists(filter_rules(paths), min_size=1, max_size=4))
    if draw(st.integers(0, 9)) == 0:
        clear = Rule(draw(st.sampled_from(("include", "exclude"))), "!")
        rules.insert(draw(st.integers(0, len(rules))), clear)
    lead = draw(st.sampled_from(((), (_ALL_DIRS,), (_ALL_DIRS,))))
    tail = draw(st.sampled_from(((), (), (_NOTHING_ELSE,), (_ALL_DIRS, _NOTHING_ELSE))))
    return [*lead, *rules, *tail]


# --- ingest: byte streams of log files, and what writers do to them ---------------

#: Pieces a log file is made of: text, both line terminators, a lone CR, multi-byte
#: UTF-8, bytes that are not UTF-8, a truncated multi-byte sequence, NUL.
LOG_PIECES = st.sampled_from(
    [
        b"a",
        b"xyz ",
        b"\n",
        b"\r\n",
        b"\r",
        "é".encode(),
        "€".encode(),
        "😀".encode(),
        b"\xff",
        b"\xc3",
        b"\xe2\x82",
        b"\x80",
        b"\x00",
        b'level=info msg="hi"',
    ]
)


@st.composite
def log_bytes(draw: st.DrawFn, max_pieces: int = 60) -> bytes:
    """A byte stream as a log file might hold, often with very long lines."""
    pieces = draw(st.lists(LOG_PIECES, max_size=max_pieces))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(pieces)))
        pieces.insert(at, b"L" * draw(st.integers(1, 40)))
    return b"".join(pieces)


@st.composite
def chunkings(draw: st.DrawFn, data: bytes) -> list[bytes]:
    """``data`` cut into consecutive chunks at arbitrary places (empty chunks included)."""
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=8)))
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


def writer_ops(
    bases: tuple[str, ...], max_size: int = 40
) -> st.SearchStrategy[list[tuple[str, ...]]]:
    """What a log writer and the world do to a daemon: append, rotate (rename,
    copytruncate, plain truncate), inotify events, time passing, and crashes (idle,
    or with a commit that did not land / landed without the process learning it)."""
    base = st.sampled_from(bases)
    op = st.one_of(
        st.tuples(st.just("append"), base),
        st.tuples(st.just("append"), base),
        st.tuples(st.just("rotate"), base, st.sampled_from(["rename", "copytruncate", "truncate"])),
        st.tuples(st.just("event"), base),
        st.tuples(st.just("tick"), st.sampled_from(["0.1", "0.6", "1.1", "3"])),
        st.tuples(st.just("crash"), st.sampled_from(["idle", "before", "after"])),
    )
    return st.lists(op, max_size=max_size)
