"""JSON lines (logrus ``JSONFormatter`` and any one-object-per-line JSON): reference parser.

A line that starts with ``{`` is read as one JSON object. Each top-level value becomes
text *as printed*: a string is decoded (escapes resolved), ``null`` is null, and numbers,
``true``/``false``, objects and arrays keep their exact source text (``1e+21`` stays
``1e+21``; a ``DataKey`` object stays the JSON text logrus wrote). The fixed keys are
logrus's ``time level msg func file``; ``fields.*`` clash renames are ordinary fields.

A line that starts with ``{"`` but is not one complete JSON object (truncated, pretty-printed
over several lines, trailing text) stays a ``logrus_json`` row with ``parse_error`` set and
the text as ``msg``; other lines starting with ``{`` that do not parse are not JSON.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any, Final

from logpipe.parsers._fields import apply_roles

_DECODER: Final = json.JSONDecoder()
_WS: Final = " \t\n\r"
_SURROGATE: Final = re.compile("[\ud800-\udfff]")

#: Compact flat objects: what the vectorized path handles itself.
_STR: Final = r'"(?:[^"\\\x00-\x1f]|\\[^\x00-\x1f])*"'
_SCALAR: Final = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null"
JSON_FLAT: Final = (
    r"\{(?:" + _STR + ":(?:" + _STR + "|" + _SCALAR + ")(?:," + _STR + ":(?:" + _STR + "|"
    r"" + _SCALAR + "))*)?\\}"
)


def parse_json(text: str) -> dict[str, Any] | None:
    """Reference: the row parts of a JSON-object line, or None when it is not one."""
    try:
        pairs = _object_pairs(text)
    except (ValueError, RecursionError) as exc:
        if text.startswith('{"'):
            return {"format": "logrus_json", "msg": text, "parse_error": f"invalid JSON: {exc}"}
        return None
    row = apply_roles("logrus_json", pairs)
    row["format"] = "logrus_json"
    return row


def _object_pairs(text: str) -> list[tuple[str, str | None]]:
    """The top-level (key, text) pairs of a JSON object spanning the whole text."""
    pos = _skip(text, 1)
    pairs: list[tuple[str, str | None]] = []
    if text[pos : pos + 1] == "}":
        return _end(text, pos + 1, pairs)
    while True:
        if text[pos : pos + 1] != '"':
            raise ValueError(f"expected a key at column {pos + 1}")
        try:
            key, pos = scanstring(text, pos + 1)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{exc.msg}: column {exc.pos + 1}") from None
        pos = _skip(text, pos)
        if text[pos : pos + 1] != ":":
            raise ValueError(f"expected ':' at column {pos + 1}")
        pos = _skip(text, pos + 1)
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{exc.msg}: column {exc.pos + 1}") from None
        if isinstance(value, str):
            pairs.append((no_surrogates(key), no_surrogates(value)))
        else:
            pairs.append((no_surrogates(key), None if value is None else text[pos:end]))
        pos = _skip(text, end)
        sep = text[pos : pos + 1]
        if sep == "}":
            return _end(text, pos + 1, pairs)
        if sep != ",":
            raise ValueError(f"truncated object at column {pos + 1}")
        pos = _skip(text, pos + 1)


def no_surrogates(text: str) -> str:
    """``text`` with lone surrogates as U+FFFD (Go's encoding/json decodes ``\\udXXX`` so)."""
    return _SURROGATE.sub("\ufffd", text)


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def _end(text: str, pos: int, pairs: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    if _skip(text, pos) != len(text):
        raise ValueError(f"trailing text at column {pos + 1}")
    return pairs
