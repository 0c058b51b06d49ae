"""Translate an rsync wildmatch pattern (bytes) into an equivalent bytes regular expression.

A port of the pattern grammar of rsync 3.2.7's ``lib/wildmatch.c``: ``?`` is any byte but
``/``, ``*`` is a run of such bytes, two or more stars match anything (``/`` too), ``\\x`` is
a literal ``x``, and ``[...]`` is a class (``!`` or ``^`` negates; ranges; ``[:alpha:]``
and friends in the C locale; a class never matches ``/``).  rsync's matcher gives up without
a match when a class is unterminated, names an unknown ``[:class:]`` or the pattern ends in
a lone backslash; such a pattern can never match anything, so here it is an error instead.
"""

from __future__ import annotations

import re
import string

__all__ = ["PatternError", "translate"]

_BACKSLASH, _DASH, _COLON = ord("\\"), ord("-"), ord(":")
_OPEN, _CLOSE, _SLASH = ord("["), ord("]"), ord("/")


def _ascii(chars: str) -> frozenset[int]:
    return frozenset(chars.encode("ascii"))


# The C locale's <ctype.h> classes: rsync classifies single bytes, so no byte >= 0x80 is in any.
_CNTRL = frozenset(range(32)) | {127}
_PRINT = frozenset(range(32, 127))
_ALNUM = _ascii(string.ascii_letters + string.digits)
_CLASSES: dict[bytes, frozenset[int]] = {
    b"alnum": _ALNUM,
    b"alpha": _ascii(string.ascii_letters),
    b"blank": _ascii(" \t"),
    b"cntrl": _CNTRL,
    b"digit": _ascii(string.digits),
    b"graph": _PRINT - {32},
    b"lower": _ascii(string.ascii_lowercase),
    b"print": _PRINT,
    b"punct": _PRINT - {32} - _ALNUM,
    b"space": _ascii(" \t\n\v\f\r"),
    b"upper": _ascii(string.ascii_uppercase),
    b"xdigit": _ascii(string.hexdigits),
}
_ALL_BYTES = frozenset(range(1, 256))  # a path never holds NUL


