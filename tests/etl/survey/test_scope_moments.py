"""Scope figures from per-cell sums equal the figures computed on the scope's own rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl.core.config import SERVICE_DIMENSIONS, load_item_bank, load_settings
from etl.core.scopes import Scope
from etl.survey import indices
from etl.survey.figures import (
    ScopeSums,
    headline_columns,
    scope_rows,
    segment_cells,
    segment_masks,
    sum_rows,
)
from etl.survey.scope_moments import cell_moments, cells_of, joint_sums, pooled, pooled_influence

SETTINGS = load_settings()
BANK = load_item_bank()
SCOPES = [Scope("company", "company", "", "")] + [Scope(b, "branch", "", "") for b in "ABC"]


def respondents(n: int = 900, seed: int = 8) -> tuple[pd.DataFrame, np.ndarray]:
    """Three branches, two channels, two product lines; touchpoints rated by some only."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "branch_code": pd.Categorical(rng.choice(["C", "A", "B"], n)),
            "channel_code": rng.choice(["TELE", "AGENT", None], n, p=[0.45, 0.45, 0.1]),
            "product_line_code": rng.choice(["LIFE", "HEALTH"], n),
        }
    )
    for d in SERVICE_DIMENSIONS:
        scores = rng.integers(0, 11, n) * 10.0
        frame[d] = np.where(rng.uniform(size=n) < 0.7, scores, np.nan).astype(np.float32)
    frame["overall"] = frame[list(SERVICE_DIMENSIONS)].mean(axis=1)
    frame["nps_raw"] = rng.integers(0, 11, n).astype(float)
    frame["overall_raw"] = np.where(rng.uniform(size=n) < 0.9, rng.integers(1, 11, n), np.nan)
    return frame, rng.uniform(0.3, 3.0, n)


def test_every_scope_from_cell_sums_equals_its_own_rows() -> None:
    frame, weights = respondents()
    cells = cells_of(frame)
    columns = headline_columns(frame, BANK, SETTINGS)
    moments = cell_moments(columns, weights, cells)
    joint = joint_sums({d: columns[d] for d in SERVICE_DIMENSIONS}, weights, cells, moments)
    masks = segment_masks(frame, SCOPES)
    for code, selected in segment_cells(cells, SCOPES).items():
        pooled_rows = sum_rows("2026-Q3", code, ScopeSums(pooled(moments, selected), joint,
                               selected), BANK, SETTINGS)  # fmt: skip
        mask = masks[code]
        own_rows = scope_rows("2026-Q3", code, frame[mask], weights[mask], BANK, SETTINGS)
        assert [r.metric for r in pooled_rows] == [r.metric for r in own_rows]
        for ours, theirs in zip(pooled_rows, own_rows, strict=True):
            assert (ours.n, ours.flag, ours.note) == (theirs.n, theirs.flag, theirs.note)
            for field in ("value", "lower_bound", "upper_bound", "n_effective"):
                expected = getattr(theirs, field)
                assert getattr(ours, field) == (
                    None if expected is None else pytest.approx(expected, rel=1e-11)
                )


def test_pooled_mean_and_spread_equal_numpy_on_the_rows() -> None:
    frame, weights = respondents(400, seed=2)
    cells = cells_of(frame)
    moments = cell_moments({"claims": frame["claims"].to_numpy()}, weights, cells)
    selected = segment_cells(cells, SCOPES)["channel.TELE"]
    rows = (frame["channel_code"] == "TELE").to_numpy() & frame["claims"].notna().to_numpy()
    values, w = frame["claims"].to_numpy(dtype=float)[rows], weights[rows]
    expected = indices.weighted_mean(values, w)
    scope = pooled(moments, selected)
    assert scope.n[0] == rows.sum()
    assert scope.mean(0) == pytest.approx(expected.value, rel=1e-13)
    estimate = indices.mean_estimate(scope.mean(0), scope.spread(0), int(scope.n[0]),
                                     scope.effective_n(0))  # fmt: skip
    assert estimate.se == pytest.approx(expected.se, rel=1e-12)


def test_a_cell_of_equal_answers_has_no_spread() -> None:
    # All equal within each cell (0 or 100): the within-cell squares are zero but for the
    # rounding of the cell mean, not the residue of two sums of order Σw·100² (≈ 1e5 here).
    frame = pd.DataFrame({"branch_code": ["A"] * 40 + ["B"] * 40, "channel_code": "TELE",
                          "product_line_code": "LIFE"})  # fmt: skip
    values = np.r_[np.full(40, 100.0), np.zeros(40)]
    weights = np.random.default_rng(1).uniform(0.1, 7.0, 80)
    cells = cells_of(frame)
    moments = cell_moments({"x": values}, weights, cells)
    assert pooled(moments, cells.select(branch_code="A")).squares[0] < 1e-20
    both = pooled(moments, np.ones(cells.count, bool))
    share = weights[:40].sum() / weights.sum()
    assert both.spread(0) == pytest.approx(100.0**2 * share * (1 - share), rel=1e-12)


def test_influence_of_two_dimensions_hand_computed() -> None:
    # As test_figures' CSI case, but the three respondents split over two cells.
    frame = pd.DataFrame({"branch_code": ["A", "B", "B"], "channel_code": "TELE",
                          "product_line_code": "LIFE"})  # fmt: skip
    columns = {"claims": np.array([60.0, 80.0, 100.0]),
               "complaints": np.array([50.0, np.nan, 70.0])}  # fmt: skip
    cells = cells_of(frame)
    moments = cell_moments(columns, np.ones(3), cells)
    joint = joint_sums(columns, np.ones(3), cells, moments)
    everyone = np.ones(cells.count, bool)
    coefficients = np.array([0.75 / 3, 0.25 / 2])
    squared = pooled_influence(joint, everyone, np.array([80.0, 60.0]), coefficients)
    assert squared == pytest.approx(2 * 6.25**2)
