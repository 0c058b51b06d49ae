"""rsync's ``--include``/``--exclude`` filter rules, matched on bytes exactly as rsync 3.2.7."""

from __future__ import annotations

import enum
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


class _Where(enum.Enum):
    """Which part of the path a pattern is matched against (rsync's ``rule_matches``)."""

    NAME = "the last component"
    ROOT = "the whole path, from the source root"
    TAIL = "the last N components"
    ANYWHERE = "the path from its start or from after any '/'"


@dataclass(frozen=True, slots=True)
class _Matcher:
    """A rule compiled once: where it looks, and a regex over bytes."""

    rule: Rule  # the effective rule: "+ "/"- " prefix applied, pattern without it
    dir_only: bool  # a trailing '/': only directories match
    where: _Where
    components: int  # for TAIL: how many trailing components
    lead_slash: bool  # a leading "**": "/" goes before the path so "**/x" matches "x"
    dir_slash: bool  # a trailing "***": "/" goes after a directory so "d/***" matches "d"
    regex: re.Pattern[bytes]

    def matches(self, path: bytes, is_dir: bool) -> bool:
        """Whether this rule matches ``path`` (``/``-separated bytes, relative to the root)."""
        if self.dir_only and not is_dir:
            return False
        if self.where is _Where.NAME:
            return self.regex.fullmatch(path.rpartition(b"/")[2]) is not None
        if self.where is _Where.TAIL:
            pieces = path.rsplit(b"/", self.components)
            if len(pieces) < self.components:
                return False  # fewer components than the pattern has
            tail = path[len(pieces[0]) + 1 :] if len(pieces) > self.components else path
            return self.regex.fullmatch(tail) is not None
        subject = b"/" + path if self.lead_slash else path
        if self.dir_slash and is_dir:
            subject += b"/"
        if self.where is _Where.ANYWHERE:
            return self.regex.search(subject) is not None
        return self.regex.fullmatch(subject) is not None


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


def _compile(rule: Rule) -> _Matcher:
    """Compile one effective rule, deciding its flags the way rsync's ``add_rule`` does."""
    raw = os.fsencode(rule.pattern)
    dir_only = len(raw) > 1 and raw.endswith(b"/")
    if dir_only:
        raw = raw[:-1]
    slashes = raw.count(b"/")
    wild = any(ch in raw for ch in b"*[?")
    wild2 = b"**" in raw  # counted on the raw text, escaped stars included, as rsync does
    lead = raw.startswith(b"**")
    anchored = raw.startswith(b"/")
    body = raw[1:] if anchored else raw
    try:
        source = _wildmatch.translate(body) if wild else re.escape(body)
    except _wildmatch.PatternError as exc:
        offset = exc.offset + (1 if anchored else 0)
        raise errors.ConfigError(
            f"--{rule.kind} {rule.pattern!r}: {exc.reason} at offset {offset} "
            "(rsync would silently match nothing)"
        ) from exc
    if anchored:
        where = _Where.ROOT
    elif not slashes and not wild2:
        where = _Where.NAME
    elif not wild2:
        where = _Where.TAIL
    else:
        where = _Where.ROOT if lead else _Where.ANYWHERE
    if where is _Where.ANYWHERE:
        source = rb"(?:\A|(?<=/))(?:" + source + rb")\Z"
    return _Matcher(
        rule=rule,
        dir_only=dir_only,
        where=where,
        components=slashes + 1,
        lead_slash=lead,
        dir_slash=wild2 and raw.endswith(b"***"),
        regex=re.compile(source, re.DOTALL),
    )


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
        self._matchers = tuple(_compile(rule) for rule in _effective(self.rules))

    @property
    def effective(self) -> tuple[Rule, ...]:
        """The rules as applied: prefixes resolved, those before a ``"!"`` dropped."""
        return tuple(m.rule for m in self._matchers)

    def decide(self, relpath: str | bytes, *, is_dir: bool) -> Rule | None:
        """The effective rule that decides ``relpath``, or None when no rule matches."""
        path = os.fsencode(relpath)
        for matcher in self._matchers:
            if matcher.matches(path, is_dir):
                return matcher.rule
        return None

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
