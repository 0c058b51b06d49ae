"""Launcher wrappers as byte matchers: the patterns of ``_launcher``, matched by hand.

Each pattern there is a deterministic choice at every step (its optional parts and
alternatives are told apart by their next byte), so a hand matcher that tries the same
alternatives in the same order finds the same span. A property test compares both.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from logpipe.parsers._kbytes import (
    ALNUM,
    ALPHA,
    DATE_CLOCK,
    DIGIT,
    byte_class,
    digits,
    iso,
    lit,
    mpi_date,
    run,
    shape,
    starts,
)
from logpipe.parsers._nb import jit

_STDOUT: Final = lit("stdout ")
_STDERR: Final = lit("stderr ")
_TAGS: Final = (lit("<stdout>:"), lit("<stderr>:"), lit("<stddiag>:"))
_PID: Final = lit("pid=")
_IP: Final = lit(", ip=")
_NCCL_VERSION: Final = lit("NCCL version ")
_RAY_NAME: Final = byte_class(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.")
_HOSTISH: Final = byte_class(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
_NOT_HOST: Final = byte_class(b" :[]")


@jit
def _iso_wrapper(d: np.ndarray, p: int, e: int) -> int:
    """``ISO [stdout F ]`` (kubectl, CRI) or `` *| ISO | `` (CloudWatch) at ``p``, or -1."""
    q = iso(d, p, e)
    if q >= 0:
        if q >= e or d[q] != 32:
            return -1
        q += 1
        std = starts(d, q, e, _STDOUT) or starts(d, q, e, _STDERR)
        stream = std and q + 8 < e and d[q + 7] in (70, 80) and d[q + 8] == 32  # F or P
        return q + 9 if stream else q
    while p < e and d[p] == 32:
        p += 1
    if e - p < 2 or d[p] != 124 or d[p + 1] != 32:
        return -1
    q = iso(d, p + 2, e)
    if q < 0 or e - q < 3 or d[q] != 32 or d[q + 1] != 124 or d[q + 2] != 32:
        return -1
    return q + 3


@jit
def _tag_wrapper(d: np.ndarray, p: int, e: int) -> int:
    """OpenMPI ``[date][1,0]<stdout>:``, torchrun ``[rank0]:``, Ray ``(Name pid=1) ``; or -1."""
    q = mpi_date(d, p, e)
    q = p if q < 0 else q
    r = digits(d, q + 1, e) if q < e and d[q] == 91 else q + 1  # [1,0]<stdout>:
    if r > q + 1 and r < e and d[r] == 44:
        s = digits(d, r + 1, e)
        if s > r + 1 and s < e and d[s] == 93:
            for tag in _TAGS:
                size: int = tag.shape[0]
                if starts(d, s + 1, e, tag):
                    return s + 1 + size
    if q == p and p < e and d[p] == 91:  # [default0]:
        r = p + 1
        while r < e and (ALPHA[d[r]] or d[r] == 95):
            r += 1
        s = digits(d, r, e)
        if s > r and e - s >= 2 and d[s] == 93 and d[s + 1] == 58:
            return s + 2
    if p >= e or d[p] != 40:
        return -1
    q = p + 1  # (RayWorker pid=75833, ip=10.0.0.1)
    if not starts(d, q, e, _PID) and q < e and (ALPHA[d[q]] or d[q] == 95):
        r = q + 1
        while r < e and _RAY_NAME[d[r]]:
            r += 1
        if r >= e or d[r] != 32:
            return -1
        q = r + 1
    r = digits(d, q + 4, e) if starts(d, q, e, _PID) else q + 4
    if r == q + 4:
        return -1
    if starts(d, r, e, _IP):
        s = r + 5
        while s < e and (DIGIT[d[s]] or d[s] == 46):
            s += 1
        if s > r + 5 and e - s >= 2 and d[s] == 41 and d[s + 1] == 32:
            return s + 2
    return r + 2 if e - r >= 2 and d[r] == 41 and d[r + 1] == 32 else -1


@jit
def strong(d: np.ndarray, p: int, e: int) -> int:
    """End of the strong wrappers at ``p`` (``p`` when there are none): ``_launcher.STRONG``."""
    while p < e:
        c = d[p]
        q = _iso_wrapper(d, p, e) if DIGIT[c] or c in (32, 124) else -1
        if q < 0 and (c in (91, 40) or ALPHA[c]):
            q = _tag_wrapper(d, p, e)
        if q < 0:
            return p
        p = q
    return p


@jit
def weak(d: np.ndarray, p: int, e: int) -> int:
    """End of a weak wrapper at ``p``, or -1: ``_launcher.WEAK``."""
    q = p
    while q < e and d[q] == 32:
        q += 1
    r = digits(d, q, e)
    if r > q and e - r >= 2 and d[r] == 58 and d[r + 1] == 32:
        return r + 2
    if p < e and ALNUM[d[p]]:
        q = run(d, p + 1, e, _HOSTISH)
        if e - q >= 2 and d[q] == 58 and d[q + 1] == 32:
            return q + 2
    if p >= e or d[p] != 91:
        return -1
    r = digits(d, p + 1, e)
    if r > p + 1 and e - r >= 2 and d[r] == 93 and d[r + 1] == 32:
        return r + 2
    q = shape(d, p + 1, e, DATE_CLOCK)
    if q < 0 or not (d[p + 11] == 32 or d[p + 11] == 84):
        return -1
    if q < e and (d[q] == 46 or d[q] == 44):
        r = digits(d, q + 1, e)
        q = r if r > q + 1 else -1
    return q + 2 if q > 0 and e - q >= 2 and d[q] == 93 and d[q + 1] == 32 else -1


@jit
def starts_nccl(d: np.ndarray, p: int, e: int) -> bool:
    """An NCCL record prefix ``host:pid:tid [dev]`` or ``NCCL version `` at ``p``."""
    if starts(d, p, e, _NCCL_VERSION):
        return True
    q = p
    while q < e and not _NOT_HOST[d[q]]:
        q += 1
    if q == p or q >= e or d[q] != 58:
        return False
    r = digits(d, q + 1, e)
    if r == q + 1 or r >= e or d[r] != 58:
        return False
    s = digits(d, r + 1, e)
    if s == r + 1 or e - s < 2 or d[s] != 32 or d[s + 1] != 91:
        return False
    t = digits(d, s + 2, e)
    return t > s + 2 and t < e and d[t] == 93


@jit
def wrapper_ts(d: np.ndarray, p: int, e: int) -> tuple[int, int]:
    """Span of the first timestamp inside a launcher text, or (-1, -1): ``WRAPPER_TS``."""
    for k in range(p, e):
        c = d[k]
        if DIGIT[c]:
            q = iso(d, k, e)
            if q >= 0:
                return k, q
            q = shape(d, k, e, DATE_CLOCK)
            if q >= 0 and (d[k + 10] == 84 or d[k + 10] == 32):
                if q < e and (d[q] == 46 or d[q] == 44):
                    r = digits(d, q + 1, e)
                    q = r if r > q + 1 else q
                return k, q
        elif ALPHA[c]:
            q = mpi_date(d, k, e)
            if q >= 0:
                return k, q
    return -1, -1
