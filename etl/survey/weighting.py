"""Survey weights: raking to population margins, trimming, Kish effective n and design effect."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_TRIM = (0.2, 5.0)
# A final weight within this relative distance of a trim bound counts as trimmed.
_BOUND_RTOL = 1e-6


class RakingError(ValueError):
    """A margin or sample that cannot be raked (names the variable and category)."""


@dataclass(frozen=True)
class RakingResult:
    """Raked weights (sum n, mean 1) with the diagnostics the methodology appendix reports."""

    weights: pd.Series
    converged: bool
    iterations: int
    max_margin_error: float
    n_trimmed: int
    kish_effective_n: float
    design_effect: float


def kish_effective_n(weights: np.ndarray | pd.Series | list[float]) -> float:
    """Kish's effective sample size (Σw)² / Σw²."""
    values = _checked_weights(weights, "weights")
    return float(values.sum() ** 2 / np.sum(values**2))


def design_effect(weights: np.ndarray | pd.Series | list[float]) -> float:
    """Kish design effect of unequal weighting: n / n_eff."""
    values = _checked_weights(weights, "weights")
    return float(values.size / kish_effective_n(values))


def rake(
    sample: pd.DataFrame,
    margins: Mapping[str, pd.Series | Mapping[Hashable, float]],
    base_weights: pd.Series | np.ndarray | None = None,
    trim: tuple[float, float] | None = DEFAULT_TRIM,
    tol: float = 1e-8,
    max_iter: int = 100,
) -> RakingResult:
    """Rake weights to the margins (counts or shares per category), trimming to trim × mean.

    Each iteration trims (from the second on) and then does one full raking sweep, so the
    returned weights always sum to n. Convergence means every weighted share is within
    ``tol`` of its target and every weight lies within the trim bounds. When the bounds and
    margins cannot both hold, the result comes back with ``converged=False`` and the
    remaining ``max_margin_error``. A margin category with population but no respondents
    raises RakingError: collapse it with a neighbouring category in the margin and the
    sample before raking.
    """
    if sample.empty:
        raise RakingError("sample has no respondents")
    if not margins:
        raise RakingError("margins is empty: name at least one raking variable")
    if not tol > 0 or max_iter < 1:
        raise RakingError(f"need tol > 0 and max_iter ≥ 1, got tol={tol}, max_iter={max_iter}")
    bounds = _checked_trim(trim)
    n = len(sample)
    cells = [_margin_cells(sample, variable, margin) for variable, margin in margins.items()]
    weights = _initial_weights(sample, base_weights)

    trimmed_ever = False
    converged = False
    error = np.inf
    iteration = 0
    for iteration in range(1, max_iter + 1):
        if bounds is not None and iteration > 1:
            clipped = np.clip(weights, bounds[0] * weights.mean(), bounds[1] * weights.mean())
            trimmed_ever = trimmed_ever or bool(np.any(clipped != weights))
            weights = clipped
        for codes, targets in cells:
            totals = np.bincount(codes, weights=weights, minlength=targets.size)
            weights = weights * (targets * n / totals)[codes]
        error = _max_margin_error(weights, cells)
        if error < tol and _within_bounds(weights, bounds, tol):
            converged = True
            break

    n_trimmed = _count_on_bounds(weights, bounds) if trimmed_ever else 0
    series = pd.Series(weights, index=sample.index, name="weight")
    return RakingResult(
        weights=series,
        converged=converged,
        iterations=iteration,
        max_margin_error=float(error),
        n_trimmed=n_trimmed,
        kish_effective_n=kish_effective_n(weights),
        design_effect=design_effect(weights),
    )


def _checked_weights(weights: np.ndarray | pd.Series | list[float], name: str) -> np.ndarray:
    """Weights as a float array: non-empty, finite, non-negative, with a positive sum."""
    values = np.asarray(weights, dtype=float).ravel()
    if values.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.isfinite(values).all():
        raise ValueError(f"{name} has {int((~np.isfinite(values)).sum())} missing/infinite values")
    if (values < 0).any():
        raise ValueError(f"{name} has {int((values < 0).sum())} negative values")
    if values.sum() <= 0:
        raise ValueError(f"{name} sum to zero")
    return values


