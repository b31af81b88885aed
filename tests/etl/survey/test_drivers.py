"""Tests for Johnson's relative weights, their bootstrap and importance–performance quadrants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl.survey import drivers

# Orthogonal, centred predictors: x1 = (1, −1, 1, −1), x2 = (1, 1, −1, −1).
# y = (4, 0, 1, 1): deviations (2.5, −1.5, −0.5, −0.5), Σd² = 9.
# Σ x1·d = 2.5 + 1.5 − 0.5 + 0.5 = 4 → r1² = 16/(4·9) = 4/9;
# Σ x2·d = 2.5 − 1.5 + 0.5 + 0.5 = 2 → r2² = 4/(4·9) = 1/9.
# With orthogonal predictors the raw weights are the squared correlations, R² = 5/9, and the
# normalised weights are 80% and 20%.
ORTHOGONAL_X = pd.DataFrame({"x1": [1.0, -1, 1, -1], "x2": [1.0, 1, -1, -1]})
ORTHOGONAL_Y = pd.Series([4.0, 0, 1, 1], name="overall")


def _correlated_data(seed: int, n: int = 40) -> tuple[pd.DataFrame, pd.Series]:
    """Three correlated predictors and a noisy outcome."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=n)
    X = pd.DataFrame(
        {
            "claims": common + rng.normal(size=n),
            "purchase": 0.5 * common + rng.normal(size=n),
            "presale": rng.normal(size=n),
        }
    )
    y = pd.Series(
        X["claims"] + 0.5 * X["purchase"] + 0.2 * X["presale"] + rng.normal(size=n), name="sat"
    )
    return X, y


@pytest.mark.parametrize(
    ("predictor", "raw", "percent"),
    [("x1", 4 / 9, 80.0), ("x2", 1 / 9, 20.0)],
)
def test_orthogonal_predictors_get_squared_correlations(
    predictor: str, raw: float, percent: float
) -> None:
    result = drivers.relative_weights(ORTHOGONAL_X, ORTHOGONAL_Y)
    assert result.raw_weights[predictor] == pytest.approx(raw)
    assert result.normalized_weights[predictor] == pytest.approx(percent)
    assert result.r_squared == pytest.approx(5 / 9)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_raw_weights_sum_to_ols_r_squared(seed: int) -> None:
    X, y = _correlated_data(seed)
    design = np.column_stack([np.ones(len(X)), X.to_numpy()])
    coef, *_ = np.linalg.lstsq(design, y.to_numpy(), rcond=None)
    residual = y.to_numpy() - design @ coef
    ols_r2 = 1 - residual @ residual / np.sum((y.to_numpy() - y.mean()) ** 2)
    result = drivers.relative_weights(X, y)
    assert result.raw_weights.sum() == pytest.approx(ols_r2, abs=1e-10)
    assert result.r_squared == pytest.approx(ols_r2, abs=1e-10)
    assert result.normalized_weights.sum() == pytest.approx(100.0)
    assert (result.raw_weights > 0).all()


def test_single_predictor_weight_is_its_r_squared() -> None:
    # x1 alone: raw weight = r1² = 4/9 = R², 100%.
    result = drivers.relative_weights(ORTHOGONAL_X[["x1"]], ORTHOGONAL_Y)
    assert result.raw_weights["x1"] == pytest.approx(4 / 9)
    assert result.normalized_weights["x1"] == pytest.approx(100.0)


def test_frequency_weights_equal_replicated_rows() -> None:
    X, y = _correlated_data(4, n=20)
    counts = np.array([1, 2, 3] * 6 + [1, 2])
    weighted = drivers.relative_weights(X, y, weights=counts)
    replicated = drivers.relative_weights(
        X.loc[X.index.repeat(counts)].reset_index(drop=True),
        y.loc[y.index.repeat(counts)].reset_index(drop=True),
    )
    pd.testing.assert_series_equal(weighted.raw_weights, replicated.raw_weights, atol=1e-12)


