"""Pieces of logrus' text lines: values (Go ``%v``, ``%q`` when needed), pairs, level heads."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from logpipe.formatting._gofmt import quote, sprint

__all__ = [
    "Pairs",
    "key_opener",
    "level_head",
    "needs_quoting",
    "pair_heads",
    "pairs_text",
    "remember",
    "value_quoter",
]

_COLORS = {"trace": 37, "debug": 37, "info": 36, "warning": 33}  # error, fatal, panic: 31
_LONGEST_LEVEL = len("warning")
_CACHE_SIZE = 1024  # entries remembered per cache; cleared when full (a bound, not an LRU)

# logrus' needsQuoting: anything but ASCII letters, digits and - . _ / @ ^ +
_UNSAFE = re.compile(r"[^A-Za-z0-9\-._/@^+]").search


def needs_quoting(text: str) -> bool:
    """Whether logrus (without quoting options) writes ``text`` with ``%q``."""
    if text.isalnum() and text.isascii():
        return False  # the common bare word: two C calls instead of a regex
    return " " in text or _UNSAFE(text) is not None


def _forced(value: Any) -> str:
    """``appendValue`` with ForceQuote: everything in Go ``%q``."""
    return quote(value if type(value) is str else sprint(value))


def value_quoter(force_quote: bool, quote_empty: bool, disable_quote: bool) -> Callable[[Any], str]:
    """logrus' ``appendValue``: Go ``%v`` text, quoted with ``%q`` when it needs to be."""
    if force_quote:
        return _forced

    def render(value: Any) -> str:
        kind = type(value)
        if kind is int:
            return int.__repr__(value)  # digits and "-": never quoted
        text: str = value if kind is str else sprint(value)
        if not text:
            return '""' if quote_empty else ""
        if disable_quote or not needs_quoting(text):
            return text
        return quote(text)

    return render


#: (key, the text written before its value) for each field of a line, in line order.
Pairs = tuple[tuple[str, str], ...]
# needs_quoting's safe set: a str made only of these strips to "" (one C call).
_SAFE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._/@^+"


def pairs_text(
    line: str, values: Mapping[str, Any], pairs: Pairs, value: Callable[[Any], str]
) -> str:
    """``line`` and ``<head>value`` for each (key, head) of ``pairs``, values from ``values``.

    Bare words and ints skip ``value()`` unless everything is quoted (``_forced``).
    """
    bare = value is not _forced
    for key, head in pairs:
        item = values[key]
        kind = type(item)
        if bare:
            if kind is str:
                if item and not item.strip(_SAFE_CHARS):  # every char safe: a bare word
                    line = f"{line}{head}{item}"
                    continue
            elif kind is int:  # an exact int formats as its digits
                line = f"{line}{head}{item}"
                continue
        line = f"{line}{head}{value(item)}"
    return line


def pair_heads(keys: Iterable[str], before: str, after: str) -> Pairs:
    """(key, ``<before>key<after>``) for each key, in the given order."""
    return tuple((key, f"{before}{key}{after}") for key in keys)


def level_head(level: str, no_truncation: bool, pad: bool) -> str:
    """The colored level of logrus' colored form: ``ESC[36mINFOESC[0m``."""
    text = level.upper()
    if pad:
        text = text.ljust(_LONGEST_LEVEL)
    elif not no_truncation:
        text = text[:4]
    return f"\x1b[{_COLORS.get(level, 31)}m{text}\x1b[0m"


def key_opener(level: str) -> str:
    """What precedes each key in the colored form: a space and the level's color."""
    return f" \x1b[{_COLORS.get(level, 31)}m"


def remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    """Store in a bounded cache (cleared when full: call sites are few, keys repeat)."""
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[key] = value
