"""Key drivers: Johnson's relative weights, their bootstrap intervals and IPA quadrants."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

DEFAULT_BOOTSTRAP_SEED = 20260101
# Eigenvalues of the predictor correlation matrix below this mean exact collinearity.
_COLLINEAR_EIGENVALUE = 1e-10

Quadrant = Literal["concentrate_here", "keep_up", "low_priority", "possible_overkill"]
QUADRANT_LABELS: dict[str, dict[str, str]] = {
    "concentrate_here": {"zh-CN": "重点改进", "en": "Concentrate here"},
    "keep_up": {"zh-CN": "继续保持", "en": "Keep up the good work"},
    "low_priority": {"zh-CN": "次要改进", "en": "Low priority"},
    "possible_overkill": {"zh-CN": "适度投入", "en": "Possible overkill"},
}


class DriverInputError(ValueError):
    """Predictors, outcome or weights that relative weights cannot be computed from."""


@dataclass(frozen=True)
class DriverResult:
    """Relative weights: raw (summing to R²) and normalised to percent (summing to 100)."""

    raw_weights: pd.Series
    normalized_weights: pd.Series
    r_squared: float
    n_used: int
    n_dropped: int


@dataclass(frozen=True)
class DriverBootstrapResult:
    """Percentile intervals of the normalised weights (columns estimate, lower, upper)."""

    intervals: pd.DataFrame
    n_boot: int
    n_redrawn: int
    seed: int
    level: float


def relative_weights(
    X: pd.DataFrame,
    y: pd.Series,
    weights: pd.Series | np.ndarray | None = None,
) -> DriverResult:
    """Johnson's (2000) relative weights of each predictor of y, optionally survey-weighted.

    Rows with a missing predictor or outcome are dropped listwise and counted. Correlations
    are weighted Pearson correlations when weights are given.
    """
    predictors, outcome, w, n_dropped = _complete_rows(X, y, weights)
    raw = _raw_relative_weights(predictors, outcome, w)
    r_squared = float(raw.sum())
    if r_squared <= 0:
        raise DriverInputError(f"outcome {outcome.name!r} has R² = 0 on the predictors")
    names = list(predictors.columns)
    return DriverResult(
        raw_weights=pd.Series(raw, index=names, name="raw_weight"),
        normalized_weights=pd.Series(100.0 * raw / r_squared, index=names, name="percent"),
        r_squared=r_squared,
        n_used=len(predictors),
        n_dropped=n_dropped,
    )


def bootstrap_relative_weights(
    X: pd.DataFrame,
    y: pd.Series,
    weights: pd.Series | np.ndarray | None = None,
    n_boot: int = 200,
    seed: int = DEFAULT_BOOTSTRAP_SEED,
    level: float = 0.95,
) -> DriverBootstrapResult:
    """Percentile intervals for each normalised weight over n_boot seeded row resamples.

    Rows (with their survey weights) are resampled from the listwise-complete data. A
    resample in which a column is constant or the predictors are collinear is redrawn and
    counted; more than n_boot such failures raise.
    """
    if n_boot < 2:
        raise DriverInputError(f"n_boot must be at least 2, got {n_boot}")
    if not 0 < level < 1:
        raise DriverInputError(f"level must lie in (0, 1), got {level}")
    predictors, outcome, w, _ = _complete_rows(X, y, weights)
    estimate = _normalised(_raw_relative_weights(predictors, outcome, w))
    rng = np.random.default_rng(seed)
    n = len(predictors)
    draws: list[np.ndarray] = []
    redrawn = 0
    while len(draws) < n_boot:
        rows = rng.integers(0, n, size=n)
        try:
            raw = _raw_relative_weights(predictors.iloc[rows], outcome.iloc[rows], w[rows])
            draws.append(_normalised(raw))
        except DriverInputError as error:
            redrawn += 1
            if redrawn > n_boot:
                raise DriverInputError(
                    f"bootstrap abandoned: {redrawn} resamples failed (last: {error})"
                ) from error
    tail = (1.0 - level) / 2.0
    lower, upper = np.quantile(np.asarray(draws), [tail, 1.0 - tail], axis=0)
    intervals = pd.DataFrame(
        {"estimate": estimate, "lower": lower, "upper": upper}, index=list(predictors.columns)
    )
    return DriverBootstrapResult(
        intervals=intervals, n_boot=n_boot, n_redrawn=redrawn, seed=seed, level=level
    )


def importance_performance(
    importance: Mapping[str, float], performance: Mapping[str, float]
) -> dict[str, Quadrant]:
    """Martilla–James quadrant per dimension, split at the means (a value at the mean is high)."""
    if set(importance) != set(performance):
        only_importance = sorted(set(importance) - set(performance))
        only_performance = sorted(set(performance) - set(importance))
        raise DriverInputError(
            f"importance and performance must cover the same dimensions; only in importance: "
            f"{only_importance}, only in performance: {only_performance}"
        )
    if not importance:
        raise DriverInputError("no dimensions to place in quadrants")
    for label, values in (("importance", importance), ("performance", performance)):
        bad = [d for d, v in values.items() if v is None or not math.isfinite(v)]
        if bad:
            raise DriverInputError(f"{label} is missing or not finite for dimensions {bad}")
    importance_split = sum(importance.values()) / len(importance)
    performance_split = sum(performance.values()) / len(performance)
    return {
        dimension: _quadrant(
            importance[dimension] >= importance_split, performance[dimension] >= performance_split
        )
        for dimension in importance
    }


def _quadrant(high_importance: bool, high_performance: bool) -> Quadrant:
    """Quadrant name from the two comparisons with the means."""
    if high_importance:
        return "keep_up" if high_performance else "concentrate_here"
    return "possible_overkill" if high_performance else "low_priority"


def _complete_rows(
    X: pd.DataFrame,
    y: pd.Series,
    weights: pd.Series | np.ndarray | None,
) -> tuple[pd.DataFrame, pd.Series, np.ndarray, int]:
    """Numeric predictors, outcome and weights on rows complete in X and y; the drop count."""
    if X.shape[1] == 0:
        raise DriverInputError("no predictor columns")
    if len(y) != len(X):
        raise DriverInputError(f"outcome has {len(y)} rows but predictors have {len(X)}")
    if not y.index.equals(X.index):
        raise DriverInputError("outcome and predictors must share the same row index")
    for name, series in [*X.items(), (y.name, y)]:
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            raise DriverInputError(f"column {name!r} is not numeric (dtype {series.dtype})")
    if weights is None:
        w = np.ones(len(X))
    elif isinstance(weights, pd.Series):
        if not weights.index.equals(X.index):
            raise DriverInputError("weights must share the predictors' row index")
        w = weights.to_numpy(dtype=float)
    else:
        w = np.asarray(weights, dtype=float).ravel()
        if w.size != len(X):
            raise DriverInputError(f"{w.size} weights for {len(X)} rows")
    complete = (X.notna().all(axis=1) & y.notna()).to_numpy()
    w = w[complete]
    if not np.isfinite(w).all() or (w < 0).any():
        raise DriverInputError(
            f"{int(np.sum(~np.isfinite(w) | (w < 0)))} weights are missing, infinite or negative"
        )
    predictors = X.loc[complete].astype(float)
    outcome = y.loc[complete].astype(float)
    if len(predictors) <= X.shape[1] + 1:
        raise DriverInputError(
            f"only {len(predictors)} complete rows for {X.shape[1]} predictors "
            f"({int((~complete).sum())} dropped for missing values)"
        )
    return predictors, outcome, w, int((~complete).sum())


def _raw_relative_weights(
    predictors: pd.DataFrame, outcome: pd.Series, w: np.ndarray
) -> np.ndarray:
    """ε_j = Σ_k Λ_jk² β_k² with Λ = R_xx^½ and β = Λ⁻¹ r_xy (Johnson 2000)."""
    data = np.column_stack([predictors.to_numpy(), outcome.to_numpy()])
    correlation = _weighted_correlation(data, w, [*predictors.columns, outcome.name])
    r_xx, r_xy = correlation[:-1, :-1], correlation[:-1, -1]
    eigenvalues, eigenvectors = np.linalg.eigh(r_xx)
    if eigenvalues.min() < _COLLINEAR_EIGENVALUE:
        null_direction = eigenvectors[:, np.argmin(eigenvalues)]
        involved = [
            c for c, v in zip(predictors.columns, null_direction, strict=True) if abs(v) > 1e-6
        ]
        raise DriverInputError(f"predictors {involved} are perfectly collinear")
    root = eigenvectors @ np.diag(np.sqrt(eigenvalues)) @ eigenvectors.T
    beta = np.linalg.solve(root, r_xy)
    return (root**2) @ (beta**2)


def _weighted_correlation(data: np.ndarray, w: np.ndarray, names: list[object]) -> np.ndarray:
    """Weighted Pearson correlation matrix; a constant column is an error naming it."""
    if w.sum() <= 0:
        raise DriverInputError("the weights of the complete rows sum to zero")
    spread = np.ptp(data[w > 0], axis=0)
    constant = [name for name, s in zip(names, spread, strict=True) if not s > 0]
    if constant:
        raise DriverInputError(f"columns {constant} are constant over the rows with weight")
    centred = data - (w @ data) / w.sum()
    covariance = (centred * w[:, None]).T @ centred / w.sum()
    sd = np.sqrt(np.diag(covariance))
    return covariance / np.outer(sd, sd)


def _normalised(raw: np.ndarray) -> np.ndarray:
    """Raw weights as percentages of their sum (R²)."""
    total = raw.sum()
    if total <= 0:
        raise DriverInputError("R² = 0: no predictor explains the outcome")
    return 100.0 * raw / total


@dataclass(frozen=True)
class PairwiseDriverResult:
    """Relative weights from pairwise-complete correlations, with bootstrap intervals."""

    normalized_weights: pd.Series  # percent, sums to 100
    lower: pd.Series
    upper: pd.Series
    r_squared: float
    pair_counts: pd.DataFrame  # respondents behind each correlation
    n_boot: int
    n_groups: int
    seed: int


_SUMS = 6  # Σw, Σw·a, Σw·b, Σw·a², Σw·b², Σw·a·b over rows where both are present


_GROUP_CHUNK = 32  # groups per batched product: its temporaries stay in cache (a few MB)


def _group_sums(data: np.ndarray, w: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Per-group weighted sums for every column pair: shape (n_groups, p, p, 6).

    All six sums of all pairs are blocks of one weighted product per group,
    (w·[1, x, x²])ᵀ [1, x] with x = 0 and 1 = 0 where a value is missing: the groups' rows
    are laid out side by side (padded with weight 0) and multiplied in batches.
    """
    p = data.shape[1]
    present = ~np.isnan(data)
    filled = np.where(present, data, 0.0)
    slots = _group_slots(groups, n_groups)
    sums = np.zeros((n_groups, p, p, _SUMS))
    for start in range(0, n_groups, _GROUP_CHUNK):
        index = slots[start : start + _GROUP_CHUNK]
        live = index >= 0
        row = np.where(live, index, 0)
        rated = (present[row] & live[..., None]).astype(float)
        x = filled[row]
        left = np.concatenate([rated, x, x * x], axis=2) * np.where(live, w[row], 0.0)[..., None]
        right = np.concatenate([rated, x], axis=2)
        gram = np.matmul(left.transpose(0, 2, 1), right)  # (groups, 3p, 2p)
        both, first = gram[:, :p, :p], gram[:, p : 2 * p, :p]
        square, product = gram[:, 2 * p :, :p], gram[:, p : 2 * p, p:]
        chunk = sums[start : start + len(index)]
        chunk[..., 0], chunk[..., 5] = both, product
        chunk[..., 1], chunk[..., 2] = first, first.transpose(0, 2, 1)
        chunk[..., 3], chunk[..., 4] = square, square.transpose(0, 2, 1)
    return sums


