"""Tests for NPS, CSAT, weighted means, weighted CSI, change tests, rescaling and suppression."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from etl.survey import indices
from etl.survey.indices import Estimate


@pytest.mark.parametrize(
    ("scores", "weights", "expected"),
    [
        # 50 promoters, 30 passives, 20 detractors: NPS = 100(0.5 − 0.2) = 30.
        # n' = 103, p' = 50.75/103 = 0.4927184, d' = 20.75/103 = 0.2014563, p' − d' = 30/103.
        # Var = (71.5/103 − (30/103)²)/103 = (0.6941748 − 0.0848336)/103 = 0.00591593,
        # √Var = 0.0769151, 1.96√Var = 0.1507536 → [14.0509, 44.2016], se = 7.6915.
        (
            [10] * 25 + [9] * 25 + [8] * 15 + [7] * 15 + [6] * 10 + [0] * 10,
            None,
            (30.0, 7.6915, 14.0509, 44.2016, 100, 100.0),
        ),
        # Weighted: scores 10, 9, 7, 3 with weights 2, 2, 1, 1. Σw = 6, Σw² = 10, n_eff = 3.6.
        # p = 4/6, d = 1/6 → NPS 50. P = 2.4, D = 0.6, n' = 6.6, p' = 3.15/6.6 = 0.4772727,
        # d' = 1.35/6.6 = 0.2045455, p' − d' = 0.2727273. Var = (4.5/6.6 − 0.2727273²)/6.6
        # = (0.6818182 − 0.0743802)/6.6 = 0.0920361, √Var = 0.3033745, ×1.96 = 0.5946140
        # → [−32.1887, 86.7341], se = 30.3374.
        ([10, 9, 7, 3], [2, 2, 1, 1], (50.0, 30.3374, -32.1887, 86.7341, 4, 3.6)),
        # Missing answers are left out: same as the weighted case above.
        ([10, np.nan, 9, 7, 3], [2, 5, 2, 1, 1], (50.0, 30.3374, -32.1887, 86.7341, 4, 3.6)),
    ],
)
def test_nps_adjusted_wald(
    scores: list[float], weights: list[float] | None, expected: tuple[float, ...]
) -> None:
    value, se, lower, upper, n, n_eff = expected
    result = indices.nps(scores, weights)
    assert result.value == pytest.approx(value, abs=1e-9)
    assert result.se == pytest.approx(se, abs=1e-3)
    assert result.lower == pytest.approx(lower, abs=1e-3)
    assert result.upper == pytest.approx(upper, abs=1e-3)
    assert (result.n, result.n_effective) == (n, pytest.approx(n_eff))


def test_nps_interval_is_clipped_to_the_scale() -> None:
    # Two promoters: n' = 5, p' = 2.75/5 = 0.55, d' = 0.15, Var = (0.7 − 0.16)/5 = 0.108,
    # upper = 100(0.4 + 1.96·0.328634) = 104.4 → clipped to 100.
    assert indices.nps([10, 10]).upper == 100.0


@pytest.mark.parametrize(
    ("scores", "weights", "match"),
    [
        ([10, 11, 12], None, "2 values are not"),
        ([10, 7.5], None, "1 values are not"),
        ([-1, 5], None, "1 values are not"),
        ([10, 9], [1, -1], "1 weights are missing, infinite or negative"),
        ([10, 9], [1, 1, 1], "3 weights for 2 values"),
        ([np.nan, np.nan], None, "no non-missing values"),
        ([10, 9], [0, 0], "sum to zero"),
    ],
)
def test_nps_rejects_bad_input(
    scores: list[float], weights: list[float] | None, match: str
) -> None:
    with pytest.raises(indices.IndexInputError, match=match):
        indices.nps(scores, weights)


@pytest.mark.parametrize(
    ("scores", "scale", "weights", "expected"),
    [
        # 1–5: 4–5 is top-2; 6 of 10 → 60. Agresti–Coull: ñ = 10 + 1.96² = 13.8416,
        # p̃ = (6 + 1.9208)/13.8416 = 0.5722460, √(p̃(1 − p̃)/ñ) = √0.0176844 = 0.1329827,
        # ×1.96 = 0.2606462 → [31.160, 83.289], se = 13.2983.
        ([5, 5, 4, 4, 4, 3, 3, 2, 1, 5], (1, 5), None, (60.0, 13.2983, 31.160, 83.289)),
        # 1–10: 9–10 is top-2; 5 of 10 → 50. p̃ = (5 + 1.9208)/13.8416 = 0.5,
        # √(0.25/13.8416) = 0.1343930, ×1.96 = 0.2634102 → [23.659, 76.341].
        ([10, 9, 9, 8, 7, 10, 1, 5, 6, 9], (1, 10), None, (50.0, 13.4393, 23.659, 76.341)),
        # 0–10 uses the same 9–10 top-2 box; 0 is a valid answer there.
        ([10, 9, 9, 8, 7, 10, 0, 5, 6, 9], (0, 10), None, (50.0, 13.4393, 23.659, 76.341)),
        # Weighted 1–5: scores 5, 4, 2 with weights 1, 1, 2 → share 2/4 = 0.5;
        # n_eff = 16/6 = 2.6667, ñ = 6.5083, X = 1.3333, p̃ = 3.2541/6.5083 = 0.5,
        # √(0.25/6.5083) = 0.195992, ×1.96 = 0.384145 → [11.585, 88.415].
        ([5, 4, 2], (1, 5), [1, 1, 2], (50.0, 19.5992, 11.585, 88.415)),
    ],
)
def test_csat_top2_agresti_coull(
    scores: list[int],
    scale: tuple[int, int],
    weights: list[float] | None,
    expected: tuple[float, float, float, float],
) -> None:
    value, se, lower, upper = expected
    result = indices.csat(scores, *scale, weights=weights)
    assert result.value == pytest.approx(value, abs=1e-9)
    assert result.se == pytest.approx(se, abs=1e-3)
    assert result.lower == pytest.approx(lower, abs=1e-3)
    assert result.upper == pytest.approx(upper, abs=1e-3)


@pytest.mark.parametrize(
    ("scores", "scale", "match"),
    [
        ([1, 2], (5, 1), "min < max"),
        ([1, 2], (1, 2), "at least 3 scale points"),
        ([1, 2], (1.5, 5), "must be integers"),
        ([0, 5], (1, 5), "1 values are not"),
        ([4, 4.5], (1, 5), "1 values are not"),
    ],
)
def test_csat_rejects_bad_input(
    scores: list[float], scale: tuple[float, float], match: str
) -> None:
    with pytest.raises(indices.IndexInputError, match=match):
        indices.csat(scores, *scale)


@pytest.mark.parametrize(
    ("values", "weights", "expected"),
    [
        # Mean 3; Σ(x − x̄)²/n = 2, se = √(2/4) = 0.7071068 = s/√n;
        # 3 ± 1.96·0.7071068 = [1.6140707, 4.3859293].
        ([1, 2, 3, 4, 5], None, (3.0, 0.7071068, 1.6140707, 4.3859293, 5, 5.0)),
        # x = 1, 3 with w = 1, 3: mean 10/4 = 2.5; Σw(x − x̄)²/Σw = (2.25 + 0.75)/4 = 0.75;
        # n_eff = 16/10 = 1.6; se = √(0.75/0.6) = √1.25 = 1.1180340 → [0.3086534, 4.6913466].
        ([1, 3], [1, 3], (2.5, 1.1180340, 0.3086534, 4.6913466, 2, 1.6)),
    ],
)
def test_weighted_mean(
    values: list[float], weights: list[float] | None, expected: tuple[float, ...]
) -> None:
    value, se, lower, upper, n, n_eff = expected
    result = indices.weighted_mean(values, weights)
    assert (result.value, result.se) == (pytest.approx(value), pytest.approx(se, abs=1e-7))
    assert (result.lower, result.upper) == (
        pytest.approx(lower, abs=1e-7),
        pytest.approx(upper, abs=1e-7),
    )
    assert (result.n, result.n_effective) == (n, pytest.approx(n_eff))


def test_weighted_mean_aligns_series_by_label() -> None:
    # Same as the weighted case above, with the weights given in the other order.
    values = pd.Series([1.0, 3.0], index=["a", "b"])
    weights = pd.Series([3.0, 1.0], index=["b", "a"])
    assert indices.weighted_mean(values, weights).value == pytest.approx(2.5)


@pytest.mark.parametrize(
    ("values", "weights"),
    [([4.0], None), ([4.0, 5.0], [1.0, 0.0])],  # n_eff = 1 in both cases
)
def test_weighted_mean_needs_effective_n_above_one(
    values: list[float], weights: list[float] | None
) -> None:
    with pytest.raises(indices.IndexInputError, match="effective n above 1"):
        indices.weighted_mean(values, weights)


@pytest.mark.parametrize(
    ("scores", "weights", "expected_value", "expected_weights", "missing"),
    [
        # All present: 0.5·80 + 0.3·70 + 0.2·60 = 40 + 21 + 12 = 73.
        (
            {"a": 80, "b": 70, "c": 60},
            {"a": 0.5, "b": 0.3, "c": 0.2},
            73.0,
            {"a": 0.5, "b": 0.3, "c": 0.2},
            (),
        ),
        # c missing: weights 0.5/0.8 = 0.625 and 0.3/0.8 = 0.375 → 50 + 26.25 = 76.25.
        (
            {"a": 80, "b": 70, "c": None},
            {"a": 0.5, "b": 0.3, "c": 0.2},
            76.25,
            {"a": 0.625, "b": 0.375},
            ("c",),
        ),
        # NaN counts as missing, and a weighted dimension absent from the scores too.
        ({"a": 80, "b": math.nan}, {"a": 2, "b": 1, "c": 1}, 80.0, {"a": 1.0}, ("b", "c")),
    ],
)
def test_weighted_csi_renormalises_over_present_dimensions(
    scores: dict[str, float | None],
    weights: dict[str, float],
    expected_value: float,
    expected_weights: dict[str, float],
    missing: tuple[str, ...],
) -> None:
    result = indices.weighted_csi(scores, weights)
    assert result.value == pytest.approx(expected_value)
    assert result.weights_used == pytest.approx(expected_weights)
    assert result.dimensions_missing == missing


@pytest.mark.parametrize(
    ("scores", "weights", "match"),
    [
        ({"a": None}, {"a": 1.0}, "no dimension has a score"),
        ({"a": 80, "z": 70}, {"a": 1.0}, r"\['z'\] have scores but no CSI weight"),
        ({"a": 120}, {"a": 1.0}, "0–100"),
        ({"a": 80}, {"a": -1.0}, "finite and ≥ 0"),
        ({"a": 80, "b": None}, {"a": 0.0, "b": 1.0}, "all have weight 0"),
    ],
)
def test_weighted_csi_errors(
    scores: dict[str, float | None], weights: dict[str, float], match: str
) -> None:
    with pytest.raises(indices.IndexInputError, match=match):
        indices.weighted_csi(scores, weights)


def _estimate(value: float, se: float) -> Estimate:
    """An estimate where only value and se matter."""
    return Estimate(
        value=value,
        se=se,
        lower=value - 1.96 * se,
        upper=value + 1.96 * se,
        n=100,
        n_effective=100.0,
    )


@pytest.mark.parametrize(
    ("current", "previous", "direction", "z", "p_value"),
    [
        # diff 5, se √(1.5² + 2²) = 2.5, z = 2, p = 2(1 − Φ(2)) = 0.0455 < 0.05 → up.
        (_estimate(75, 1.5), _estimate(70, 2.0), "up", 2.0, 0.0455),
        # diff 3, z = 1.2, p = 0.2301 → no significant change.
        (_estimate(73, 1.5), _estimate(70, 2.0), "no_change", 1.2, 0.2301),
        # diff −5, z = −2 → down.
        (_estimate(70, 2.0), _estimate(75, 1.5), "down", -2.0, 0.0455),
        # Identical exact figures: z = 0, p = 1.
        (_estimate(70, 0.0), _estimate(70, 0.0), "no_change", 0.0, 1.0),
    ],
)
def test_compare(
    current: Estimate, previous: Estimate, direction: str, z: float, p_value: float
) -> None:
    change = indices.compare(current, previous)
    assert change.direction == direction
    assert change.z == pytest.approx(z)
    assert change.p_value == pytest.approx(p_value, abs=1e-4)
    assert change.difference == pytest.approx(current.value - previous.value)


@pytest.mark.parametrize(
    ("current", "previous"),
    [(None, _estimate(70, 2.0)), (_estimate(70, 2.0), None), (None, None)],
)
def test_compare_with_a_missing_side(current: Estimate | None, previous: Estimate | None) -> None:
    change = indices.compare(current, previous)
    assert change.direction == "not_comparable"
    assert (change.difference, change.z, change.p_value) == (None, None, None)


def test_compare_alpha_changes_significance() -> None:
    # z = 2, p = 0.0455: significant at 5%, not at 1%.
    assert indices.compare(_estimate(75, 1.5), _estimate(70, 2.0), alpha=0.01).direction == (
        "no_change"
    )


@pytest.mark.parametrize(
    ("x", "scale", "reverse", "expected"),
    [
        (7, (1, 10), False, 100 * 6 / 9),  # 66.67
        (7, (1, 10), True, 100 * 3 / 9),  # 33.33
        (3, (1, 5), False, 50.0),
        (0, (0, 10), False, 0.0),
        (10, (0, 10), True, 0.0),
    ],
)
def test_rescale_0_100_scalar(
    x: float, scale: tuple[float, float], reverse: bool, expected: float
) -> None:
    assert indices.rescale_0_100(x, *scale, reverse=reverse) == pytest.approx(expected)


def test_rescale_0_100_keeps_missing_and_series_shape() -> None:
    # 1–5: (1, 5, NaN) → (0, 100, NaN); NaN is a not-applicable item, left missing.
    series = pd.Series([1.0, 5.0, np.nan], index=["r1", "r2", "r3"], name="q1")
    result = indices.rescale_0_100(series, 1, 5)
    pd.testing.assert_series_equal(
        result, pd.Series([0.0, 100.0, np.nan], index=["r1", "r2", "r3"], name="q1")
    )


@pytest.mark.parametrize(
    ("x", "scale", "match"),
    [
        (11, (1, 10), "1 values lie outside"),
        (np.array([0, 6, 7]), (1, 5), "3 values lie outside"),
        (3, (5, 1), "min < max"),
    ],
)
def test_rescale_0_100_errors(x: object, scale: tuple[float, float], match: str) -> None:
    with pytest.raises(indices.IndexInputError, match=match):
        indices.rescale_0_100(x, *scale)  # type: ignore[type-var]


@pytest.mark.parametrize(
    ("n", "thresholds", "expected"),
    [
        (0, (30, 60), "suppressed"),
        (29, (30, 60), "suppressed"),
        (30, (30, 60), "low_base"),
        (59, (30, 60), "low_base"),
        (60, (30, 60), None),
        (10, (5, 20), "low_base"),
        (20, (5, 20), None),
    ],
)
def test_suppression_flag(n: int, thresholds: tuple[int, int], expected: str | None) -> None:
    assert indices.suppression_flag(n, *thresholds) == expected


@pytest.mark.parametrize(("n", "thresholds"), [(-1, (30, 60)), (40, (60, 30))])
def test_suppression_flag_errors(n: int, thresholds: tuple[int, int]) -> None:
    with pytest.raises(indices.IndexInputError):
        indices.suppression_flag(n, *thresholds)
