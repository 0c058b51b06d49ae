"""A reference decoder for Go's ``%q`` (``strconv.Unquote``), to check quoting by round trip."""

from __future__ import annotations

import re

_SIMPLE = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_ESCAPE = re.compile(r'\\(?:x([0-9a-f]{2})|u([0-9a-f]{4})|U([0-9a-f]{8})|([abfnrtv"\\]))')


def _raw(text: str, quoted: str) -> bytes:
    if '"' in text or "\\" in text:
        raise ValueError(f"unescaped quote or backslash in {quoted!r}")
    return text.encode()


def go_unquote(quoted: str) -> str:
    """The string a Go double-quoted literal stands for (\\xHH bytes must form UTF-8)."""
    if len(quoted) < 2 or quoted[0] != '"' or quoted[-1] != '"':
        raise ValueError(f"not a Go string literal: {quoted!r}")
    body = quoted[1:-1]
    out = bytearray()
    pos = 0
    for match in _ESCAPE.finditer(body):
        out += _raw(body[pos : match.start()], quoted)
        hex_byte, u4, u8, simple = match.groups()
        if hex_byte:
            out.append(int(hex_byte, 16))
        elif u4 or u8:
            out += chr(int(u4 or u8, 16)).encode("utf-8", "surrogatepass")
        else:
            out += _SIMPLE.get(simple, simple).encode()
        pos = match.end()
    out += _raw(body[pos:], quoted)
    return out.decode("utf-8", "surrogatepass")
