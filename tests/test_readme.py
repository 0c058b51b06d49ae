"""The README's examples run: its doctest session, and its logging and structlog snippets."""

from __future__ import annotations

import doctest
import re
import subprocess
import sys

import pytest

from tests.shared import REPO

README = REPO / "README.md"
SNIPPETS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_doctest_session() -> None:
    failures, tried = doctest.testfile(str(README), module_relative=False)
    assert tried >= 3
    assert failures == 0


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[f"snippet-{i}" for i in range(len(SNIPPETS))])
def test_snippet_prints_a_logrus_line(snippet: str) -> None:
    # Each snippet in a fresh interpreter: they configure logging and structlog globally.
    run = subprocess.run(
        [sys.executable, "-c", snippet], capture_output=True, text=True, check=True, cwd=REPO
    )
    output = run.stdout + run.stderr
    assert re.fullmatch(r'(time="[^"]+" level=info msg="ring established" .*|\{".*"\})\n', output)
    assert "rank" in output


def test_there_are_snippets() -> None:
    assert len(SNIPPETS) == 2


def test_quickstart_is_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    block = text.split("## Quickstart", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split()[0] for line in block.splitlines() if line.strip()]
    assert commands == ["scripts/quickstart", "scripts/test"]
