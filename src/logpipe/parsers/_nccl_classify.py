"""Vectorized family dispatch: messages -> family name and typed columns, with RE2."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.parsers._nccl_arrow import attrs_map, edge_post, flatnonzero, scatter, typed
from logpipe.parsers._nccl_families import FAMILIES
from logpipe.parsers._nccl_record import FAMILY_COLUMNS, NCCL_RECORD
from logpipe.parsers._nccl_regex import Family, capture_names, re2
from logpipe.parsers._nccl_values import COLUMNS

__all__ = ["classify_column"]

_EDGE_FAMILIES = frozenset({"edge", "collnet"})
_FAMILY_NAMES = pa.array([f.name for f in FAMILIES] + [None], pa.string())
_PATTERNS = {f.name: f"^(?:{re2(f.pattern)})" for f in FAMILIES}
_NAMES = {f.name: capture_names(f.pattern) for f in FAMILIES}

Pieces = dict[str, list[tuple[np.ndarray, pa.Array]]]


def _hint(msgs: pa.StringArray, family: Family) -> pa.BooleanArray | None:
    """Where the family's literal necessary conditions hold (None: everywhere)."""
    mask = None
    if family.starts:
        checks = [pc.starts_with(msgs, s) for s in family.starts]
        mask = checks[0]
        for check in checks[1:]:
            mask = pc.or_(mask, check)
    if family.contains is not None:
        found = pc.match_substring(msgs, family.contains)
        mask = found if mask is None else pc.and_(mask, found)
    return mask


def _values(family: Family, found: pa.StructArray) -> dict[str, pa.Array]:
    """Typed columns (and ``attrs``) of the rows a family matched."""
    values: dict[str, pa.Array] = {}
    extra: list[str] = []
    for name in _NAMES[family.name]:
        if name.startswith("_"):
            continue
        if name in COLUMNS:
            values[name] = typed(name, found.field(name))
        else:
            extra.append(name)
    if extra:
        values["attrs"] = attrs_map(extra, [found.field(n) for n in extra])
    if family.name in _EDGE_FAMILIES:
        edge_post(values)
    return values


def classify_column(msgs: pa.StringArray) -> dict[str, pa.Array]:
    """``family`` and every family column for each message (``_nccl_reference.classify``)."""
    size = len(msgs)
    family_index = np.full(size, len(FAMILIES), np.int64)
    pieces: Pieces = defaultdict(list)
    rest = np.arange(size)
    rest_msgs = msgs
    for index, family in enumerate(FAMILIES):
        if len(rest) == 0:
            break
        hint = _hint(rest_msgs, family)
        candidates = np.arange(len(rest)) if hint is None else flatnonzero(hint)
        if len(candidates) == 0:
            continue
        found = pc.extract_regex(rest_msgs.take(candidates), _PATTERNS[family.name])
        matched = found.is_valid().to_numpy(zero_copy_only=False)
        if not matched.any():
            continue
        local = candidates[matched]
        members = rest[local]
        family_index[members] = index
        for name, column in _values(family, found.filter(matched)).items():
            pieces[name].append((members, column))
        keep = np.ones(len(rest), bool)
        keep[local] = False
        rest = rest[keep]
        rest_msgs = rest_msgs.filter(pa.array(keep))
    # Family columns, plus the prefix columns a family can fill (err_trace's file:line).
    wanted = [f for f in NCCL_RECORD if f in FAMILY_COLUMNS or f.name in pieces]
    columns = {f.name: scatter(size, pieces.get(f.name, []), f.type) for f in wanted}
    columns["family"] = _FAMILY_NAMES.take(pa.array(family_index))
    return columns
