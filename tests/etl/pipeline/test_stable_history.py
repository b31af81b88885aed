"""A quarter's report depends only on its inputs: the same results and PDF bytes for 2026-Q3
whatever other quarters were computed before it, and in whatever order."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from etl.pipeline import compute_quarter, render_scope
from etl.warehouse import connect

QUARTER = "2026-Q3"
ORDERS = {
    "2026-Q3 alone": [],
    "2025-Q2, 2026-Q1 first": ["2025-Q2", "2026-Q1"],
    "2026-Q2, then 2024-Q4 again": ["2026-Q2", "2024-Q4"],
}
TABLES = {
    "results": "select quarter, scope, metric, value, lower_bound, upper_bound, n, n_effective, "
    "flag, note from results",
    "improvement_actions": "select * from improvement_actions",
    "action_follow_ups": "select * from action_follow_ups",
    "action_coverage": "select * from action_coverage",
    "action_proposals": "select * from action_proposals",
}


def table(url: str, query: str) -> pd.DataFrame:
    with connect(url).connect() as conn:
        frame = pd.read_sql(sa.text(query), conn)
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


@pytest.fixture(scope="module")
def runs(small_demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Per order: a private copy of the small demo, the other quarters computed first (each
    as its own run), then 2026-Q3 computed and its company report rendered."""
    made = {}
    for name, before in ORDERS.items():
        folder = tmp_path_factory.mktemp("history")
        shutil.copy(small_demo_url.removeprefix("sqlite:///"), folder / "warehouse.db")
        url = f"sqlite:///{folder / 'warehouse.db'}"
        for other in before:
            compute_quarter(url, other, f"run-{other}")
        compute_quarter(url, QUARTER, "run-q3")
        render_scope(url, QUARTER, "company", "zh-CN", str(folder / "reports"), "run-q3")
        made[name] = url
    return made


@pytest.mark.parametrize("name", list(TABLES))
def test_the_quarter_stores_the_same_figures_and_plan_whatever_was_computed_before(
    runs: dict[str, str], name: str
) -> None:
    query = TABLES[name]
    first, *others = runs.values()
    expected = table(first, query)
    assert len(expected) > 0 or name == "action_coverage"
    for url in others:
        pd.testing.assert_frame_equal(table(url, query), expected)


def test_the_same_pdf_bytes_whatever_was_computed_before(runs: dict[str, str]) -> None:
    digests = {
        name: hashlib.sha256(
            (
                Path(url.removeprefix("sqlite:///")).parent
                / "reports"
                / QUARTER
                / "company.zh-CN.pdf"
            ).read_bytes()
        ).hexdigest()
        for name, url in runs.items()
    }
    assert len(set(digests.values())) == 1, digests
