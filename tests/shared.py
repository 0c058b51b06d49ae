"""Access to the golden data in ``../shared`` (real tool output; never copied into the repo).

Where the folder is missing (a user's clone) the tests that need it skip with a
clear reason; under ``CI=true`` they fail instead, so CI always runs them.
``LOGPIPE_SHARED`` points elsewhere when the checkout is not beside ``shared/``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("LOGPIPE_SHARED", REPO.parent / "shared"))


def on_ci() -> bool:
    """True when running under CI (``CI=true``), where missing golden data is a failure."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(relative: str) -> Path:
    """The path of a golden file or folder; skip (or fail on CI) when it is absent."""
    path = SHARED / relative
    if not path.exists():
        reason = f"golden data {path} is missing (set LOGPIPE_SHARED to the shared/ folder)"
        if on_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def glob(relative_dir: str, pattern: str) -> list[Path]:
    """Files matching ``pattern`` under a shared folder, for parametrization at collection.

    Returns an empty list when the folder is missing: pair it with ``params_or_missing``.
    """
    folder = SHARED / relative_dir
    return sorted(folder.glob(pattern)) if folder.is_dir() else []


def params_or_missing(values: list[Any], ids: list[str], relative: str) -> list[Any]:
    """pytest params for ``values``; a single failing/skipping param when there are none."""
    if values:
        return [pytest.param(v, id=i) for v, i in zip(values, ids, strict=True)]
    mark = pytest.mark.skipif(not on_ci(), reason=f"golden data {SHARED / relative} is missing")
    return [pytest.param(None, id="golden-data-missing", marks=mark)]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every JSON object of a JSON-lines file."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
