"""Views of a snapshot do not depend on how its lines arrived (the per-version index is
built incrementally from the previous index; placement must come out the same)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logpipe import query, sample
from tests.query.helpers import append, land
from tests.strategies import commit_plans

VIEWS = {
    "nccl_runs": "SELECT * EXCLUDE (start_time, end_time) FROM nccl_runs",
    "nccl_edges": "SELECT * FROM nccl_edges",
    "nccl_ranks": "SELECT * FROM nccl_ranks",
    "nccl_comms": "SELECT * FROM nccl_comms",
    "nccl_transport_summary": "SELECT * FROM nccl_transport_summary",
    "nccl_ring_hops": "SELECT * FROM nccl_ring_hops",
    "nccl_warnings": "SELECT * FROM nccl_warnings",
    "nccl_colls": "SELECT * FROM nccl_colls",
}


def snapshot_views(dataset: Path) -> dict[str, list[str]]:
    with query.connect(dataset) as con:
        return {name: sorted(map(repr, con.execute(sql).fetchall())) for name, sql in VIEWS.items()}


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    root = tmp_path_factory.mktemp("sample")
    sample.generate(root)
    nccl = [p for p in sorted(root.rglob("*.log")) if "jobs" in p.parts]
    return {str(p.relative_to(root)): p.read_text().splitlines(keepends=True) for p in nccl}


@pytest.fixture(scope="module")
def at_once(sample_files: dict[str, list[str]], tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("once")
    for rel, lines in sample_files.items():
        append(tmp / rel, "".join(lines))
    return snapshot_views(land(tmp, *(tmp / h for h in sample.HOSTS if (tmp / h).exists())))


@pytest.mark.slow
@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_commits_in_steps_give_the_same_views(
    data: st.DataObject,
    sample_files: dict[str, list[str]],
    at_once: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    plan = data.draw(commit_plans(files=len(sample_files)))
    tmp = tmp_path_factory.mktemp("steps")
    done = dict.fromkeys(sample_files, 0)
    dataset = tmp / "ds"
    for fractions in plan:
        for (rel, lines), fraction in zip(sample_files.items(), fractions, strict=True):
            upto = round(fraction * len(lines))
            if upto > done[rel]:
                append(tmp / rel, "".join(lines[done[rel] : upto]))
                done[rel] = upto
        dataset = land(tmp, *(tmp / h for h in sample.HOSTS if (tmp / h).exists()))
        query.connect(dataset).close()  # builds this version's index from the last one
    assert snapshot_views(dataset) == at_once