def _group_slots(groups: np.ndarray, n_groups: int) -> np.ndarray:
    """(n_groups, largest group) row numbers of each group's rows, −1 where it has fewer."""
    # Group numbers are below n_groups; as 16-bit integers numpy sorts them by radix.
    compact = groups.astype(np.int16) if n_groups < 2**15 else groups
    order = np.argsort(compact, kind="stable")
    sizes = np.bincount(groups, minlength=n_groups)
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    slots = np.full((n_groups, max(int(sizes.max(initial=0)), 1)), -1, dtype=np.int64)
    position = np.arange(len(order)) - np.repeat(bounds[:-1], sizes)
    slots[groups[order], position] = order
    return slots


def _correlation_from_sums(totals: np.ndarray) -> np.ndarray:
    """Pairwise weighted correlations from summed statistics (p, p, 6)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        sw = totals[..., 0]
        mean_a, mean_b = totals[..., 1] / sw, totals[..., 2] / sw
        var_a = _variance(totals[..., 3] / sw, mean_a)
        var_b = _variance(totals[..., 4] / sw, mean_b)
        cov = totals[..., 5] / sw - mean_a * mean_b
        return cov / np.sqrt(var_a * var_b)


def _variance(mean_square: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """E[x²] − E[x]², NaN where it is rounding noise of a constant column.

    With unequal weights the two terms of a constant column differ in their last bits, and
    a "variance" of 1e-15 would turn into correlations in the millions (eigh then fails).
    """
    variance = mean_square - mean**2
    return np.where(variance > 1e-9 * np.maximum(1.0, mean**2), variance, np.nan)


def _nearest_correlation(matrix: np.ndarray) -> np.ndarray:
    """Clip negative eigenvalues of a pairwise matrix (which need not be PSD) and rescale."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    fixed = vectors @ np.diag(np.clip(values, _COLLINEAR_EIGENVALUE, None)) @ vectors.T
    scale = np.sqrt(np.diag(fixed))
    return fixed / np.outer(scale, scale)


