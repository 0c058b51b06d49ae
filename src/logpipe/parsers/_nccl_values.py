"""Captured text -> typed value, in plain Python (the reference path and rare families)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from logpipe.parsers._nccl_record import COLUMN_KIND, NCCL_RECORD

__all__ = ["COLUMNS", "convert", "edge_post", "parse_trees", "parse_ts"]

#: Every record column and its Arrow type.
COLUMNS: dict[str, pa.DataType] = {f.name: f.type for f in NCCL_RECORD}

_TS = re.compile(r"(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?", re.ASCII)
_ENTRY = re.compile(r"\[(\d{1,9})\] (\S+)", re.ASCII)
_I = r"(-?\d{1,9})"
_CHILDREN_FIRST = re.compile(rf"{_I}/{_I}/{_I}->{_I}->{_I}", re.ASCII)  # 2.8+, and "up" 2.5-2.7
_PARENT_FIRST = re.compile(rf"{_I}->{_I}->{_I}/{_I}/{_I}", re.ASCII)  # 2.4, and "down" 2.5-2.7
_INDEX = re.compile(r"^\[\d{1,9}\]", re.ASCII)
_LIST_SEP = re.compile(r"[ /]+")


def parse_ts(text: str | None) -> datetime | None:
    """The 2.26+ ``[%F %T]`` debug timestamp (optional fraction), read as UTC; None if no date."""
    m = _TS.fullmatch(text) if text else None
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    micro = int((m.group(7) or "").ljust(6, "0")[:6])
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)
    except ValueError:
        return None


def _tree(channel: int, spec: str, tree: str | None) -> dict[str, Any] | None:
    if m := _CHILDREN_FIRST.fullmatch(spec):
        d0, d1, d2, rank, parent = (int(g) for g in m.groups())
    elif m := _PARENT_FIRST.fullmatch(spec):
        parent, rank, d0, d1, d2 = (int(g) for g in m.groups())
    else:
        return None
    children = [d0, d1, d2]
    return {"channel": channel, "rank": rank, "parent": parent, "children": children, "tree": tree}


def parse_trees(text: str) -> list[dict[str, Any]] | None:
    """Entries of a ``Trees [c] ...`` record in all three layouts; cut entries are skipped."""
    out: list[dict[str, Any]] = []
    for channel, spec in _ENTRY.findall(text):
        if "|" in spec:  # 2.5-2.7: up tree (children first) | down tree (parent first)
            up, _, down = spec.partition("|")
            pairs: list[tuple[str, str | None]] = [(up, "up"), (down, "down")]
        else:
            pairs = [(spec, None)]  # one tree per channel (2.4, 2.8+)
        for part, tree in pairs:
            entry = _tree(int(channel), part, tree)
            if entry is not None:
                out.append(entry)
    return out or None


def convert(name: str, text: str | None) -> Any:
    """The typed value of column ``name`` from its captured text (empty means null)."""
    kind = COLUMN_KIND.get(name)
    arrow = COLUMNS[name]
    if pa.types.is_boolean(arrow):
        return bool(text)  # a flag group: present or not
    if not text:
        return None
    if kind == "hex":
        return int(text, 16)
    if kind == "ints":
        return [int(x) for x in _LIST_SEP.split(text.strip(" "))]
    if kind == "nics":
        return [_INDEX.sub("", e) for e in text.strip(" ").split(" ")]
    if kind == "trees":
        return parse_trees(text)
    if pa.types.is_integer(arrow):
        return int(text)
    if pa.types.is_floating(arrow):
        return float(text)
    return text


def edge_post(values: dict[str, Any]) -> None:
    """Derived connection fields: transport kind, P2P mode and read flag (edge, collnet)."""
    transport = values.get("transport")
    if transport is None:
        return
    kind = "SHM" if transport == "direct shared memory" else transport.split("/", 1)[0]
    values["transport_kind"] = kind
    mode = values.get("p2p_mode")
    if mode is not None and mode.startswith("indirect/"):
        values["p2p_mode"] = "indirect"
    if kind != "P2P":
        values["p2p_read"] = None
