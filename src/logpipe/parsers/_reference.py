"""The line-by-line reference parser: one line -> one row dict (what the batch path must equal).

Order of recognition, after the line terminator and strong launcher wrappers are removed:
JSON object, logrus colored layout, x-cray formatted layout, key=value line, plain. A plain
result is tried again behind a weak wrapper (see ``_launcher``). NCCL is applied last: a
plain line that is part of an nccl-tests output becomes ``nccl_tests``, a plain line with
NCCL records becomes ``nccl`` (level from its first record); structured lines keep their
format and carry the records too.
"""

from __future__ import annotations

import re
from typing import Any, Final

from logpipe.parsers import _launcher
from logpipe.parsers._fields import NCCL_LEVELS
from logpipe.parsers._json import no_surrogates, parse_json
from logpipe.parsers._logfmt import KV_START, parse_kv
from logpipe.parsers._logrus import parse_prefixed, parse_tty
from logpipe.parsers._schema import SCHEMA
from logpipe.parsers._time import parse_ts
from logpipe.parsers.nccl import parse_nccl
from logpipe.parsers.nccl_tests import is_nccl_tests_line

Row = dict[str, Any]

_PY_KV_START: Final = re.compile(KV_START, re.ASCII)
#: Bytes no text log line has: C0 controls other than tab, LF, CR and ESC, and DEL.
CONTROL: Final = "[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]"
_PY_CONTROL: Final = re.compile(CONTROL)
ONLY_ANSI: Final = r"(?:\x1b\[[0-9;?]*[A-Za-z])+"
_PY_ONLY_ANSI: Final = re.compile(ONLY_ANSI, re.ASCII)


def strip_eol(line: str) -> str:
    """The line without one trailing ``\\n`` and then one trailing ``\\r`` (CRLF files)."""
    return line.removesuffix("\n").removesuffix("\r")


def parse_body(text: str) -> Row:
    """The row parts of a line without its launcher: its format and what that format holds."""
    if text.startswith("{"):
        row = parse_json(text)
        if row is not None:
            return row
    row = parse_tty(text) or parse_prefixed(text)
    if row is not None:
        return row
    if _PY_KV_START.match(text):
        row = parse_kv(text)
        if row is not None:
            return row
    return {"format": "plain", "msg": text}


def plain_error(msg: str) -> str | None:
    """Why a plain line looks damaged (invalid UTF-8, binary data, only ANSI codes), or None."""
    if "\ufffd" in msg:
        return "invalid UTF-8 (replacement characters)"
    if msg and _PY_ONLY_ANSI.fullmatch(msg):
        return "only ANSI escape codes"
    if _PY_CONTROL.search(msg):
        return "control characters (binary data?)"
    return None


def parse_text(line: str) -> Row:
    """Every column but ``nccl`` of one line (already without its line terminator)."""
    cut = _launcher.strong(line)
    launcher, rest = line[:cut], line[cut:]
    body = parse_body(rest)
    if body["format"] == "plain" and (w := _launcher.weak(rest)):
        inner = parse_body(rest[w:])
        if inner["format"] != "plain" or _launcher.starts_nccl(rest[w:]):
            launcher, body = launcher + rest[:w], inner
    if body["format"] == "plain":
        body["parse_error"] = plain_error(body["msg"])
    row: Row = dict.fromkeys(SCHEMA.names)
    row.update(body)
    row["launcher"] = launcher or None
    if row["ts"] is None and launcher:
        stamp = _launcher.wrapper_ts_text(launcher)
        row["ts"] = parse_ts(stamp) if stamp is not None else None
    return row


def with_nccl(row: Row, records: list[dict[str, Any]] | None, in_tests: bool) -> Row:
    """Attach NCCL records and give plain lines their NCCL format and level."""
    row["nccl"] = records or None
    if row["format"] == "plain":
        if in_tests:
            row["format"] = "nccl_tests"
        elif records:
            row["format"] = "nccl"
            row["level"] = NCCL_LEVELS.get(records[0].get("level") or "")
    return row


def parse_line(line: str) -> Row:
    """Reference parser of one line: a dict with one key per ``SCHEMA`` column.

    ``fields`` is a dict, ``ts`` an aware UTC datetime, ``nccl`` a list of record dicts.
    """
    text = no_surrogates(strip_eol(line))
    return with_nccl(parse_text(text), parse_nccl(text), is_nccl_tests_line(text))
