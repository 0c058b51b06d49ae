"""Compiled kernels: cached under keys that follow every parser source, usable uncached.

numba keys a disk cache on the defining file alone; the kernels span modules, so their
keys carry a digest of the whole package (``_nb.SALT``; a kernel of another package also
one of its package's kernel modules). Where nothing is writable the kernels still work,
compiled in the process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from logpipe.ingest import _ksplit
from logpipe.ingest.lines import lines_of
from logpipe.parsers import _kscan, _nb, parse_batch

PARSERS = Path(_kscan.__file__).resolve().parent


def test_salt_follows_every_parser_module(tmp_path: Path) -> None:
    copy = tmp_path / "parsers"
    shutil.copytree(PARSERS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert _nb.salt(copy) == _nb.SALT
    for name in ("_kbytes.py", "_logrus.py"):  # a helper kernel; constants kernels use
        path = copy / name
        before = path.read_bytes()
        path.write_bytes(before + b"\n")
        assert _nb.salt(copy) != _nb.SALT
        path.write_bytes(before)
    assert _nb.salt(copy) == _nb.SALT


def test_kernels_cache_under_salted_keys() -> None:
    parse_batch(pa.array(["level=info msg=hi"]))  # compiled or loaded by now
    scan: Any = _kscan.scan  # a numba dispatcher
    assert _nb.cache_key_salted(scan)
    key = scan._cache._index_key(scan.signatures[0], scan.targetctx.codegen())
    assert key[-1] == _nb.SALT


def test_a_kernel_outside_the_parsers_follows_the_kernel_modules_of_its_package(
    tmp_path: Path,
) -> None:
    lines_of(b"a\n", 0, 1)  # compiled or loaded by now
    lay_out: Any = _ksplit.lay_out
    assert _nb.cache_key_salted(lay_out)
    key = lay_out._cache._index_key(lay_out.signatures[0], lay_out.targetctx.codegen())
    ingest = Path(_ksplit.__file__).resolve().parent
    assert key[-1] == f"{_nb.SALT}+{_nb.salt(ingest, '_k*.py')}"
    copy = tmp_path / "ingest"
    shutil.copytree(ingest, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = _nb.salt(copy, "_k*.py")
    for name, changes in (("lines.py", False), ("_ksplit.py", True)):
        path = copy / name
        path.write_bytes(path.read_bytes() + b"\n")
        assert (_nb.salt(copy, "_k*.py") != before) == changes


def test_a_kernel_without_a_cache_directory_compiles_in_process(tmp_path: Path) -> None:
    # A function whose source file is gone: numba finds no place to cache it (the same
    # answer as on a read-only install without a writable home).
    source = tmp_path / "gone.py"
    source.write_text(
        "def count(d):\n    n = 0\n    for c in d:\n        n += c == 32\n    return n\n"
    )
    namespace: dict[str, Any] = {}
    exec(compile(source.read_text(), str(source), "exec"), namespace)
    source.unlink()
    kernel = _nb.jit(namespace["count"])
    assert not _nb.cache_key_salted(kernel)
    assert kernel(np.frombuffer(bytearray(b"a b c"), np.uint8)) == 2


_PROBE = """
import sys, pyarrow as pa, logpipe
assert logpipe.__file__.startswith(sys.argv[1]), logpipe.__file__
from logpipe.parsers import parse_batch
rows = parse_batch(pa.array(['level=info msg=hi a=1', 'plain'])).to_pylist()
assert rows[0]["fields"] == [("a", "1")] and rows[1]["format"] == "plain", rows
print("ok")
"""


@pytest.mark.slow
def test_a_read_only_install_without_a_writable_home_still_parses(tmp_path: Path) -> None:
    """Install a copy of the package on a read-only bind mount (a new mount namespace),
    with no writable home and no cache directory configured: parsing works, nothing is
    written next to the package."""
    if not shutil.which("unshare") or os.geteuid() != 0:
        pytest.skip("needs unshare and root for a read-only bind mount")
    site = tmp_path / "site"
    shutil.copytree(PARSERS.parent, site / "logpipe", ignore=shutil.ignore_patterns("__pycache__"))
    home = site / "home"  # on the read-only mount too: numba's user-wide cache is there
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "XDG_"))}
    env.update(HOME=str(home), PYTHONPATH=str(site), PYTHONDONTWRITEBYTECODE="1")
    ro = f'mount --bind "{site}" "{site}" && mount -o remount,bind,ro "{site}"'
    script = ro + ' && exec "$0" -c "$1" "$2"'
    try:
        done = subprocess.run(
            ["unshare", "-m", "sh", "-c", script, sys.executable, _PROBE, str(site)],
            env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
    except OSError as exc:
        pytest.skip(f"cannot run unshare: {exc}")
    if "Operation not permitted" in done.stderr or "mount:" in done.stderr:
        pytest.skip(f"no mount namespaces here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    assert not [p for p in site.rglob("*") if p.suffix in (".nbi", ".nbc", ".pyc")]
    assert list(home.iterdir()) == []
