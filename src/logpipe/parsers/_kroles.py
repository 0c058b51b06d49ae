"""Roles in the kernels: bind a line's fixed keys to columns, mark the pairs left as fields.

The rules of ``_fields.apply_roles``: per format, the first pair whose key names a role
is that role's candidate; ``msg`` and the caller always take it, ``ts``/``level`` only
when its text is a timestamp / a level name, otherwise it stays a field; among the
fields a later duplicate key replaces an earlier one. A ``ts`` text that only the full
layout set can read is left pending (the pair stays a field until that parse says no).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from logpipe.parsers._fields import ROLES
from logpipe.parsers._kbytes import ts_fast
from logpipe.parsers._klayout import (
    F_JSON,
    F_LOGFMT,
    F_PREFIXED,
    F_TEXT,
    K_GO,
    K_JSON,
    K_NULL,
    P_KE,
    P_KEEP,
    P_KS,
    P_VE,
    P_VK,
    P_VS,
    R_FILE,
    R_FUNC,
    R_LEVEL,
    R_MSG,
    R_TS,
    R_TS_PAIR,
    T_TS,
    TS_OK,
    TS_PENDING,
)
from logpipe.parsers._kquote import level
from logpipe.parsers._nb import jit

_ROLE_NAMES: Final = ("ts", "level", "msg", "caller_func", "caller_file")
_KEYS: Final = sorted({k for roles in ROLES.values() for k in roles})
_KEY_TEXT: Final = np.zeros((len(_KEYS), 12), np.uint8)
for _row, _key in enumerate(_KEYS):
    _KEY_TEXT[_row, : len(_key)] = np.frombuffer(_key.encode(), np.uint8)
_KEY_LEN: Final = np.array([len(k) for k in _KEYS], np.int64)


def _slot(size: int, first: int, last: int) -> int:
    """Where a key of ``size`` bytes from ``first`` to ``last`` is looked up (``_role``)."""
    return (size * 7 + first * 3 + last) & 63


_SLOTS: Final = np.full(64, -1, np.int64)  # role keys by ``_slot``, linear probing
for _index, _key in enumerate(_KEYS):
    _at = _slot(len(_key), ord(_key[0]), ord(_key[-1]))
    while _SLOTS[_at] >= 0:
        _at = (_at + 1) & 63
    _SLOTS[_at] = _index
#: [format row, key] -> role index (-1: not a role key in that format).
_FORMAT_ROWS: Final = ("logrus_text", "prefixed", "logfmt")
_TABLE: Final = np.array(
    [[_ROLE_NAMES.index(ROLES[f][k]) if k in ROLES[f] else -1 for k in _KEYS] for f in _FORMAT_ROWS]
    + [[-1] * len(_KEYS)],  # the colored layout: no roles, its pairs are all fields
    np.int64,
)
_ROLE_ROW: Final = np.full(8, 3, np.int64)
_ROLE_ROW[[F_TEXT, F_JSON, F_PREFIXED, F_LOGFMT]] = [0, 0, 1, 2]
#: R field of each role that keeps a span (ts and level keep values).
_SPAN_FIELD: Final = np.array([-1, -1, R_MSG, R_FUNC, R_FILE], np.int64)
MAX_PAIRS: Final = 256  # more pairs in one line: the reference (duplicates are quadratic)


@jit
def bind(
    d: np.ndarray, q: np.ndarray, count: int, fmt: int, r: np.ndarray, t: np.ndarray, i: int
) -> bool:
    """Bind roles of the ``count`` pairs in ``q`` to row ``i`` and mark the fields
    (``P_KEEP``); False when the reference must parse the row (an escaped ts/level)."""
    row = _ROLE_ROW[fmt]

    # Inner functions are compiled into this one: a kernel of its own costs compile time.
    def role_of(p: int, e: int) -> int:
        """Role of the key ``d[p:e]`` in this format, or -1 (an open-addressed table)."""
        size = e - p
        if size < 1 or size > 10:
            return -1
        slot = (size * 7 + int(d[p]) * 3 + int(d[e - 1])) & 63  # ``_slot``
        while _SLOTS[slot] >= 0:
            k = _SLOTS[slot]
            same = _KEY_LEN[k] == size
            for m in range(size if same else 0):
                same = same and d[p + m] == _KEY_TEXT[k, m]
            role: int = _TABLE[row, k]
            if same:
                return role
            slot = (slot + 1) & 63
        return -1

    def dedup() -> None:
        """Unmark ``P_KEEP`` of every pair a later pair of the same key replaces."""
        for j in range(count):
            size, pj = q[j, P_KE] - q[j, P_KS], q[j, P_KS]
            for k in range(j + 1, count if q[j, P_KEEP] else j + 1):
                pk = q[k, P_KS]
                if q[k, P_KE] - pk != size or (size and d[pk] != d[pj]):
                    continue
                same = True
                for m in range(size):
                    same = same and d[pj + m] == d[pk + m]
                if same:
                    q[j, P_KEEP] = 0
                    break

    seen = 0  # bit per role
    for j in range(count):
        q[j, P_KEEP] = 1
        role = role_of(q[j, P_KS], q[j, P_KE])
        if role < 0 or seen & (1 << role):
            continue
        seen |= 1 << role
        vs, ve, vk = q[j, P_VS], q[j, P_VE], q[j, P_VK]
        if role >= 2:  # msg and the caller take their pair whatever it holds
            f = _SPAN_FIELD[role]
            r[f, i], r[f + 1, i], r[f + 2, i] = vs, ve, vk
            q[j, P_KEEP] = 0
        elif vk in (K_GO, K_JSON):
            return False
        elif vk != K_NULL and role == 1:
            code, _ = level(d, vs, ve)
            if code >= 0:
                r[R_LEVEL, i] = code
                q[j, P_KEEP] = 0
        elif vk != K_NULL:
            state, us = ts_fast(d, vs, ve)
            r[R_TS, i], r[R_TS + 1, i], r[R_TS + 2, i], t[T_TS, i] = state, vs, ve, us
            if state == TS_OK:
                q[j, P_KEEP] = 0
            elif state == TS_PENDING:
                r[R_TS_PAIR, i] = j  # local; made absolute when the pairs are stored
    dedup()
    return True
