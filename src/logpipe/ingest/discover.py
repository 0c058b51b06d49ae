"""Walk a source tree and yield the regular files the filter rules select, as ``rsync -r`` would."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from logpipe import errors

if TYPE_CHECKING:
    from logpipe.ingest.rules import FilterRules

__all__ = ["Found", "discover"]

_log = logging.getLogger(__name__)

Scandir = Callable[[Path], Iterator[os.DirEntry[str]]]
OnError = Callable[[Path, OSError], None]
OnSkip = Callable[[Path], None]


@dataclass(frozen=True, slots=True)
class Found:
    """A selected regular file: its ``/``-separated path relative to the root, and its stat.

    ``relpath`` is a ``str``; bytes that are not UTF-8 are kept as surrogate escapes, so
    ``os.fsencode(found.relpath)`` gives back the name's exact bytes.
    """

    relpath: str
    path: Path
    stat: os.stat_result


def discover(
    root: Path | str,
    rules: FilterRules,
    *,
    scandir: Scandir = os.scandir,
    on_error: OnError | None = None,
    on_skip: OnSkip | None = None,
) -> Iterator[Found]:
    """Yield the selected regular files under ``root``, sorted by their relpath's bytes.

    ``root`` is taken as rsync takes ``SRC/``: its own name is not part of any relpath.
    A directory the rules exclude is not entered; symlinks (to anything), FIFOs, sockets
    and devices are skipped, as ``rsync -r`` without ``-l`` skips them.  A directory or file
    that cannot be read is passed to ``on_error`` (by default logged as a warning) and the
    walk goes on; one that vanished during the walk is skipped silently.  ``on_skip`` hears
    of each non-regular entry the rules select, where rsync prints "skipping non-regular
    file" (by default a debug log line).  A ``root`` that cannot be listed raises
    :class:`~logpipe.errors.SourceError`.
    """
    walk = _Walk(rules, scandir, on_error or _log_error, on_skip or _log_skip)
    top = Path(root)
    try:
        stack = walk.select(top, b"")
    except OSError as exc:
        raise errors.SourceError(f"cannot list source {top}: {exc.strerror or exc}") from exc
    while stack:
        item = stack.pop()
        if item.is_dir:
            stack.extend(walk.enter(item))
        elif (found := walk.found(item)) is not None:
            yield found


@dataclass(frozen=True, slots=True)
class _Pending:
    """An entry the rules selected, waiting on the walk's stack."""

    key: bytes  # the relpath's bytes, with a '/' after a directory: the global sort key
    entry: os.DirEntry[str]
    is_dir: bool


@dataclass(frozen=True, slots=True)
class _Walk:
    """The injected world of one walk: rules, the listing call and where problems go."""

    rules: FilterRules
    scandir: Scandir
    report: OnError
    skip: OnSkip

    def select(self, folder: Path, prefix: bytes) -> list[_Pending]:
        """The entries of ``folder`` the rules select, in reverse sort order (a stack's order).

        Sorting by name plus '/' for a directory makes a depth-first walk of the stack yield
        relpaths in global byte order: ``a.log`` < ``a/x`` < ``a0``.
        """
        selected: list[_Pending] = []
        for entry in list(self.scandir(folder)):  # list() exhausts, hence closes, the iterator
            try:
                kind = _kind(entry)
            except FileNotFoundError:
                continue
            except OSError as exc:
                self.report(Path(entry.path), exc)
                continue
            relpath = prefix + os.fsencode(entry.name)
            is_dir = kind == "dir"
            if not self.rules.included(relpath, is_dir=is_dir):
                continue
            if kind is None:
                self.skip(Path(entry.path))
            else:
                selected.append(_Pending(relpath + b"/" if is_dir else relpath, entry, is_dir))
        selected.sort(key=lambda item: item.key, reverse=True)
        return selected

    def enter(self, item: _Pending) -> list[_Pending]:
        """The selected entries of a selected directory; none when it cannot be listed."""
        folder = Path(item.entry.path)
        try:
            return self.select(folder, item.key)
        except FileNotFoundError:
            return []  # removed since its parent was listed
        except OSError as exc:
            self.report(folder, exc)
            return []

    def found(self, item: _Pending) -> Found | None:
        """Stat a selected file (only selected files cost a stat call)."""
        path = Path(item.entry.path)
        try:
            st = item.entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.report(path, exc)
            return None
        if not stat.S_ISREG(st.st_mode):
            return None  # replaced by something else since it was listed
        return Found(os.fsdecode(item.key), path, st)


def _kind(entry: os.DirEntry[str]) -> str | None:
    """ "dir", "file", or None for what rsync -r skips (symlinks, FIFOs, sockets, devices)."""
    if entry.is_symlink():
        return None
    if entry.is_dir(follow_symlinks=False):
        return "dir"
    if entry.is_file(follow_symlinks=False):
        return "file"
    return None


def _log_error(path: Path, exc: OSError) -> None:
    _log.warning("cannot read %s: %s", path, exc.strerror or exc)


def _log_skip(path: Path) -> None:
    _log.debug("skipping non-regular file %s", path)
