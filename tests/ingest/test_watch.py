"""Change hints: watchdog's inotify observer feeding the daemon, and falling back to polling."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from logpipe.ingest.watch import Events, native_observer
from tests.ingest.helpers import append


def test_native_events_name_modified_files_and_flag_new_ones(tmp_path: Path) -> None:
    events = Events([tmp_path], native_observer)
    events.start()
    try:
        assert events.native
        append(tmp_path / "a.log", b"x\n")  # created: a scan is needed
        deadline = time.monotonic() + 10
        seen: set[str] = set()
        structural = False
        while time.monotonic() < deadline and not (structural and seen):
            events.wait(0.5)
            modified, flag = events.take()
            seen |= modified
            structural |= flag
            if structural and not seen:
                append(tmp_path / "a.log", b"y\n")  # modified: read it
        assert structural
        assert str(tmp_path / "a.log") in seen
    finally:
        events.stop()


class Broken:
    """An observer that cannot start (inotify limits, no inotify at all)."""

    def schedule(self, handler: Any, path: str, *, recursive: bool) -> None:
        raise OSError(28, "inotify watch limit reached")

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def join(self, timeout: float | None = None) -> None: ...


def test_no_observer_means_polling_only(tmp_path: Path) -> None:
    events = Events([tmp_path], Broken)
    events.start()
    assert not events.native
    events.wake()
    events.wait(5)  # returns at once: woken
    assert events.take() == (set(), False)
    events.stop()
