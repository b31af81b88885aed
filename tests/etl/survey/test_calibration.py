"""Weights when raking is infeasible: collapse sparse cells, then bound; the report says so."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl.core.config import load_settings
from etl.survey.calibration import bounded, collapse_map, weight_respondents, weighting_rows
from etl.survey.scoring import ScoredSurvey

SETTINGS = load_settings()  # trim [0.2, 5], min_cell_respondents 20


def _survey(branches: dict[str, int]) -> ScoredSurvey:
    codes = [code for code, count in branches.items() for _ in range(count)]
    frame = pd.DataFrame(
        {"response_id": range(1, len(codes) + 1), "branch_code": codes,
         "channel_code": "AGENT", "product_line_code": "LIFE"}
    )  # fmt: skip
    return ScoredSurvey(respondents=frame, item_columns={})


def _book(policies: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"branch_code": b, "channel_code": "AGENT", "product_line_code": "LIFE",
          "policies_in_force": k} for b, k in policies.items()]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("counts", "min_cell", "expected"),
    [
        ({"A": 50, "B": 40}, 20, {"A": "A", "B": "B"}),  # nothing sparse
        ({"A": 50, "B": 5, "C": 30}, 20, {"A": "A", "B": "B+C", "C": "B+C"}),  # joins smallest
        ({"A": 50, "B": 12, "C": 9}, 20, {"A": "A", "B": "B+C", "C": "B+C"}),  # pool 21 ≥ 20
        ({"A": 1, "B": 99}, 20, {"A": "A+B", "B": "A+B"}),
    ],
)
def test_collapse_map(counts: dict[str, int], min_cell: int, expected: dict[str, str]) -> None:
    assert collapse_map(pd.Series(counts), min_cell) == expected


def test_feasible_raking_is_reported_as_raked() -> None:
    weights, report = weight_respondents(
        _survey({"A": 60, "B": 40}), _book({"A": 500, "B": 500}), SETTINGS
    )
    assert report.method == "raked" and report.converged
    assert weights.groupby(_survey({"A": 60, "B": 40}).respondents["branch_code"]).sum()[
        "A"
    ] == pytest.approx(50.0)
    assert report.max_margin_error < 1e-8


def test_a_sparse_cell_is_collapsed_and_the_margin_error_reported() -> None:
    # B: 1 respondent for 30% of the book needs a weight of 30× the mean; trim allows 5×.
    weights, report = weight_respondents(
        _survey({"A": 99, "B": 1}), _book({"A": 700, "B": 300}), SETTINGS
    )
    assert report.method == "collapsed"
    assert report.collapsed == ("A+B",)
    assert report.max_weight_ratio <= 5.0 + 1e-9
    # Equal weights after the collapse: B's share 1% against 30% → error 0.29, reported.
    assert report.max_margin_error == pytest.approx(0.29)
    np.testing.assert_allclose(weights.to_numpy(), 1.0)


def test_infeasible_bounds_are_kept_and_the_margin_error_reported() -> None:
    # A: 75 respondents for 10% needs 0.133× the mean (< 0.2); no cell is sparse.
    weights, report = weight_respondents(
        _survey({"A": 75, "B": 25}), _book({"A": 100, "B": 900}), SETTINGS
    )
    assert report.method == "bounded" and not report.converged
    ratio = weights.to_numpy() / weights.mean()
    assert ratio.min() >= 0.2 - 1e-9 and ratio.max() <= 5.0 + 1e-9
    assert report.n_trimmed > 0
    share_a = weights[:75].sum() / weights.sum()
    assert report.max_margin_error == pytest.approx(abs(share_a - 0.1))
    assert report.max_margin_error > 0.01
    rows = {row.metric: row for row in weighting_rows("2026-Q3", report, 100)}
    assert rows["weighting.iterations"].flag == "not_converged"
    assert rows["weighting.max_margin_error"].note == "method: bounded"
    assert rows["weighting.max_weight_ratio"].value <= 5.0 + 1e-9


def test_bounded_keeps_the_sum_and_the_bounds() -> None:
    raw = np.array([0.01, 1.0, 1.0, 1.0, 30.0])
    out = bounded(raw, 0.2, 5.0)
    assert out.sum() == pytest.approx(raw.size)
    ratio = out / out.mean()
    assert ratio.min() >= 0.2 - 1e-9 and ratio.max() <= 5.0 + 1e-9
