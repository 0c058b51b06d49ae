"""The analyst notebooks run top to bottom on the shipped sample data; git holds no outputs."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from tests.shared import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
read_notebook: Callable[..., Any] = nbformat.read  # untyped in nbformat


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_outputs_are_stripped(path: Path) -> None:
    notebook = read_notebook(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a cell keeps its outputs"
            assert cell.execution_count is None


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_runs_top_to_bottom(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any error in any cell fails; every plot cell draws a picture."""
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # no migration warning from jupyter_core
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the sample dataset lands in the test's folder
    monkeypatch.delenv("LOGPIPE_DATASET", raising=False)
    notebook = read_notebook(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    images = [
        out
        for cell in notebook.cells
        for out in cell.get("outputs", [])
        if out.get("output_type") == "display_data" and "image/png" in out.get("data", {})
    ]
    assert len(images) == sum("plt.show()" in cell.source for cell in notebook.cells)
    errors = [out for cell in notebook.cells for out in cell.get("outputs", [])
              if out.get("output_type") == "error"]  # fmt: skip
    assert errors == []
    assert os.listdir(tmp_path)


def test_there_is_the_nccl_notebook() -> None:
    assert "nccl_analysis.ipynb" in [p.name for p in NOTEBOOKS]
