"""The per-line reference NCCL parser: plain ``re``, one dict per record, easy to read."""

from __future__ import annotations

import re
from typing import Any

from logpipe.parsers._nccl_families import BARE_VERSION, FAMILIES, START_PY
from logpipe.parsers._nccl_regex import WS, Family, capture_names, py
from logpipe.parsers._nccl_values import COLUMNS, convert, edge_post, parse_ts

__all__ = ["classify", "parse_nccl", "split_records"]

_START = py(START_PY)
_BARE = py(BARE_VERSION)
_TABLE: tuple[tuple[Family, re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (f, py(f.pattern), capture_names(f.pattern)) for f in FAMILIES
)
_EDGE_FAMILIES = frozenset({"edge", "collnet"})


def _int(text: str | None) -> int | None:
    return int(text) if text else None


def classify(msg: str) -> tuple[str | None, dict[str, Any]]:
    """The family of a message and its typed values (only the non-null ones)."""
    for family, regex, names in _TABLE:
        m = regex.match(msg)
        if m is None:
            continue
        values: dict[str, Any] = {}
        attrs: dict[str, str] = {}
        for name in names:
            text = m.group(name)
            if name.startswith("_"):
                continue
            if name in COLUMNS:
                value = convert(name, text)
                if value is not None:
                    values[name] = value
            elif text:
                attrs[name] = text
        if attrs:
            values["attrs"] = attrs
        if family.name in _EDGE_FAMILIES:
            edge_post(values)
        return family.name, values
    return None, {}


def _prefix(m: re.Match[str]) -> dict[str, Any]:
    """Host, pid, ... of a record start (modern or pre-2.3 alternative of ``START``)."""
    g = m.groupdict()
    old = g["level0"] is not None
    suffix = "0" if old else ""
    ms = None if old else g["ms"]
    return {
        "host": g["host" + suffix],
        "pid": _int(g["pid" + suffix]),
        "tid": _int(g["tid" + suffix]),
        "device": _int(g["dev" + suffix]),
        "level": g["level" + suffix],
        "ts": None if old else parse_ts(g["ts"]),
        "src_file": g["file" + suffix],
        "src_line": _int(g["line" + suffix]),
        "func": None if old else g["func"] or None,
        "elapsed_ms": float(ms) if ms else None,
    }


_NO_PREFIX = dict.fromkeys(("host", "pid", "tid", "device", "ts", "src_file")) | {
    "src_line": None,
    "func": None,
    "elapsed_ms": None,
    "level": "VERSION",
}


def split_records(line: str) -> list[tuple[dict[str, Any], str]]:
    """Each record of one physical line: its prefix fields (with ``level``) and message.

    A record starts at each ``NCCL INFO|WARN|TRACE|CALL`` token (with the prefix before it
    when there is one) and at each pre-2.3 ``host:pid:tid [dev] INFO|WARN`` prefix, and
    runs to the next start or the end of the line (right-trimmed). A bare ``NCCL version
    X+cudaY`` before the first record is a record too (level ``VERSION``, no prefix).
    """
    starts = list(_START.finditer(line))
    records: list[tuple[dict[str, Any], str]] = []
    lead = line[: starts[0].start()] if starts else line
    if bare := _BARE.search(lead):
        records.append((dict(_NO_PREFIX), bare.group(0)))
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(line)
        records.append((_prefix(m), line[m.end() : end].rstrip(WS)))
    return records


def parse_nccl(line: str) -> list[dict[str, Any]]:
    """Every NCCL record of one physical line, in order (an empty list when there is none).

    Records are found by ``split_records``; each gets its prefix fields, its message as
    ``body``, and the ``family`` and typed fields of the first family its message matches.
    """
    out = []
    for prefix, body in split_records(line):
        record = dict.fromkeys(COLUMNS)
        record.update(prefix)
        family, values = classify(body)
        record["family"] = family
        record["body"] = body
        record.update(values)  # family values win over the prefix (err_trace file:line)
        out.append(record)
    return out