def _weights_from_correlation(correlation: np.ndarray) -> np.ndarray:
    """Johnson's raw weights from a full correlation matrix (outcome last)."""
    r_xx = _nearest_correlation(correlation[:-1, :-1])
    r_xy = correlation[:-1, -1]
    eigenvalues, eigenvectors = np.linalg.eigh(r_xx)
    root = eigenvectors @ np.diag(np.sqrt(np.clip(eigenvalues, 0, None))) @ eigenvectors.T
    beta = np.linalg.solve(root, r_xy)
    return (root**2) @ (beta**2)


def _pair_counts(data: np.ndarray, columns: list[str], min_pair_count: int) -> np.ndarray:
    """Respondents who rated each pair of variables; too few for any pair is an error."""
    present = (~np.isnan(data)).astype(float)
    counts = (present.T @ present).astype(int)  # BLAS; exact for counts below 2⁵³
    sparse = [
        f"{columns[a]}×{columns[b]} (n={counts[a, b]})"
        for a in range(len(columns))
        for b in range(a, len(columns))
        if counts[a, b] < min_pair_count
    ]
    if sparse:
        raise DriverInputError(
            f"too few respondents rated both of {', '.join(sparse)}; need {min_pair_count}"
        )
    return counts


def _replicate_weights(
    rng: np.random.Generator, sums: np.ndarray, groups_used: int, n_boot: int
) -> np.ndarray:
    """Normalised relative weights of each bootstrap replicate of the groups.

    A replicate in which a column is constant (a rare score drawn zero times) has no
    correlation matrix: it is redrawn, as in `bootstrap_relative_weights`, and more such
    replicates than n_boot is an error.
    """
    kept: list[np.ndarray] = []
    redrawn = 0
    while sum(len(batch) for batch in kept) < n_boot:
        correlation = _replicate_correlations(rng, sums, groups_used, n_boot)
        usable = np.isfinite(correlation).all(axis=(1, 2))
        redrawn += int((~usable).sum())
        if redrawn > n_boot:
            raise DriverInputError(
                f"bootstrap abandoned: {redrawn} resamples had a constant column"
            )
        kept.append(correlation[usable])
    # Every replicate's eigen-decompositions and solve at once.
    raw = _stacked_weights_from_correlation(np.concatenate(kept)[:n_boot])
    totals = raw.sum(axis=1)
    if not (totals > 0).all():
        raise DriverInputError("R² = 0: no predictor explains the outcome")
    return 100.0 * raw / totals[:, None]


