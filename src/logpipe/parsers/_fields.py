"""What a key means: the fixed keys of each format (time, level, msg, caller), levels, Go unquoting.

A line's key/value pairs are read in printed order. Each *role* (``ts``, ``level``, ``msg``,
``caller_func``, ``caller_file``) is bound to the first pair whose key names it in that
format; every other pair is a field (a later duplicate key replaces an earlier one, as
in a Go map). ``ts`` and ``level`` take their pair only when its text is a timestamp /
a level name; otherwise the pair stays a field so nothing printed is lost. ``msg`` and
the caller always take theirs.
"""

from __future__ import annotations

import re
from typing import Any, Final

from logpipe.parsers._time import parse_ts

#: Level names as written by logrus, x-cray, go-kit, stdlib logging and NCCL (ASCII, any case).
LEVEL_NAMES: Final[dict[str, str]] = {
    "trace": "trace",
    "debug": "debug",
    "info": "info",
    "warn": "warning",
    "warning": "warning",
    "error": "error",
    "err": "error",
    "fatal": "fatal",
    "critical": "fatal",
    "panic": "panic",
}
#: NCCL record levels (``CALL`` API traces and the bare version line are informational).
NCCL_LEVELS: Final[dict[str, str]] = {
    "INFO": "info",
    "WARN": "warning",
    "TRACE": "trace",
    "CALL": "info",
    "VERSION": "info",
}
#: logrus's own ``Level.String()`` names (what the logrus text signature requires).
LOGRUS_LEVELS: Final = frozenset(("trace", "debug", "info", "warning", "error", "fatal", "panic"))

_LOGRUS: Final = {
    "time": "ts",
    "level": "level",
    "msg": "msg",
    "func": "caller_func",
    "file": "caller_file",
}
#: Per format: key -> role. Generic logfmt also knows the usual aliases (go-kit, slog...).
ROLES: Final[dict[str, dict[str, str]]] = {
    "logrus_text": _LOGRUS,
    "logrus_json": _LOGRUS,
    "prefixed": {"time": "ts", "level": "level", "msg": "msg"},
    "logfmt": {
        **_LOGRUS,
        "ts": "ts",
        "timestamp": "ts",
        "@timestamp": "ts",
        "lvl": "level",
        "severity": "level",
        "message": "msg",
        "caller": "caller_file",
    },
}
#: Roles that take their pair whatever its text.
ALWAYS: Final = frozenset(("msg", "caller_func", "caller_file"))

_ASCII_LOWER: Final = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def normalize_level(text: str | None) -> str | None:
    """The normalized level a name stands for (``WARN`` -> ``warning``), else None."""
    return None if text is None else LEVEL_NAMES.get(text.translate(_ASCII_LOWER))


def apply_roles(fmt: str, pairs: list[tuple[str, str | None]]) -> dict[str, Any]:
    """Reference: bind roles to pairs; the rest become ``fields`` (see the module docstring)."""
    roles = ROLES[fmt]
    row: dict[str, Any] = {}
    fields: dict[str, str | None] = {}
    seen: set[str] = set()
    for key, text in pairs:
        role = roles.get(key)
        if role is not None and role not in seen:
            seen.add(role)
            value: Any = text
            if role == "ts":
                value = None if text is None else parse_ts(text)
            elif role == "level":
                value = normalize_level(text)
            if value is not None or role in ALWAYS:
                row[role] = value
                continue
        fields[key] = text
    row["fields"] = fields
    return row


_ESCAPE: Final = re.compile(
    r"\\(?:(?P<c>[abfnrtv\\\"'])|x(?P<x>[0-9a-fA-F]{2})|u(?P<u>[0-9a-fA-F]{4})"
    r"|U(?P<U>[0-9a-fA-F]{8})|(?P<o>[0-7]{3}))",
    re.ASCII,
)
_SIMPLE: Final = {
    "a": 7,
    "b": 8,
    "f": 12,
    "n": 10,
    "r": 13,
    "t": 9,
    "v": 11,
    "\\": 92,
    '"': 34,
    "'": 39,
}


def go_unquote(quoted: str) -> str:
    """Go ``strconv.Unquote`` of a ``%q`` string (quotes included); ValueError if malformed."""
    body = quoted[1:-1]
    if "\\" not in body:
        return body
    out = bytearray()
    pos = 0
    while (i := body.find("\\", pos)) >= 0:
        out += body[pos:i].encode()
        m = _ESCAPE.match(body, i)
        if m is None:
            raise ValueError(f"bad escape {body[i : i + 2]!r}")
        if m["c"]:
            out.append(_SIMPLE[m["c"]])
        elif m["x"] or m["o"]:
            out.append(int(m["x"], 16) if m["x"] else int(m["o"], 8) & 0xFF)
        else:
            code = int(m["u"] or m["U"], 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise ValueError(f"bad escape {m[0]!r}")
            out += chr(code).encode()
        pos = m.end()
    out += body[pos:].encode()
    return out.decode("utf-8", "replace")
