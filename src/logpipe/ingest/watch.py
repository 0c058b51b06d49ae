"""Change hints for the daemon: watchdog's native observer, else none (polling covers all)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from watchdog.observers import Observer

__all__ = ["Events", "ObserverFactory", "native_observer"]

log = logging.getLogger("logpipe.ingest.watch")


class _Observer(Protocol):
    def schedule(self, handler: Any, path: str, *, recursive: bool) -> Any: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def join(self, timeout: float | None = None) -> None: ...


#: ``() -> observer`` with watchdog's ``schedule/start/stop/join`` (injected in tests).
ObserverFactory = Callable[[], _Observer]


def native_observer() -> _Observer:
    """watchdog's platform observer (inotify on Linux)."""
    observer: _Observer = Observer()
    return observer


class Events:
    """Collects which files changed (a hint; scans stay the truth) and wakes the daemon.

    Modifications name a file; creations, deletions and moves only say "scan". When
    no native observer can start (no inotify, its limits, NFS) the daemon simply
    polls: nothing here is needed for correctness, only for latency and CPU.
    """

    def __init__(self, roots: Sequence[Path], factory: ObserverFactory | None) -> None:
        self.roots = list(roots)
        self._factory = factory
        self._observer: _Observer | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._modified: set[str] = set()
        self._structural = False

    @property
    def native(self) -> bool:
        return self._observer is not None

    def start(self) -> None:
        if self._factory is None:
            return
        try:
            observer = self._factory()
            for root in self.roots:
                observer.schedule(_Handler(self), str(root), recursive=True)
            observer.start()
        except (OSError, RuntimeError) as exc:
            log.warning("no file-system events: polling only", extra={"error": str(exc)})
            return
        self._observer = observer

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=2.0)
            self._observer = None

    def modified(self, path: str) -> None:
        with self._lock:
            self._modified.add(path)
        self._wake.set()

    def structural(self) -> None:
        with self._lock:
            self._structural = True
        self._wake.set()

    def wake(self) -> None:
        """Interrupt ``wait`` (a signal handler or a test)."""
        self._wake.set()

    def wait(self, timeout: float) -> None:
        """Block until an event arrives or ``timeout`` seconds pass."""
        if timeout > 0:
            self._wake.wait(timeout)
        self._wake.clear()

    def take(self) -> tuple[set[str], bool]:
        """(paths modified, whether files appeared/vanished/moved) since the last take."""
        with self._lock:
            modified, structural = self._modified, self._structural
            self._modified, self._structural = set(), False
        return modified, structural


class _Handler:
    """A watchdog event handler feeding ``Events`` (duck-typed: ``dispatch(event)``)."""

    def __init__(self, events: Events) -> None:
        self.events = events

    def dispatch(self, event: Any) -> None:
        if event.event_type in {"modified", "closed"}:
            if not event.is_directory:
                self.events.modified(str(event.src_path))
        elif event.event_type in {"created", "deleted", "moved"}:
            self.events.structural()
