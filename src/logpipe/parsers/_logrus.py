"""The two terminal layouts: logrus's colored ``TextFormatter`` and x-cray's formatted layout.

logrus (``logrus_tty``)::

    ESC[36mINFO ESC[0m[0429]<caller> <message padded to 44>  ESC[36mkey ESC[0m=value ...

with the level truncated (``WARN``), full (``WARNING``) or padded (``INFO   ``), the stamp
``[0429]`` (elapsed seconds), ``[<timestamp>]`` or absent, and the caller glued to it
(``/a/b.go:33 main.f()``, or one of the two). Fields start at the first ``"  ESC[<n>m"``
at or after column 44 of the message area, so a message of 44 characters or less loses its
trailing spaces (they cannot be told from the padding). The same layout without its ANSI
codes is recognised when its stamp is elapsed seconds or a full timestamp
(``INFO[0429] hello    a=b``); its fields are the first tail that splits as key=value.
The caller's ``()`` is dropped; a one-part caller is the file when it ends in ``:<line>``.

x-cray (``prefixed``)::

    ESC[0;90m[0007]ESC[0m ESC[0;32m INFOESC[0mESC[0;36m api:ESC[0m message ESC[0;32mkeyESC[0m=v

Colored, or without colors when the stamp is elapsed seconds or a timestamp. Without
colors the prefix is a first word ending in ``:`` and the fields start at the first
`` key=``: a heuristic (a message ``set x=1`` reads as message ``set`` and field x).
x-cray prints values raw (``%+v``), so they are taken verbatim; messages lose trailing spaces.
"""

from __future__ import annotations

import re
from typing import Any, Final

from logpipe.parsers._fields import go_unquote, normalize_level
from logpipe.parsers._logfmt import QVAL, tokenize
from logpipe.parsers._time import parse_elapsed, parse_ts

TTY_LEVELS: Final = "TRACE|TRAC|DEBUG|DEBU|INFO|WARNING|WARN|ERROR|ERRO|FATAL|FATA|PANIC|PANI"
#: The four-letter stem of a logrus colored level -> normalized level.
TTY_LEVEL: Final = {
    "TRAC": "trace",
    "DEBU": "debug",
    "INFO": "info",
    "WARN": "warning",
    "ERRO": "error",
    "FATA": "fatal",
    "PANI": "panic",
}
_CALLER: Final = r"(?P<caller>[^ \x1b]+(?: [^ \x1b]+\(\))?)?"
TTY_HEAD: Final = (
    r"\x1b\[[0-9]{1,3}m(?P<level>" + TTY_LEVELS + r") *\x1b\[0m(?:\[(?P<stamp>[^\]\x1b]*)\])?"
    "" + _CALLER + " "
)
TTY_PLAIN_HEAD: Final = r"(?P<level>" + TTY_LEVELS + r") *\[(?P<stamp>[^\]\x1b]*)\]" + _CALLER + " "
PFX_LEVELS: Final = (
    " INFO| WARN| info| warn|TRACE|DEBUG|ERROR|FATAL|PANIC|trace|debug|error|fatal|panic"
)
#: x-cray's header as far as the level (shared with the vectorized classifier).
PFX_DETECT: Final = (
    r"(?:(?:\x1b\[[0-9;]*m)?\[[^\]]*\](?:\x1b\[0m)? (?:\x1b\[[0-9;]*m)?(?:" + PFX_LEVELS + ")"
    r"|\x1b\[0;[0-9;]*m(?:" + PFX_LEVELS + r")\x1b\[0m)"
)

_PY_TTY: Final = re.compile(TTY_HEAD, re.ASCII)
_PY_TTY_PLAIN: Final = re.compile(TTY_PLAIN_HEAD, re.ASCII)
_PY_PFX: Final = re.compile(
    r"(?:(?P<tsc>\x1b\[[0-9;]*m)?\[(?P<stamp>[^\]]*)\](?:\x1b\[0m)? )?(?P<lc>\x1b\[[0-9;]*m)?"
    r"(?P<level>" + PFX_LEVELS + r")(?:\x1b\[0m)?(?:\x1b\[[0-9;]*m (?P<cprefix>[^\x1b]*):\x1b\[0m"
    r"| (?P<prefix>[^ \x1b]*):(?= |$))?(?: (?P<body>.*))?",
    re.ASCII | re.DOTALL,
)
_FIELD_START: Final = re.compile(r"  \x1b\[[0-9]{1,3}m", re.ASCII)
_TTY_FIELD: Final = re.compile(
    r" \x1b\[[0-9]{1,3}m(?P<k>[^\x1b]*)\x1b\[0m=(?P<v>[^\x1b]*?)(?= \x1b\[|$)", re.ASCII | re.DOTALL
)
_PFX_FIELD: Final = re.compile(
    r" \x1b\[[0-9;]*m(?P<k>[^\x1b]*)\x1b\[0m=(?P<v>[^\x1b]*?)(?= \x1b\[|$)", re.ASCII | re.DOTALL
)
_PY_QVAL: Final = re.compile(QVAL, re.ASCII | re.DOTALL)
_PLAIN_KEY: Final = re.compile(r" (?P<k>[^ =]+)=", re.ASCII)
PAD: Final = 44
# Without colors, how many double spaces after column 44 may start the fields (bounds the work).
_MAX_TRIES: Final = 16