def _replicate_correlations(
    rng: np.random.Generator, sums: np.ndarray, groups_used: int, n_boot: int
) -> np.ndarray:
    """n_boot replicates' correlation matrices from resampled group sums."""
    # All replicates in one matrix product: (replicates × groups) @ (groups × statistics);
    # the draws in one call give the same stream as one call per replicate.
    draws = rng.integers(0, groups_used, (n_boot, groups_used))
    slot = (np.arange(n_boot)[:, None] * groups_used + draws).ravel()
    picks = np.bincount(slot, minlength=n_boot * groups_used).reshape(n_boot, groups_used)
    # A correlation matrix is symmetric: only the pairs a ≤ b are summed, then mirrored.
    p = sums.shape[1]
    first, second = np.triu_indices(p)
    upper = sums[:, first, second, :].reshape(groups_used, -1)
    totals = (picks.astype(float) @ upper).reshape(n_boot, len(first), _SUMS)
    correlation = np.empty((n_boot, p, p))
    correlation[:, first, second] = correlation[:, second, first] = _correlation_from_sums(totals)
    return correlation


def _stacked_weights_from_correlation(correlation: np.ndarray) -> np.ndarray:
    """_weights_from_correlation for a stack of matrices (replicates × p × p)."""
    pairwise = correlation[:, :-1, :-1]
    values, vectors = np.linalg.eigh((pairwise + pairwise.transpose(0, 2, 1)) / 2)
    clipped = np.clip(values, _COLLINEAR_EIGENVALUE, None)
    fixed = (vectors * clipped[:, None, :]) @ vectors.transpose(0, 2, 1)
    scale = np.sqrt(np.diagonal(fixed, axis1=1, axis2=2))
    r_xx = fixed / (scale[:, :, None] * scale[:, None, :])
    values, vectors = np.linalg.eigh(r_xx)
    root = (vectors * np.sqrt(np.clip(values, 0, None))[:, None, :]) @ vectors.transpose(0, 2, 1)
    beta = np.linalg.solve(root, correlation[:, :-1, -1][..., None])[..., 0]
    return ((root**2) @ (beta**2)[..., None])[..., 0]


