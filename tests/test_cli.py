"""The ``logpipe`` entry point: help, version, exit codes, run as a real process."""

from __future__ import annotations

import subprocess
import sys

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
