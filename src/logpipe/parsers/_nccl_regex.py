"""One regex text, two engines: Python ``re`` (the reference) and RE2 (pyarrow compute).

Patterns are written once in Python syntax with ASCII classes. Both engines then agree on
every match and capture because the few constructs they read differently are rewritten:
RE2's ``\\s`` lacks ``\\v``, and Python's ``$`` also matches before a final newline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

__all__ = [
    "END",
    "HEX",
    "HOST",
    "N9",
    "N18",
    "NUM",
    "S9",
    "TS",
    "WS",
    "Family",
    "capture_names",
    "py",
    "re2",
    "without_captures",
]

#: The whitespace set both engines agree on (Python's ASCII ``\s``).
WS = " \t\n\r\x0b\x0c"
_WS_CLASS = r" \t\n\r\x0b\x0c"
_GROUP = re.compile(r"\(\?P<(\w+)>")

# Pattern fragments shared by the family tables.
N9 = r"\d{1,9}"
S9 = r"-?\d{1,9}"
N18 = r"\d{1,18}"
HEX = r"[0-9a-fA-F]{1,16}"
NUM = r"\d+(?:\.\d+)?"
HOST = r"[^\s:\[\]]+"
TS = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[^\]]*"
# After a transport: the end, whitespace, or the quote closing a logrus/JSON message.
END = r'(?:[\s"](?s:.*))?$'


@dataclass(frozen=True)
class Family:
    """One message family: a regex matched at the start of the message.

    ``starts``/``contains`` are literal necessary conditions (a message the regex matches
    starts with one of ``starts`` and contains ``contains``): the vectorized path only
    runs the regex where they hold.
    """

    name: str
    pattern: str
    starts: tuple[str, ...] = ()
    contains: str | None = None


def _translate(pattern: str, *, engine: str) -> str:
    """Rewrite ``\\s``/``\\S`` (for RE2) or ``$`` (for Python) outside escapes."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escape = pattern[i : i + 2]
            if engine == "re2" and escape == r"\s":
                out.append(_WS_CLASS if in_class else f"[{_WS_CLASS}]")
            elif engine == "re2" and escape == r"\S":
                if in_class:
                    raise ValueError(f"\\S inside a class is not portable: {pattern!r}")
                out.append(f"[^{_WS_CLASS}]")
            else:
                out.append(escape)
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "$" and not in_class and engine == "py":
            char = r"\Z"
        out.append(char)
        i += 1
    return "".join(out)


@cache
def py(pattern: str) -> re.Pattern[str]:
    """The compiled Python regex (ASCII classes, ``$`` = end of text)."""
    return re.compile(_translate(pattern, engine="py"), re.ASCII)


@cache
def re2(pattern: str) -> str:
    """The same pattern as RE2 text for ``pyarrow.compute``."""
    return _translate(pattern, engine="re2")


def capture_names(pattern: str) -> tuple[str, ...]:
    """Named groups in order of appearance."""
    return tuple(_GROUP.findall(pattern))


def without_captures(pattern: str) -> str:
    """The pattern with named groups made non-capturing (a cheaper match-only test)."""
    return _GROUP.sub("(?:", pattern)