def pairwise_relative_weights(
    frame: pd.DataFrame,
    predictors: list[str],
    outcome: str,
    weights: np.ndarray | None = None,
    n_boot: int = 200,
    seed: int = DEFAULT_BOOTSTRAP_SEED,
    n_groups: int = 2000,
    min_pair_count: int = 30,
    level: float = 0.95,
) -> PairwiseDriverResult:
    """Relative weights when predictors are missing by design (touchpoints not used).

    Listwise deletion would keep only respondents who used every touchpoint (often none),
    so each correlation uses the respondents who rated both of its variables. Intervals
    come from a bootstrap over up to `n_groups` random groups of respondents (each
    respondent its own group in smaller samples, which is the ordinary bootstrap); the
    per-group sums are computed once, so a replicate costs no pass over the rows.
    """
    columns = [*predictors, outcome]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DriverInputError(f"columns {missing} are not in the data")
    data = frame[columns].to_numpy(dtype=float)
    w = np.ones(len(frame)) if weights is None else np.asarray(weights, dtype=float)
    rng = np.random.default_rng(seed)
    groups_used = min(n_groups, len(frame))
    groups = (
        np.arange(len(frame))
        if groups_used == len(frame)
        else rng.integers(0, groups_used, len(frame))
    )
    sums = _group_sums(data, w, groups, groups_used)
    counts = _pair_counts(data, columns, min_pair_count)
    correlation = _correlation_from_sums(sums.sum(axis=0))
    constant = [c for c, v in zip(columns, np.diag(correlation), strict=True) if not np.isfinite(v)]
    if constant:
        raise DriverInputError(f"columns {constant} are constant")
    raw = _weights_from_correlation(correlation)
    estimate = _normalised(raw)
    draws = _replicate_weights(rng, sums, groups_used, n_boot)
    tail = (1 - level) / 2 * 100
    return PairwiseDriverResult(
        normalized_weights=pd.Series(estimate, index=predictors),
        lower=pd.Series(np.percentile(draws, tail, axis=0), index=predictors),
        upper=pd.Series(np.percentile(draws, 100 - tail, axis=0), index=predictors),
        r_squared=float(raw.sum()),
        pair_counts=pd.DataFrame(counts, index=columns, columns=columns),
        n_boot=n_boot,
        n_groups=groups_used,
        seed=seed,
    )
