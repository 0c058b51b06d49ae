"""``logpipe demo``: every formatter's section, real lines, run as a real process."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from logpipe.cli.demo import events, sections


def demo(*args: str) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "logpipe", "demo", *args], capture_output=True, text=True, check=True
    )
    assert run.stderr == ""
    return run.stdout


def test_always_colored_shows_every_formatter() -> None:
    out = demo("--color", "always")
    for title, formatter in sections(colors=True):
        assert title in out
        for entry in events():
            assert formatter.render(entry) in out  # the lines, byte for byte
    assert "\x1b[31mERRO\x1b[0m[0524]" in out


def test_without_a_terminal_there_are_no_escape_codes() -> None:
    out = demo()  # stdout is a pipe here
    assert "\x1b" not in out
    assert "TextFormatter — colored" not in out
    assert "--color=always" in out
    json_lines = [line for line in out.splitlines() if line.startswith("{")]
    assert [json.loads(line)["level"] for line in json_lines] == [
        "info",
        "debug",
        "info",
        "warning",
        "error",
    ]
    assert re.search(r'level=error msg="checkpoint upload failed" .*backoff=30s', out)


def test_help_lists_demo() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "logpipe", "--help"], capture_output=True, text=True, check=True
    )
    assert "demo" in run.stdout
