"""Tests for raking, trimming, Kish effective n and design effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl.survey import weighting


def _sample(cells: dict[tuple[str, str], int]) -> pd.DataFrame:
    """One row per respondent from (sex, region) cell counts."""
    rows = [cell for cell, count in cells.items() for _ in range(count)]
    return pd.DataFrame(rows, columns=["sex", "region"])


# Sample counts M·N 4, M·S 2, F·N 1, F·S 3 (n = 10); targets sex 50/50, region 40/60, i.e.
# totals M 5, F 5, N 4, S 6. Cell weights a_sex·b_region = M·N 3/4, M·S 1, F·N 1, F·S 4/3
# solve it: M 4·3/4 + 2·1 = 5, F 1 + 3·4/3 = 5, N 4·3/4 + 1 = 4, S 2·1 + 3·4/3 = 6, and
# 3/4 · 4/3 = 1 · 1 so the weights are of product form, which is where raking converges.
UNEVEN = _sample({("M", "N"): 4, ("M", "S"): 2, ("F", "N"): 1, ("F", "S"): 3})
UNEVEN_WEIGHTS = {("M", "N"): 0.75, ("M", "S"): 1.0, ("F", "N"): 1.0, ("F", "S"): 4 / 3}


def _weighted_shares(sample: pd.DataFrame, weights: pd.Series, variable: str) -> pd.Series:
    """Weighted share of each category of a variable."""
    return weights.groupby(sample[variable]).sum() / weights.sum()


@pytest.mark.parametrize(
    "margins",
    [
        {"sex": {"M": 5000, "F": 5000}, "region": {"N": 4000, "S": 6000}},  # counts
        {"sex": pd.Series({"M": 0.5, "F": 0.5}), "region": pd.Series({"N": 0.4, "S": 0.6})},
        {"sex": pd.Series({"F": 1, "M": 1}), "region": {"S": 3, "N": 2}},  # order irrelevant
    ],
)
def test_rake_reaches_hand_computed_weights(margins: dict[str, object]) -> None:
    result = weighting.rake(UNEVEN, margins)  # type: ignore[arg-type]
    assert result.converged
    expected = [
        UNEVEN_WEIGHTS[(s, r)] for s, r in zip(UNEVEN["sex"], UNEVEN["region"], strict=True)
    ]
    np.testing.assert_allclose(result.weights.to_numpy(), expected, atol=1e-6)
    assert _weighted_shares(UNEVEN, result.weights, "sex").to_dict() == pytest.approx(
        {"M": 0.5, "F": 0.5}, abs=1e-6
    )
    assert _weighted_shares(UNEVEN, result.weights, "region").to_dict() == pytest.approx(
        {"N": 0.4, "S": 0.6}, abs=1e-6
    )
    assert result.max_margin_error < 1e-8
    # Weights sum to n with mean 1; Σw² = 4·9/16 + 2·1 + 1 + 3·16/9 = 127/12, so
    # n_eff = 10²/(127/12) = 1200/127 = 9.448819 and deff = 10/n_eff = 127/120 = 1.058333.
    assert result.weights.sum() == pytest.approx(10.0)
    assert result.kish_effective_n == pytest.approx(1200 / 127, abs=1e-6)
    assert result.design_effect == pytest.approx(127 / 120, abs=1e-6)
    assert result.n_trimmed == 0
    assert result.weights.index.equals(UNEVEN.index)


def test_rake_independent_sample_converges_in_one_sweep() -> None:
    # M·N 2, M·S 4, F·N 1, F·S 2 (n = 9) is of product form, targets 50/50 and 50/50:
    # sex step M 4.5/6 = 0.75, F 4.5/3 = 1.5; region totals N 2·0.75 + 1.5 = 3,
    # S 4·0.75 + 2·1.5 = 6, factors N 4.5/3 = 1.5, S 4.5/6 = 0.75, so
    # M·N 1.125, M·S 0.5625, F·N 2.25, F·S 1.125 and sex stays at 4.5/4.5.
    sample = _sample({("M", "N"): 2, ("M", "S"): 4, ("F", "N"): 1, ("F", "S"): 2})
    result = weighting.rake(sample, {"sex": {"M": 1, "F": 1}, "region": {"N": 1, "S": 1}})
    expected = [1.125] * 2 + [0.5625] * 4 + [2.25] + [1.125] * 2
    np.testing.assert_allclose(result.weights.to_numpy(), expected, atol=1e-12)
    assert (result.converged, result.iterations) == (True, 1)
    # Σw = 9, Σw² = 729/64, n_eff = 81·64/729 = 64/9, deff = 9/(64/9) = 81/64.
    assert result.kish_effective_n == pytest.approx(64 / 9)
    assert result.design_effect == pytest.approx(81 / 64)


def test_rake_base_weights_are_rescaled_to_mean_one() -> None:
    doubled = pd.Series(2.0, index=UNEVEN.index)
    plain = weighting.rake(UNEVEN, {"sex": {"M": 1, "F": 1}, "region": {"N": 2, "S": 3}})
    based = weighting.rake(
        UNEVEN, {"sex": {"M": 1, "F": 1}, "region": {"N": 2, "S": 3}}, base_weights=doubled
    )
    pd.testing.assert_series_equal(plain.weights, based.weights)


def _three_way_sample() -> pd.DataFrame:
    """60 respondents by sex × age × region, under-representing young men in the south."""
    counts = {
        ("M", "young", "N"): 10,
        ("M", "young", "S"): 2,
        ("M", "old", "N"): 15,
        ("M", "old", "S"): 8,
        ("F", "young", "N"): 6,
        ("F", "young", "S"): 4,
        ("F", "old", "N"): 3,
        ("F", "old", "S"): 12,
    }
    rows = [cell for cell, count in counts.items() for _ in range(count)]
    return pd.DataFrame(rows, columns=["sex", "age", "region"])


THREE_WAY_MARGINS = {
    "sex": {"M": 480, "F": 520},
    "age": {"young": 450, "old": 550},
    "region": {"N": 500, "S": 500},
}


def test_rake_trimming_bounds_are_honoured() -> None:
    # Untrimmed raking reaches a weight of 1.717; trimming at 1.6 × mean binds and the
    # alternate rake/trim still meets the margins.
    sample = _three_way_sample()
    untrimmed = weighting.rake(sample, THREE_WAY_MARGINS, trim=None)
    assert untrimmed.weights.max() > 1.7
    result = weighting.rake(sample, THREE_WAY_MARGINS, trim=(0.6, 1.6))
    assert result.converged
    mean = result.weights.mean()
    assert result.weights.min() >= 0.6 * mean * (1 - 1e-6)
    assert result.weights.max() <= 1.6 * mean * (1 + 1e-6)
    for variable, margin in THREE_WAY_MARGINS.items():
        target = pd.Series(margin) / sum(margin.values())
        shares = _weighted_shares(sample, result.weights, variable)
        np.testing.assert_allclose(shares[target.index], target, atol=1e-6)
    on_bound = np.isclose(result.weights, 1.6 * mean, rtol=1e-6) | np.isclose(
        result.weights, 0.6 * mean, rtol=1e-6
    )
    assert result.n_trimmed == int(on_bound.sum()) > 0


def test_rake_reports_infeasible_trim_as_not_converged() -> None:
    # UNEVEN with cell weights in [0.8, 1.25]: region N needs 4·a + c = 4 with a, c ≥ 0.8,
    # so a = c = 0.8; then sex F needs c + 3·d = 5, d = 1.4 > 1.25. No solution exists.
    result = weighting.rake(
        UNEVEN, {"sex": {"M": 1, "F": 1}, "region": {"N": 2, "S": 3}}, trim=(0.8, 1.25)
    )
    assert not result.converged
    assert result.iterations == 100
    assert result.max_margin_error > 1e-3
    assert result.weights.sum() == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("sample", "margins", "match"),
    [
        (UNEVEN, {"sex": {"M": 1}, "region": {"N": 1, "S": 1}}, "'sex': sample category 'F'"),
        (
            UNEVEN,
            {"sex": {"M": 1, "F": 1}, "region": {"N": 1, "S": 1, "W": 1}},
            "'region': margin category 'W' has population but no respondents; collapse",
        ),
        (
            UNEVEN,
            {"sex": {"M": 1, "F": 0}, "region": {"N": 1, "S": 1}},
            "'sex': category 'F' has respondents but zero population",
        ),
        (UNEVEN, {"age": {"young": 1}}, "'age' is not a sample column"),
        (UNEVEN, {"sex": {"M": 1, "F": -1}}, r"margin 'sex': categories \['F'\]"),
        (UNEVEN, {"sex": {"M": 0, "F": 0}}, "zero total population"),
        (UNEVEN, {"sex": {"M": "many", "F": 1}}, "non-numeric population"),
        (UNEVEN.assign(sex=[None] + ["M"] * 9), {"sex": {"M": 1}}, "missing for 1 respondents"),
        (UNEVEN, {}, "margins is empty"),
        (UNEVEN.iloc[:0], {"sex": {"M": 1}}, "no respondents"),
    ],
)
def test_rake_errors_name_variable_and_category(
    sample: pd.DataFrame, margins: dict[str, dict[str, object]], match: str
) -> None:
    with pytest.raises(weighting.RakingError, match=match):
        weighting.rake(sample, margins)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"trim": (1.5, 5.0)}, "0 < low ≤ 1 ≤ high"),
        ({"base_weights": pd.Series([1.0] * 9)}, "lack 1 sample rows"),
        ({"base_weights": np.ones(3)}, "3 values for 10 respondents"),
        ({"base_weights": np.r_[np.zeros(1), np.ones(9)]}, "1 zero weights"),
        ({"tol": 0.0}, "tol > 0"),
    ],
)
def test_rake_option_errors(options: dict[str, object], match: str) -> None:
    margins = {"sex": {"M": 1, "F": 1}}
    with pytest.raises(weighting.RakingError, match=match):
        weighting.rake(UNEVEN, margins, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("weights", "n_eff", "deff"),
    [
        ([1, 1, 1, 1], 4.0, 1.0),  # equal weights: n_eff = n
        ([1, 3], 1.6, 1.25),  # 4²/(1 + 9) = 1.6, 2/1.6 = 1.25
        ([2, 2, 1, 1], 3.6, 4 / 3.6),  # 6²/10 = 3.6
        ([0.5, 0.5, 0.5, 0.5, 3.0], 25 / 10, 2.0),  # 5²/(4·0.25 + 9) = 2.5, 5/2.5 = 2
    ],
)
def test_kish_effective_n_and_design_effect(
    weights: list[float], n_eff: float, deff: float
) -> None:
    assert weighting.kish_effective_n(weights) == pytest.approx(n_eff)
    assert weighting.design_effect(weights) == pytest.approx(deff)


@pytest.mark.parametrize(
    ("weights", "match"),
    [([], "empty"), ([1, -1], "1 negative"), ([0, 0], "sum to zero"), ([1, np.nan], "missing")],
)
def test_kish_effective_n_errors(weights: list[float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        weighting.kish_effective_n(weights)