def test_missing_rows_are_dropped_and_counted() -> None:
    X, y = _correlated_data(5)
    X.loc[[0, 1], "claims"] = np.nan
    y.loc[[1, 2]] = np.nan  # row 1 misses both: rows 0, 1, 2 go
    result = drivers.relative_weights(X, y)
    assert (result.n_used, result.n_dropped) == (37, 3)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"constant": 3.0}, r"columns \['constant'\] are constant"),
        ({"twice": "claims"}, r"predictors \[.*'claims'.*'twice'.*\] are perfectly collinear"),
        ({"label": "text"}, "column 'label' is not numeric"),
    ],
)
def test_relative_weights_bad_predictors(changes: dict[str, object], match: str) -> None:
    X, y = _correlated_data(6)
    for column, value in changes.items():
        X[column] = X[value] * 2 if value == "claims" else value
    with pytest.raises(drivers.DriverInputError, match=match):
        drivers.relative_weights(X, y)


@pytest.mark.parametrize(
    ("X", "y", "weights", "match"),
    [
        (ORTHOGONAL_X.iloc[:3], ORTHOGONAL_Y.iloc[:3], None, "only 3 complete rows"),
        (ORTHOGONAL_X, ORTHOGONAL_Y.iloc[:3], None, "outcome has 3 rows"),
        (ORTHOGONAL_X, ORTHOGONAL_Y.set_axis(list("abcd")), None, "same row index"),
        (ORTHOGONAL_X, pd.Series([1.0] * 4, name="flat"), None, r"\['flat'\] are constant"),
        (ORTHOGONAL_X, ORTHOGONAL_Y, [1, 1, -1, 1], "1 weights are missing"),
        (ORTHOGONAL_X, ORTHOGONAL_Y, [1, 1], "2 weights for 4 rows"),
    ],
)
def test_relative_weights_bad_shapes(
    X: pd.DataFrame, y: pd.Series, weights: list[float] | None, match: str
) -> None:
    with pytest.raises(drivers.DriverInputError, match=match):
        drivers.relative_weights(X, y, weights)


def test_bootstrap_is_deterministic_and_brackets_the_estimate() -> None:
    X, y = _correlated_data(7, n=60)
    first = drivers.bootstrap_relative_weights(X, y, n_boot=100, seed=3)
    again = drivers.bootstrap_relative_weights(X, y, n_boot=100, seed=3)
    other = drivers.bootstrap_relative_weights(X, y, n_boot=100, seed=4)
    pd.testing.assert_frame_equal(first.intervals, again.intervals)
    assert not first.intervals.equals(other.intervals)
    point = drivers.relative_weights(X, y).normalized_weights
    np.testing.assert_allclose(first.intervals["estimate"], point)
    assert (first.intervals["lower"] <= first.intervals["estimate"]).all()
    assert (first.intervals["estimate"] <= first.intervals["upper"]).all()
    assert (first.n_boot, first.seed, first.level) == (100, 3, 0.95)


@pytest.mark.parametrize(("options", "match"), [({"n_boot": 1}, "n_boot"), ({"level": 0}, "level")])
def test_bootstrap_option_errors(options: dict[str, float], match: str) -> None:
    with pytest.raises(drivers.DriverInputError, match=match):
        drivers.bootstrap_relative_weights(ORTHOGONAL_X, ORTHOGONAL_Y, **options)  # type: ignore[arg-type]


# Importance mean (40 + 30 + 20 + 10)/4 = 25; performance mean (60 + 80 + 85 + 55)/4 = 70.
IMPORTANCE = {"claims": 40.0, "purchase": 30.0, "presale": 20.0, "complaints": 10.0}
PERFORMANCE = {"claims": 60.0, "purchase": 80.0, "presale": 85.0, "complaints": 55.0}


