"""The ``logpipe`` entry point: help, version, exit codes, run as a real process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import logpipe


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "logpipe", *args], capture_output=True, text=True, check=False
    )


def test_version() -> None:
    out = run("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"logpipe {logpipe.__version__}"


def test_help_lists_usage() -> None:
    out = run("--help")
    assert out.returncode == 0
    assert "usage: logpipe" in out.stdout


def test_no_command_is_a_usage_error() -> None:
    out = run()
    assert out.returncode == 2
    assert "usage: logpipe" in out.stdout


def test_unknown_command_is_a_usage_error() -> None:
    out = run("frobnicate")
    assert out.returncode == 2
    assert "invalid choice" in out.stderr


def test_a_command_imports_only_its_own_module(tmp_path: Path) -> None:
    """Start-up cost: ``logpipe sample`` must not pay for DuckDB, deltalake or pyarrow."""
    code = (
        "import sys; from logpipe.cli import main; "
        f"assert main(['sample', {str(tmp_path)!r}]) == 0; "
        "print(sorted(m for m in ('duckdb', 'deltalake', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == "[]"