def _stamp(row: dict[str, Any], stamp: str | None) -> bool:
    """Put a ``[stamp]`` into ``elapsed_s`` or ``ts``; True when it was one of them."""
    if stamp is None:
        return False
    row["elapsed_s"] = parse_elapsed(stamp)
    if row["elapsed_s"] is None:
        row["ts"] = parse_ts(stamp)
    return row["elapsed_s"] is not None or row.get("ts") is not None


def split_caller(caller: str | None) -> tuple[str | None, str | None]:
    """(func, file) of a colored-layout caller (``file func()``, ``file:33`` or ``func``)."""
    if not caller:
        return None, None
    if " " in caller:
        file, func = caller.split(" ", 1)
        return func.removesuffix("()"), file
    if re.search(r":[0-9]+\Z", caller, re.ASCII):
        return None, caller
    return caller.removesuffix("()"), None


def parse_tty(text: str) -> dict[str, Any] | None:
    """Reference: the row parts of a logrus colored-layout line, or None."""
    row: dict[str, Any] = {"format": "logrus_tty"}
    m = _PY_TTY.match(text)
    colored = m is not None
    if m is None:
        m = _PY_TTY_PLAIN.match(text)
        if m is None or not _stamp(row, m["stamp"]):
            return None
    else:
        _stamp(row, m["stamp"])
    row["level"] = TTY_LEVEL[m["level"][:4]]
    row["caller_func"], row["caller_file"] = split_caller(m["caller"])
    body = text[m.end() :]
    start = _tty_fields_start(body, colored)
    seg = body[:start] if start is not None else body.removesuffix(" ")
    row["msg"] = seg if len(seg) > PAD else seg.rstrip(" ")
    tail = body[start + 1 :] if start is not None else ""
    if colored:
        row["fields"], row["parse_error"] = _colored_fields(tail, _TTY_FIELD, quoted=True)
    else:
        row["fields"], row["parse_error"] = _logfmt_fields(tail[1:]) if tail else ({}, None)
    return row


def _tty_fields_start(body: str, colored: bool) -> int | None:
    """Index of the separator space before the fields (None when there are none)."""
    if colored:
        m = _FIELD_START.search(body, PAD)
        return m.start() if m else None
    pos = PAD
    for _ in range(_MAX_TRIES):
        pos = body.find("  ", pos)
        if pos < 0:
            break
        split = tokenize(body[pos + 2 :])
        if not isinstance(split, str) and not split[1]:
            return pos
        pos += 1
    return None


def _colored_fields(
    tail: str, field: re.Pattern[str], *, quoted: bool
) -> tuple[dict[str, str | None], str | None]:
    fields: dict[str, str | None] = {}
    pos = 0
    while pos < len(tail):
        m = field.match(tail, pos)
        if m is None:
            return fields, f"malformed field at column {pos + 1} of the fields"
        value = m["v"]
        if quoted and _PY_QVAL.fullmatch(value):
            try:
                value = go_unquote(value)
            except ValueError as exc:
                return fields, f"value of {m['k']!r}: {exc}"
        fields[m["k"]] = value
        pos = m.end()
    return fields, None


def _logfmt_fields(tail: str) -> tuple[dict[str, str | None], str | None]:
    split = tokenize(tail)
    if isinstance(split, str):
        return {}, split
    fields: dict[str, str | None] = {}
    for key, raw in split[0]:
        try:
            fields[key] = go_unquote(raw) if raw.startswith('"') else raw
        except ValueError as exc:
            return fields, f"value of {key!r}: {exc}"
    return fields, None


def parse_prefixed(text: str) -> dict[str, Any] | None:
    """Reference: the row parts of an x-cray formatted line, or None."""
    m = _PY_PFX.fullmatch(text)
    if m is None:
        return None
    row: dict[str, Any] = {"format": "prefixed"}
    colored = m["lc"] is not None or m["tsc"] is not None
    if not _stamp(row, m["stamp"]) and not colored:
        return None
    row["level"] = normalize_level(m["level"].strip())
    row["prefix"] = m["cprefix"] if m["cprefix"] is not None else m["prefix"]
    body = m["body"] or ""
    if colored:
        start = body.find(" \x1b[")
        tail = body[start:] if start >= 0 else ""
        row["fields"], row["parse_error"] = _colored_fields(tail, _PFX_FIELD, quoted=False)
    else:
        km = _PLAIN_KEY.search(body)
        start = km.start() if km else -1
        tail = body[start:] if start >= 0 else ""
        keys = list(_PLAIN_KEY.finditer(tail))
        ends = [k.start() for k in keys[1:]] + [len(tail)] * bool(keys)
        row["fields"] = {k["k"]: tail[k.end() : e] for k, e in zip(keys, ends, strict=True)}
    row["msg"] = (body[:start] if start >= 0 else body).rstrip(" ")
    return row