class PatternError(ValueError):
    """The pattern is malformed where rsync would silently match nothing; says why and where."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(f"{reason} at offset {offset}")
        self.reason = reason
        self.offset = offset


def translate(pattern: bytes) -> bytes:
    """The regex source matching exactly the byte strings rsync's wildmatch matches.

    The result is meant for ``re.compile(..., re.DOTALL)`` and a full match.  The pattern
    holds no NUL byte (rsync's patterns are C strings; the caller rejects one).
    """
    return _assemble(_tokens(pattern))


# A token: its regex, and its kind: _ONE for '*', _ANY for '**' (or more stars), else _BYTE
# (a literal, '?' or a class: exactly one byte); slash: whether it is a literal '/'.
_BYTE, _ONE, _ANY = 0, 1, 2
_Token = tuple[bytes, int, bool]


def _tokens(pattern: bytes) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == _BACKSLASH:
            if i + 1 == n:
                raise PatternError("pattern ends in a lone backslash", i)
            tokens.append((_literal(pattern[i + 1]), _BYTE, pattern[i + 1] == _SLASH))
            i += 2
        elif ch == ord("?"):
            tokens.append((rb"[^/]", _BYTE, False))
            i += 1
        elif ch == ord("*"):
            stars = len(pattern[i:]) - len(pattern[i:].lstrip(b"*"))
            tokens.append((b"", _ANY if stars > 1 else _ONE, False))
            i += stars
        elif ch == _OPEN:
            members, i = _parse_class(pattern, i)
            tokens.append((_class_regex(members), _BYTE, False))
        else:
            tokens.append((_literal(ch), _BYTE, ch == _SLASH))
            i += 1
    return tokens


def _assemble(tokens: list[_Token]) -> bytes:
    """Join the tokens, committing to the first fit of a run of bytes between two stars.

    Between stars S1 and S2, the leftmost place for the bytes X is as good as any later one
    when S2 is '**' (it absorbs whatever X leaves), or when both are '*' and X holds no '/'
    (all of it lies in one path component).  An atomic group then spares the regex engine
    the polynomial backtracking of patterns like ``*a*a*a*a*b``; rsync's matcher cuts the
    same corners with its ABORT codes.
    """
    out: list[bytes] = []
    i = 0
    while i < len(tokens):
        regex, kind, _ = tokens[i]
        if kind == _BYTE:
            out.append(regex)
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and tokens[j][1] == _BYTE:
            j += 1
        run = b"".join(t[0] for t in tokens[i + 1 : j])
        after = tokens[j][1] if j < len(tokens) else None
        slash = any(t[2] for t in tokens[i + 1 : j])
        if run and (after == _ANY or (kind == after == _ONE and not slash)):
            out.append(b"(?>" + (rb".*?" if kind == _ANY else rb"[^/]*?") + run + b")")
        else:
            out.append((rb".*" if kind == _ANY else rb"[^/]*") + run)
        i = j
    return b"".join(out)


def _literal(ch: int) -> bytes:
    return re.escape(bytes((ch,)))


def _parse_class(pattern: bytes, start: int) -> tuple[frozenset[int], int]:
    """The bytes the class at ``pattern[start] == '['`` matches, and the offset after it.

    Follows wildmatch.c step by step, odd corners included (a ``]`` first is literal, a ``-``
    first, last or right after a range is literal, ``[[:x]`` is a plain set).
    """

    def at(k: int) -> int:
        return pattern[k] if k < len(pattern) else 0

    def need(ch: int) -> int:
        if not ch:
            raise PatternError("unterminated character class '['", start)
        return ch

    i = start + 1
    negated = at(i) in (ord("!"), ord("^"))
    i += 1 if negated else 0
    members: set[int] = set()
    prev, ch = 0, at(i)
    while True:
        need(ch)
        if ch == _BACKSLASH:
            i += 1
            ch = need(at(i))
            members.add(ch)
        elif ch == _DASH and prev and at(i + 1) and at(i + 1) != _CLOSE:
            i += 1
            ch = at(i)
            if ch == _BACKSLASH:
                i += 1
                ch = need(at(i))
            members.update(range(prev, ch + 1))  # empty when reversed, as in C
            ch = 0  # the next '-' cannot extend this range
        elif ch == _OPEN and at(i + 1) == _COLON:
            named, i = _named_class(pattern, i, start)
            if named is None:  # no ":]" before the "]": the '[' is a plain member
                members.add(_OPEN)
            else:
                members |= named
                ch = 0
        else:
            members.add(ch)
        prev, i = ch, i + 1
        ch = at(i)
        if ch == _CLOSE:
            break
    chosen = _ALL_BYTES - members if negated else frozenset(members)
    return chosen - {_SLASH}, i + 1


def _named_class(pattern: bytes, i: int, start: int) -> tuple[frozenset[int] | None, int]:
    """At ``[:``: the named class's bytes and the offset of its closing ``]``; else None, i."""
    end = pattern.find(b"]", i + 2)
    if end < 0:
        raise PatternError("unterminated character class '['", start)
    if end - (i + 2) - 1 < 0 or pattern[end - 1] != _COLON:
        return None, i
    name = pattern[i + 2 : end - 1]
    if name not in _CLASSES:
        shown = name.decode("ascii", "backslashreplace")
        raise PatternError(f"unknown character class '[:{shown}:]'", i)
    return _CLASSES[name], end


def _class_regex(members: frozenset[int]) -> bytes:
    if not members:
        return rb"(?!)"  # a class that no byte satisfies: the pattern cannot match
    parts: list[bytes] = []
    ordered = sorted(members)
    low = high = ordered[0]
    for byte in [*ordered[1:], -1]:
        if byte == high + 1:
            high = byte
            continue
        parts.append(b"\\x%02x" % low if low == high else b"\\x%02x-\\x%02x" % (low, high))
        low = high = byte
    return b"[" + b"".join(parts) + b"]"
