"""Compute writes results and actions in one transaction: a failure after computing writes none."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from etl.pipeline import compute
from etl.warehouse import connect

QUARTER = "2026-Q3"


def snapshot(url: str) -> dict[str, pd.DataFrame]:
    with connect(url).connect() as conn:
        return {
            "results": pd.read_sql(
                sa.text("select * from results order by quarter, scope, metric"), conn
            ),
            "improvement_actions": pd.read_sql(
                sa.text("select * from improvement_actions order by action_id"), conn
            ),
        }


@pytest.fixture
def warehouse_copy(small_demo_url: str, tmp_path: Path) -> str:
    copy = tmp_path / "warehouse.db"
    shutil.copy(small_demo_url.removeprefix("sqlite:///"), copy)
    return f"sqlite:///{copy}"


def fail_storing_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Results are already written in the transaction when storing the actions fails."""

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full while storing the actions")

    monkeypatch.setattr(compute, "store_actions", broken)


def test_a_failure_on_a_new_quarter_writes_neither_results_nor_actions(
    warehouse_copy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    compute.compute_quarter(warehouse_copy, "2026-Q2", "history")
    before = snapshot(warehouse_copy)
    fail_storing_actions(monkeypatch)
    with pytest.raises(RuntimeError, match="disk full"):
        compute.compute_one_quarter(warehouse_copy, QUARTER, "run-fails")
    after = snapshot(warehouse_copy)
    assert not (after["results"]["quarter"] == QUARTER).any()
    for table, frame in before.items():
        pd.testing.assert_frame_equal(after[table], frame, obj=table)


def test_a_failed_rerun_keeps_the_earlier_results_and_actions(
    warehouse_copy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    compute.compute_quarter(warehouse_copy, QUARTER, "run-1")
    before = snapshot(warehouse_copy)
    assert (before["improvement_actions"]["quarter_raised"] == QUARTER).any()
    # Corrected answers: over unchanged inputs the rerun would write nothing at all.
    with connect(warehouse_copy).begin() as conn:
        conn.execute(sa.text(
            "update survey_answers set score = score - 1 where item_code like 'CL%' and score > 1 "
            "and response_id in (select response_id from survey_responses "
            "where wave_id = '2026-Q3')"
        ))  # fmt: skip
    fail_storing_actions(monkeypatch)
    with pytest.raises(RuntimeError, match="disk full"):
        compute.compute_one_quarter(warehouse_copy, QUARTER, "run-2")
    after = snapshot(warehouse_copy)
    assert set(after["results"]["run_id"]) <= set(before["results"]["run_id"])
    for table, frame in before.items():
        pd.testing.assert_frame_equal(after[table], frame, obj=table)
