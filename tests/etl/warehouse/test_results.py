"""The results store: a rerun replaces a quarter's rows, all or nothing, and leaves the rest."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl.core.results import ResultRow
from etl.warehouse import (
    read_results,
    upsert_results,
)

TABLES = {
    "branches", "channels", "product_lines", "policies", "premium_payments", "claims",
    "complaints", "survey_waves", "survey_items", "survey_responses", "survey_answers",
    "feedback_texts", "mystery_shop_visits", "mystery_shop_results", "kpi_targets",
    "improvement_actions", "results",
}  # fmt: skip


def test_upsert_replaces_a_quarters_rows_instead_of_duplicating(warehouse: Engine) -> None:
    first = [
        ResultRow("2026-Q3", "company", "csi", 71.0, n=100),
        ResultRow("2026-Q3", "company", "nps", 5.0, n=100),
    ]
    upsert_results(warehouse, "2026-Q3", first, "run-1", ["company"])
    second = [ResultRow("2026-Q3", "company", "csi", 72.5, n=101)]
    upsert_results(warehouse, "2026-Q3", second, "run-2", ["company"])
    stored = read_results(warehouse, ["2026-Q3"])
    # One row per (quarter, scope, metric); a metric the rerun no longer produces is gone.
    assert stored[["metric", "value", "n", "run_id"]].to_dict("records") == [
        {"metric": "csi", "value": 72.5, "n": 101, "run_id": "run-2"}
    ]


def test_upsert_leaves_other_quarters_and_scopes_alone(warehouse: Engine) -> None:
    upsert_results(
        warehouse, "2026-Q2", [ResultRow("2026-Q2", "company", "csi", 70.0)], "r1", ["company"]
    )
    upsert_results(warehouse, "2026-Q3", [ResultRow("2026-Q3", "BJ", "csi", 69.0)], "r1", ["BJ"])
    upsert_results(
        warehouse, "2026-Q3", [ResultRow("2026-Q3", "company", "csi", 71.0)], "r2", ["company"]
    )
    stored = read_results(warehouse, ["2026-Q2", "2026-Q3"]).sort_values(["quarter", "scope"])
    assert list(zip(stored["quarter"], stored["scope"], stored["value"], strict=True)) == [
        ("2026-Q2", "company", 70.0), ("2026-Q3", "BJ", 69.0), ("2026-Q3", "company", 71.0),
    ]  # fmt: skip


def test_upsert_is_all_or_nothing(warehouse: Engine) -> None:
    upsert_results(
        warehouse, "2026-Q3", [ResultRow("2026-Q3", "company", "csi", 71.0)], "r1", ["company"]
    )
    broken = [ResultRow("2026-Q3", "company", "csi", 80.0), ResultRow("2026-Q3", None, "nps", 1.0)]  # type: ignore[arg-type]
    with pytest.raises(sa.exc.IntegrityError):
        upsert_results(warehouse, "2026-Q3", broken, "r2", ["company"])
    stored = read_results(warehouse, ["2026-Q3"])
    assert stored[["metric", "value", "run_id"]].to_dict("records") == [
        {"metric": "csi", "value": 71.0, "run_id": "r1"}
    ]
