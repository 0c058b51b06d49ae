"""rsync's ``--include``/``--exclude`` filter rules, matched on bytes exactly as rsync 3.2.7."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from logpipe import errors
from logpipe.ingest import _wildmatch

__all__ = ["DEFAULT_RULES", "FilterRules", "Rule"]

RuleKind = Literal["include", "exclude"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Rule:
    """One ``--include`` or ``--exclude`` pattern, in the order given on the command line.

    As in rsync, a pattern may start with ``"+ "`` or ``"- "`` to make it an include or an
    exclude whatever option carried it, and a pattern that is exactly ``"!"`` clears every
    rule before it.
    """

    kind: RuleKind
    pattern: str


#: ``--include='*.log' --include='*/' --exclude='*'``: every ``*.log`` at any depth.
DEFAULT_RULES: Final = (Rule("include", "*.log"), Rule("include", "*/"), Rule("exclude", "*"))


@dataclass(frozen=True, slots=True)
class _Compiled:
    """One rule as regex sources over the subject ``b"/" + relpath`` (+ ``b"/"`` for a dir).

    Every rsync matching mode is folded into the regex, so that all rules can be fused into
    one alternation: the first alternative that matches is the first rule that matches.
    """

    rule: Rule  # the effective rule: "+ "/"- " prefix applied, pattern without it
    for_file: bytes | None  # None: a trailing '/' makes it match directories only
    for_dir: bytes


def _fuse(compiled: Sequence[_Compiled], is_dir: bool) -> tuple[re.Pattern[bytes], list[Rule]]:
    """One regex of every rule for files (or dirs); group N matching means rule N decides."""
    sources = [(c.for_dir if is_dir else c.for_file, c.rule) for c in compiled]
    kept = [(src, rule) for src, rule in sources if src is not None]
    if not kept:
        return re.compile(rb"(?!)"), []
    joined = b"|".join(b"(" + src + b")" for src, _ in kept)
    return re.compile(joined, re.DOTALL), [rule for _, rule in kept]


def _parse(rule: Rule) -> Rule | None:
    """The effective rule once rsync's ``"+ "``/``"- "`` prefix is applied; None for ``"!"``."""
    if rule.kind not in ("include", "exclude"):
        got = rule.kind
        raise errors.ConfigError(f"filter rule kind must be 'include' or 'exclude', not {got!r}")
    if not isinstance(rule.pattern, str):
        raise errors.ConfigError(f"--{rule.kind} pattern must be a string, not {rule.pattern!r}")
    pattern = rule.pattern
    if pattern == "!":
        return None
    if not pattern:
        # rsync silently ignores an empty pattern; that is nearly always an unset variable.
        raise errors.ConfigError(f"--{rule.kind} pattern is empty")
    if "\0" in pattern:
        offset = pattern.index("\0")
        raise errors.ConfigError(
            f"--{rule.kind} {pattern!r}: NUL byte in pattern at offset {offset}"
        )
    if pattern[-1].isspace():  # rsync warns of this too (with --debug=FILTER)
        _log.warning("--%s %r: the trailing whitespace is part of the pattern", rule.kind, pattern)
    kind: RuleKind = rule.kind
    if pattern[:2] in ("- ", "+ "):
        kind = "exclude" if pattern[0] == "-" else "include"
        pattern = pattern[2:]
        if not pattern:
            raise errors.ConfigError(f"--{rule.kind} {rule.pattern!r}: nothing follows the prefix")
    return Rule(kind, pattern)


def _compile(rule: Rule) -> _Compiled:
    """Compile one effective rule, deciding its flags the way rsync's ``add_rule`` does."""
    raw = os.fsencode(rule.pattern)
    dir_only = len(raw) > 1 and raw.endswith(b"/")
    if dir_only:
        raw = raw[:-1]
    wild2 = b"**" in raw  # counted on the raw text, escaped stars included, as rsync does
    anchored = raw.startswith(b"/")
    body = raw[1:] if anchored else raw
    try:
        wild = any(ch in raw for ch in b"*[?")
        pattern = _wildmatch.translate(body) if wild else re.escape(body)
    except _wildmatch.PatternError as exc:
        offset = exc.offset + (1 if anchored else 0)
        raise errors.ConfigError(
            f"--{rule.kind} {rule.pattern!r}: {exc.reason} at offset {offset} "
            "(rsync would silently match nothing)"
        ) from exc
    # A trailing "***" (with "**" in it) also matches the directory itself: rsync puts a '/'
    # after a directory's name for such a rule, and the pattern must consume it.
    dir_slash = wild2 and raw.endswith(b"***")
    for_dir = _head(raw, anchored, wild2, b"/") + pattern + (b"" if dir_slash else b"/")
    for_file = None if dir_only else _head(raw, anchored, wild2, b"") + pattern
    return _Compiled(rule, for_file, for_dir)


def _head(raw: bytes, anchored: bool, wild2: bool, end: bytes) -> bytes:
    """Where in ``b"/" + relpath + end`` the pattern may start (rsync's ``rule_matches``)."""
    if anchored or raw.startswith(b"**"):
        # Anchored at the root; or a leading "**", which rsync lets match the leading "/"
        # it puts before the path, so that "**/x" matches a top-level "x".
        return b"/" if anchored else b""
    slashes = raw.count(b"/")  # a '/' in a class or after a backslash counts too
    if slashes and not wild2:
        # The last slashes+1 components, exactly: rsync counts them off from the end.
        return rb".*/(?=(?:[^/]*/){%d}[^/]*%s\Z)" % (slashes, re.escape(end))
    # No '/': the last component (nothing there can match a '/').  With an inner "**":
    # from the start or from after any '/'.
    return rb".*/"


def _effective(rules: Iterable[Rule]) -> list[Rule]:
    kept: list[Rule] = []
    for rule in rules:
        parsed = _parse(rule)
        if parsed is None:
            kept.clear()
        else:
            kept.append(parsed)
    return kept


class FilterRules:
    """An ordered rule list; the first matching rule decides, unmatched paths are included.

    With no rule (``None`` or empty) the list is :data:`DEFAULT_RULES`; once any rule is
    given the defaults are not added.  Patterns are compiled once, here: a malformed one
    raises :class:`~logpipe.errors.ConfigError` naming it.
    """

    def __init__(self, rules: Sequence[Rule] | None = None) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules) if rules else DEFAULT_RULES
        compiled = [_compile(rule) for rule in _effective(self.rules)]
        self.effective: tuple[Rule, ...] = tuple(c.rule for c in compiled)
        self._files, self._file_rules = _fuse(compiled, is_dir=False)
        self._dirs, self._dir_rules = _fuse(compiled, is_dir=True)

    def decide(self, relpath: str | bytes, *, is_dir: bool) -> Rule | None:
        """The effective rule that decides ``relpath``, or None when no rule matches."""
        path = os.fsencode(relpath)
        if is_dir:
            found = self._dirs.fullmatch(b"/" + path + b"/")
            rules = self._dir_rules
        else:
            found = self._files.fullmatch(b"/" + path)
            rules = self._file_rules
        return None if found is None or found.lastindex is None else rules[found.lastindex - 1]

    def included(self, relpath: str | bytes, *, is_dir: bool) -> bool:
        """Whether ``relpath`` (``/``-separated, relative to the source root) is selected."""
        rule = self.decide(relpath, is_dir=is_dir)
        return rule is None or rule.kind == "include"

    def __repr__(self) -> str:
        return f"FilterRules({list(self.rules)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FilterRules) and self.effective == other.effective

    def __hash__(self) -> int:
        return hash(self.effective)
