"""The outside world ingest touches (clocks, filesystem calls), injectable for tests."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from logpipe.ingest.tail import Opener, open_readonly

__all__ = ["World"]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class World:
    """Real defaults; tests pass a fake clock, a failing ``opener``, a counting ``scandir``."""

    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], dt.datetime] = _utcnow
    opener: Opener = open_readonly
    scandir: Callable[[Path], Iterator[os.DirEntry[str]]] = os.scandir
