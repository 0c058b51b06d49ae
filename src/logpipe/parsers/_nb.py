"""numba for the byte kernels: one typed decorator, compiled code cached on disk when possible.

Why numba: the batch parser must read each byte about once; with pyarrow compute every
decision is a separate pass over the whole batch (about 40 per line kind). numba compiles
plain loops over the Arrow buffers to machine code at run time, so users need no C
compiler and wheels stay pure Python. The kernels release the GIL (``nogil``).

Caching: numba keys a cached kernel on its own source file only, so a kernel whose helper
in another module changed would load stale code. ``SALT`` hashes the source of every
parser module and is added to each kernel's cache key. A kernel of another package (such
as ``ingest._ksplit``) takes helpers and constants only from here and from its package's
``_k*`` modules: its key carries ``SALT`` and a digest of those (``salt_of``), so the
other modules of its package change without a recompilation. Where no cache directory is
writable (a read-only install with no writable home), the kernels are compiled in every
process instead (numba would refuse to decorate them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, TypeVar, cast

import numba
from numba.core.caching import FunctionCache

__all__ = ["SALT", "cache_key_salted", "jit", "jit_alloc", "salt", "salt_of"]

F = TypeVar("F", bound=Callable[..., Any])

_HERE: Final = Path(__file__).resolve().parent


def salt(directory: Path, pattern: str = "*.py") -> str:
    """A digest of the modules (``pattern``) of the package in ``directory``: the kernels
    and the modules whose constants they are compiled with (formats, levels, keys, limits)."""
    digest = hashlib.sha256()
    for path in sorted(directory.glob(pattern)):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


#: Part of every kernel's cache key: a change in any parser module invalidates them all.
SALT: Final = salt(_HERE)


_SALTS: dict[Path, str] = {_HERE: SALT}


def salt_of(func: Callable[..., Any]) -> str:
    """The salt in the cache key of the kernel ``func`` (computed once per package)."""
    directory = Path(func.__code__.co_filename).resolve().parent
    if directory not in _SALTS:
        _SALTS[directory] = f"{SALT}+{salt(directory, '_k*.py')}"
    return _SALTS[directory]


class _SaltedCache(FunctionCache):
    """numba's per-function disk cache with ``salt_of`` its function in its index key."""

    def _index_key(self, sig: Any, codegen: Any) -> tuple[Any, ...]:
        key: tuple[Any, ...] = super()._index_key(sig, codegen)  # type: ignore[no-untyped-call]
        return (*key, salt_of(self._py_func))


def _enable_cache(dispatcher: Any) -> None:
    """Cache ``dispatcher`` on disk if some cache directory is writable (else do nothing)."""
    cache: Any = _SaltedCache  # numba's caching classes carry no type hints
    try:
        dispatcher._cache = cache(dispatcher.py_func)
    except RuntimeError:
        # "cannot cache function ...: no locator available": nothing writable. Compiling in
        # every process costs start-up time, never correctness.
        return


def cache_key_salted(dispatcher: Any) -> bool:
    """Whether ``dispatcher`` caches on disk under salted keys (for tests and diagnostics)."""
    return isinstance(getattr(dispatcher, "_cache", None), _SaltedCache)


def _compile(func: F, *, nrt: bool) -> F:
    options: dict[str, Any] = {"nogil": True, "_nrt": nrt}  # ``_nrt`` is not in numba's hints
    dispatcher = numba.njit(**options)(func)
    _enable_cache(dispatcher)
    return cast(F, dispatcher)


def jit(func: F) -> F:
    """Compile a kernel that allocates nothing (nopython, GIL released, cached when possible).

    Without numba's reference counting: array arguments cost no atomic counter updates per
    call (about a quarter of the run time of the scan when they were counted). Compilation
    happens at the first call for each argument type combination.
    """
    return _compile(func, nrt=False)


def jit_alloc(func: F) -> F:
    """``jit`` for a kernel that allocates its result arrays (reference counted)."""
    return _compile(func, nrt=True)
