"""rsync-style include/exclude filter rules (PLACEHOLDER: only the default idiom so far)."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["DEFAULT_RULES", "FilterRules", "Rule"]

RuleKind = Literal["include", "exclude"]


@dataclass(frozen=True, slots=True)
class Rule:
    """One ``--include`` or ``--exclude`` pattern, in the order given on the command line."""

    kind: RuleKind
    pattern: str


#: ``--include='*.log' --include='*/' --exclude='*'``: every ``*.log`` at any depth.
DEFAULT_RULES: Final = (Rule("include", "*.log"), Rule("include", "*/"), Rule("exclude", "*"))


class FilterRules:
    """An ordered rule list; the first matching rule decides, unmatched paths are included."""

    def __init__(self, rules: Sequence[Rule] | None = None) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules) if rules else DEFAULT_RULES

    def included(self, relpath: str, *, is_dir: bool) -> bool:
        """Whether ``relpath`` (``/``-separated, relative to the source root) is selected."""
        name = relpath.rsplit("/", 1)[-1]
        for rule in self.rules:
            pattern = rule.pattern
            if pattern.endswith("/"):
                if not is_dir:
                    continue
                pattern = pattern[:-1]
            if fnmatch.fnmatchcase(name, pattern):
                return rule.kind == "include"
        return True
