"""Key-driver rows: smallest pair n, honest reasons, decided quadrants, weighted impact."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl.core.config import SERVICE_DIMENSIONS, load_settings
from etl.survey.driver_figures import (
    decided_quadrants,
    driver_rows,
    incidence_impact,
    pair_summary,
)

SETTINGS = load_settings()


@pytest.mark.parametrize(
    ("lower", "upper", "expected"),
    [
        (30.0, 40.0, "concentrate_here"),  # clears the split of 25% (4 dimensions) above
        (10.0, 20.0, "concentrate_here"),  # clears it below: the quadrant stands
        (20.0, 30.0, "undetermined"),  # crosses 25%
        (25.0, 30.0, "undetermined"),  # touches it
    ],
)
def test_quadrant_only_when_the_interval_clears_the_split(
    lower: float, upper: float, expected: str
) -> None:
    names = ["a", "b", "c", "d"]
    quadrants = dict.fromkeys(names, "concentrate_here")
    decided = decided_quadrants(
        quadrants, pd.Series(lower, index=names), pd.Series(upper, index=names)
    )
    assert set(decided.values()) == {expected}


def test_incidence_weighted_impact_computed_by_hand() -> None:
    # importance a 50, b 30, c 20; weighted incidence: a rated by all (1.0), b by the first
    # two of four (weights 1, 1 of 1+1+2+4 = 8 → 0.25), c by the last (4/8 = 0.5).
    frame = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, 2.0, np.nan, np.nan],
         "c": [np.nan, np.nan, np.nan, 5.0]}
    )  # fmt: skip
    weights = np.array([1.0, 1.0, 2.0, 4.0])
    importance = pd.Series({"a": 50.0, "b": 30.0, "c": 20.0})
    incidence, impact = incidence_impact(frame, weights, importance)
    assert incidence.to_dict() == pytest.approx({"a": 1.0, "b": 0.25, "c": 0.5})
    # products 50, 7.5, 10 → total 67.5
    assert impact.to_dict() == pytest.approx({"a": 5000 / 67.5, "b": 750 / 67.5, "c": 1000 / 67.5})
    assert impact.sum() == pytest.approx(100.0)


def _frame(n: int, seed: int = 5) -> pd.DataFrame:
    """Touchpoints missing by design: claims rated by 40%, complaints by 3 respondents."""
    rng = np.random.default_rng(seed)
    data = {d: rng.normal(70, 10, n) for d in SERVICE_DIMENSIONS}
    frame = pd.DataFrame(data)
    frame["overall"] = frame[list(SERVICE_DIMENSIONS)].mean(axis=1) + rng.normal(0, 5, n)
    frame.loc[rng.random(n) > 0.4, "claims"] = np.nan
    frame.loc[3:, "complaints"] = np.nan
    return frame


def test_pair_summary_is_the_smallest_pair_and_the_listwise_count() -> None:
    frame = _frame(400)
    kept = [d for d in SERVICE_DIMENSIONS if d != "complaints"]
    smallest, listwise = pair_summary(frame, kept)
    assert smallest == int(frame["claims"].notna().sum())
    assert listwise == int(frame[[*kept, "overall"]].notna().all(axis=1).sum())


def test_driver_rows_name_the_real_reason_and_the_n_behind_them() -> None:
    frame = _frame(400)
    rows = {r.metric: r for r in driver_rows("2026-Q3", "BJ", frame, np.ones(400), SETTINGS)}
    left_out = rows["drivers.complaints.importance"]
    rated = frame["complaints"].notna()
    pairs = {o: int((rated & frame[o].notna()).sum()) for o in frame.columns if o != "complaints"}
    partner = min(pairs, key=lambda o: (pairs[o], o))
    assert (left_out.value, left_out.flag, left_out.n) == (
        None,
        "insufficient_pairs",
        pairs[partner],
    )
    assert left_out.note == f"smallest pair: complaints×{partner}, n = {pairs[partner]}"
    assert rows["drivers.dimensions"].value == 5
    assert rows["drivers.r_squared"].n == int(frame["claims"].notna().sum())  # not 400
    assert rows["drivers.min_pair_n"].value == rows["drivers.r_squared"].n
    assert "bootstrap 1000 resamples" in rows["drivers.r_squared"].note
    impacts = [rows[f"drivers.{d}.impact"].value for d in SERVICE_DIMENSIONS if d != "complaints"]
    assert sum(impacts) == pytest.approx(100.0)
    for d in SERVICE_DIMENSIONS:
        quadrant = rows.get(f"drivers.{d}.quadrant")
        if quadrant is None:
            continue
        importance = rows[f"drivers.{d}.importance"]
        split = 100.0 / 5
        clears = importance.lower_bound > split or importance.upper_bound < split
        assert (quadrant.note == "undetermined") == (not clears), d