@pytest.mark.parametrize(
    ("dimension", "quadrant"),
    [
        ("claims", "concentrate_here"),  # 40 ≥ 25, 60 < 70
        ("purchase", "keep_up"),  # 30 ≥ 25, 80 ≥ 70
        ("presale", "possible_overkill"),  # 20 < 25, 85 ≥ 70
        ("complaints", "low_priority"),  # 10 < 25, 55 < 70
    ],
)
def test_importance_performance_quadrants(dimension: str, quadrant: str) -> None:
    assert drivers.importance_performance(IMPORTANCE, PERFORMANCE)[dimension] == quadrant


def test_importance_performance_value_at_mean_counts_as_high() -> None:
    # Means are 20 and 50; "b" sits on both means.
    quadrants = drivers.importance_performance(
        {"a": 10, "b": 20, "c": 30}, {"a": 40, "b": 50, "c": 60}
    )
    assert quadrants == {"a": "low_priority", "b": "keep_up", "c": "keep_up"}


@pytest.mark.parametrize(
    ("importance", "performance", "match"),
    [
        ({"a": 1.0}, {"b": 1.0}, r"only in importance: \['a'\], only in performance: \['b'\]"),
        ({}, {}, "no dimensions"),
        ({"a": float("nan")}, {"a": 1.0}, r"importance is missing or not finite .*\['a'\]"),
    ],
)
def test_importance_performance_errors(
    importance: dict[str, float], performance: dict[str, float], match: str
) -> None:
    with pytest.raises(drivers.DriverInputError, match=match):
        drivers.importance_performance(importance, performance)


def test_quadrant_labels_cover_every_quadrant() -> None:
    assert set(drivers.QUADRANT_LABELS) == {
        "concentrate_here",
        "keep_up",
        "low_priority",
        "possible_overkill",
    }


def test_replicate_weights_stacked_equal_one_at_a_time() -> None:
    from etl.survey.drivers import _stacked_weights_from_correlation, _weights_from_correlation

    rng = np.random.default_rng(3)
    data = rng.normal(size=(40, 5)) @ rng.normal(size=(5, 5))
    stack = np.stack([np.corrcoef(data[rng.integers(0, 40, 40)].T) for _ in range(6)])
    expected = np.stack([_weights_from_correlation(matrix) for matrix in stack])
    np.testing.assert_allclose(_stacked_weights_from_correlation(stack), expected, rtol=1e-10)


def _weighted_frame(b_values: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(1)
    n = len(b_values)
    frame = pd.DataFrame(
        {"a": rng.integers(1, 11, n), "b": b_values, "c": rng.integers(1, 11, n)}, dtype=float
    )
    frame["y"] = frame.a + frame.c + rng.normal(0, 1, n)
    return frame, rng.uniform(0.3, 3.0, n)  # unequal weights: E[x²] − E[x]² is not exactly 0


# b answered (all 7s; 7s and one 8; 7s and 61 8s) → the error, or b's share of the weights
PAIRWISE_LOW_VARIANCE = [
    (np.full(500, 7.0), "columns \\['b'\\] are constant"),
    (np.r_[8.0, np.full(499, 7.0)], None),  # replicates without the 8 are redrawn
    (np.r_[np.full(61, 8.0), np.full(439, 7.0)], None),
]


@pytest.mark.parametrize(("b_values", "error"), PAIRWISE_LOW_VARIANCE)
def test_pairwise_weights_on_a_constant_or_nearly_constant_column(
    b_values: np.ndarray, error: str | None
) -> None:
    frame, w = _weighted_frame(b_values)
    if error:
        with pytest.raises(drivers.DriverInputError, match=error):
            drivers.pairwise_relative_weights(frame, ["a", "b", "c"], "y", w, n_boot=100)
        return
    result = drivers.pairwise_relative_weights(frame, ["a", "b", "c"], "y", w, n_boot=100)
    assert result.normalized_weights.sum() == pytest.approx(100.0)
    assert result.normalized_weights["b"] < 1.0
    assert (result.lower <= result.normalized_weights).all()
