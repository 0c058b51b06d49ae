"""Keep a known native shutdown panic of delta-rs out of a CLI's stderr."""

from __future__ import annotations

import atexit
import contextlib
import os
import sys

__all__ = ["silence_native_teardown"]

_armed = False


def _silence() -> None:
    # Runs before module teardown: flush what Python wrote, then send whatever the
    # native runtime prints while dying ("Already shut down" panics) to /dev/null.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def silence_native_teardown() -> None:
    """After a failed Delta write: object_store leaves an upload task behind that panics
    with "Already shut down" when the interpreter exits (exit status unaffected)."""
    global _armed
    if not _armed:
        _armed = True
        atexit.register(_silence)
