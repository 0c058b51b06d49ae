"""Launcher and framework wrappers in front of a log line (GRAMMAR.md §1.5): patterns and spans.

*Strong* wrappers are unmistakable and always stripped, repeatedly (a kubectl timestamp
before an OpenMPI tag): kubectl/CRI timestamps (``2025-11-24T03:20:21.001125857Z `` and
``... stdout F ``), the AWS CloudWatch console copy (``  | 2025-05-16T16:39:55.216-07:00 | ``),
OpenMPI ``--tag-output`` (``[1,0]<stdout>:``, optionally after its ``--timestamp-output``
date), torchrun (``[default0]:``, ``[rank0]:``) and Ray (``(RayWorker pid=75833) ``,
``(pid=21065) ``, ``(RayWorkerWrapper pid=581, ip=10.225.128.18) ``).

*Weak* wrappers could be ordinary text: Slurm ``srun --label`` (``0: ``), pdsh
(``host-1: ``), a bare rank tag (``[155] ``) and a collector's ``[2026-04-28 14:14:49] ``.
One is stripped only when what follows it is a structured line or an NCCL record, so
``404: not found`` stays a plain line with no launcher.

A wrapper's timestamp is the line's ``ts`` when the line itself carries none.
"""

from __future__ import annotations

import re
from typing import Final

_ISO = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
_WDAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_MPI_DATE = _WDAY + " " + _MONTH + " [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}"

STRONG: Final = (
    "(?:" + _ISO + " (?:(?:stdout|stderr) [FP] )?"
    r"| *\| " + _ISO + r" \| "
    r"|(?:" + _MPI_DATE + r")?\[[0-9]+,[0-9]+\]<std(?:out|err|diag)>:"
    r"|\[[A-Za-z_]*[0-9]+\]:"
    r"|\((?:[A-Za-z_][A-Za-z0-9_.]* )?pid=[0-9]+(?:, ip=[0-9.]+)?\) )+"
)
WEAK: Final = (
    r"(?: *[0-9]+: |[A-Za-z0-9][A-Za-z0-9._-]*: |\[[0-9]+\] "
    r"|\[[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]+)?\] )"
)
#: The start of an NCCL record or version line (what makes a weak wrapper worth stripping).
NCCL_START: Final = r"(?:[^ :\[\]]+:[0-9]+:[0-9]+ \[[0-9]+\]|NCCL version )"
#: The timestamp a wrapper carries, searched in the launcher text.
WRAPPER_TS: Final = "(?P<t>" + _ISO + "|" + _MPI_DATE + r"|[0-9]{4}-[0-9]{2}-[0-9]{2}[ T]"
WRAPPER_TS_END: Final = r"[0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]+)?)"

_PY_STRONG: Final = re.compile(STRONG, re.ASCII)
_PY_WEAK: Final = re.compile(WEAK, re.ASCII)
_PY_NCCL_START: Final = re.compile(NCCL_START, re.ASCII)
_PY_WRAPPER_TS: Final = re.compile(WRAPPER_TS + WRAPPER_TS_END, re.ASCII)


def strong(line: str) -> int:
    """Reference: the length of the strong wrappers at the start of ``line`` (0 if none)."""
    m = _PY_STRONG.match(line)
    return m.end() if m else 0


def weak(rest: str) -> int:
    """Reference: the length of a weak wrapper at the start of ``rest`` (0 if none)."""
    m = _PY_WEAK.match(rest)
    return m.end() if m else 0


def starts_nccl(text: str) -> bool:
    """Reference: does ``text`` start with an NCCL record prefix or version line."""
    return _PY_NCCL_START.match(text) is not None


def wrapper_ts_text(launcher: str) -> str | None:
    """Reference: the first timestamp text inside a launcher, if any."""
    m = _PY_WRAPPER_TS.search(launcher)
    return m.group("t") if m else None