def _checked_trim(trim: tuple[float, float] | None) -> tuple[float, float] | None:
    """Trim factors relative to the mean weight: 0 < low ≤ 1 ≤ high, or None for no trim."""
    if trim is None:
        return None
    low, high = trim
    if not 0 < low <= 1 <= high:
        raise RakingError(f"trim must satisfy 0 < low ≤ 1 ≤ high, got {trim}")
    return float(low), float(high)


def _margin_cells(
    sample: pd.DataFrame, variable: str, margin: pd.Series | Mapping[Hashable, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Category codes per respondent and target shares per category for one variable."""
    if variable not in sample.columns:
        raise RakingError(f"raking variable {variable!r} is not a sample column")
    try:
        population = pd.Series(margin, dtype=float)
    except (TypeError, ValueError) as error:
        raise RakingError(f"margin {variable!r} has non-numeric population values") from error
    if population.empty:
        raise RakingError(f"margin {variable!r} has no categories")
    if population.isna().any() or np.isinf(population).any() or (population < 0).any():
        bad = list(population.index[~(population >= 0) | np.isinf(population)])
        raise RakingError(f"margin {variable!r}: categories {bad} have invalid population values")
    if population.sum() <= 0:
        raise RakingError(f"margin {variable!r} has zero total population")
    values = sample[variable]
    if values.isna().any():
        raise RakingError(
            f"raking variable {variable!r} is missing for {int(values.isna().sum())} respondents"
        )
    observed = set(values.unique())
    for category in observed:
        if category not in population.index:
            raise RakingError(
                f"raking variable {variable!r}: sample category {category!r} is not in the margin"
            )
        if population[category] == 0:
            raise RakingError(
                f"raking variable {variable!r}: category {category!r} has respondents but zero "
                "population in the margin"
            )
    for category in population.index[population > 0]:
        if category not in observed:
            raise RakingError(
                f"raking variable {variable!r}: margin category {category!r} has population but "
                "no respondents; collapse it with a neighbouring category (in the margin and the "
                "sample) before raking"
            )
    kept = population[population > 0]
    codes = pd.Categorical(values, categories=kept.index).codes.astype(np.intp)
    return codes, (kept / kept.sum()).to_numpy()


def _initial_weights(
    sample: pd.DataFrame, base_weights: pd.Series | np.ndarray | None
) -> np.ndarray:
    """Base weights (ones by default), aligned to the sample and scaled to sum n."""
    n = len(sample)
    if base_weights is None:
        return np.ones(n)
    if isinstance(base_weights, pd.Series):
        missing = sample.index.difference(base_weights.index)
        if len(missing):
            raise RakingError(f"base_weights lack {len(missing)} sample rows, e.g. {missing[0]!r}")
        base = base_weights.reindex(sample.index).to_numpy(dtype=float)
    else:
        base = np.asarray(base_weights, dtype=float).ravel()
        if base.size != n:
            raise RakingError(f"base_weights has {base.size} values for {n} respondents")
    values = _checked_weights(base, "base_weights")
    if (values == 0).any():
        raise RakingError(f"base_weights has {int((values == 0).sum())} zero weights")
    return values * n / values.sum()


def _max_margin_error(weights: np.ndarray, cells: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """Largest absolute gap between a weighted share and its target share."""
    total = weights.sum()
    gaps = [
        np.abs(np.bincount(codes, weights=weights, minlength=targets.size) / total - targets).max()
        for codes, targets in cells
    ]
    return float(max(gaps))


def _within_bounds(weights: np.ndarray, bounds: tuple[float, float] | None, tol: float) -> bool:
    """Whether all weights lie within the trim bounds (relative slack tol)."""
    if bounds is None:
        return True
    mean = weights.mean()
    return bool(
        np.all(weights >= bounds[0] * mean * (1 - tol))
        and np.all(weights <= bounds[1] * mean * (1 + tol))
    )


def _count_on_bounds(weights: np.ndarray, bounds: tuple[float, float] | None) -> int:
    """Respondents whose weight sits on a trim bound."""
    if bounds is None:
        return 0
    mean = weights.mean()
    low = weights <= bounds[0] * mean * (1 + _BOUND_RTOL)
    high = weights >= bounds[1] * mean * (1 - _BOUND_RTOL)
    return int(np.sum(low | high))
