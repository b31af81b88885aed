"""Survey indices (NPS, CSAT, means, weighted CSI), their intervals, changes and suppression."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np
import pandas as pd

from etl.core.results import ResultRow

# The methodology fixes 1.96 (not the exact 1.95996…) so the appendix formulas reproduce.
Z_95 = 1.96
NPS_MIN, NPS_MAX = 0, 10
PROMOTER_MIN, DETRACTOR_MAX = 9, 6
DEFAULT_SUPPRESS_BELOW = 30
DEFAULT_LOW_BASE_BELOW = 60

ArrayLike = np.ndarray | pd.Series | list[float]
Direction = Literal["up", "down", "no_change", "not_comparable"]
SuppressionFlag = Literal["suppressed", "low_base"]
Rescalable = TypeVar("Rescalable", float, np.ndarray, pd.Series)


class IndexInputError(ValueError):
    """Scores, weights or scale bounds that an index cannot be computed from."""


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its standard error, 95% interval, raw n and effective n."""

    value: float
    se: float
    lower: float
    upper: float
    n: int
    n_effective: float


def estimate_row(
    quarter: str,
    scope: str,
    metric: str,
    estimate: Estimate,
    flag: str | None = None,
    note: str | None = None,
) -> ResultRow:
    """An estimate as a result row: value, 95% interval, n and effective n."""
    return ResultRow(
        quarter,
        scope,
        metric,
        estimate.value,
        estimate.lower,
        estimate.upper,
        estimate.n,
        estimate.n_effective,
        flag,
        note,
    )


@dataclass(frozen=True)
class CSIResult:
    """Weighted CSI over the dimensions with data, and the renormalised weights used."""

    value: float
    weights_used: dict[str, float]
    dimensions_missing: tuple[str, ...]


@dataclass(frozen=True)
class Change:
    """Change between two estimates; direction is up/down only when significant."""

    direction: Direction
    difference: float | None
    z: float | None
    p_value: float | None
    alpha: float


def nps(scores: ArrayLike, weights: ArrayLike | None = None) -> Estimate:
    """Net Promoter Score 100(p − d) with the adjusted-Wald 95% interval.

    n' = n + 3, p' = (P + 3/4)/n', d' = (D + 3/4)/n', Var = (p' + d' − (p' − d')²)/n',
    interval 100[(p' − d') ± 1.96 √Var] clipped to [−100, 100]; se = 100 √Var. With weights,
    n is Kish's effective n and P, D are the weighted shares × n_eff. Missing scores are
    left out (missing by design) and not counted in n.
    """
    values, w, n, n_eff = _prepared(scores, weights, "NPS scores")
    require_integer_scale(values, NPS_MIN, NPS_MAX, "NPS scores")
    promoters = _weighted_share(values >= PROMOTER_MIN, w)
    detractors = _weighted_share(values <= DETRACTOR_MAX, w)
    return nps_from_shares(promoters, detractors, n, n_eff)


def nps_from_shares(promoters: float, detractors: float, n: int, n_eff: float) -> Estimate:
    """NPS and its adjusted-Wald interval (see nps) from the weighted shares and Kish's n."""
    adjusted_n = n_eff + 3.0
    p_adj = (promoters * n_eff + 0.75) / adjusted_n
    d_adj = (detractors * n_eff + 0.75) / adjusted_n
    variance = (p_adj + d_adj - (p_adj - d_adj) ** 2) / adjusted_n
    half_width = Z_95 * math.sqrt(variance)
    return Estimate(
        value=100.0 * (promoters - detractors),
        se=100.0 * math.sqrt(variance),
        lower=max(-100.0, 100.0 * (p_adj - d_adj - half_width)),
        upper=min(100.0, 100.0 * (p_adj - d_adj + half_width)),
        n=n,
        n_effective=n_eff,
    )


def csat(
    scores: ArrayLike,
    scale_min: int,
    scale_max: int,
    weights: ArrayLike | None = None,
    top_boxes: int = 2,
) -> Estimate:
    """Top-box share ×100 (the `top_boxes` highest scale points, default two) with an
    Agresti–Coull 95% interval.

    ñ = n_eff + z², p̃ = (X + z²/2)/ñ with X = p̂·n_eff, interval 100[p̃ ± z √(p̃(1 − p̃)/ñ)]
    clipped to [0, 100]; se = 100 √(p̃(1 − p̃)/ñ). So 9–10 on 1–10 or 0–10, 4–5 on 1–5.
    """
    check_csat_scale(scale_min, scale_max, top_boxes)
    values, w, n, n_eff = _prepared(scores, weights, "CSAT scores")
    require_integer_scale(values, scale_min, scale_max, "CSAT scores")
    share = _weighted_share(values >= scale_max - (top_boxes - 1), w)
    return csat_from_share(share, n, n_eff)


def check_csat_scale(scale_min: int, scale_max: int, top_boxes: int) -> None:
    """An integer scale of at least 3 points, and 2 or 3 top boxes."""
    _check_scale(scale_min, scale_max, integer=True)
    if top_boxes not in (2, 3):
        raise IndexInputError(f"CSAT counts the top 2 or 3 boxes, got {top_boxes}")
    if scale_max - scale_min < 2:
        raise IndexInputError(f"CSAT needs at least 3 scale points, got {scale_min}–{scale_max}")


def csat_from_share(share: float, n: int, n_eff: float) -> Estimate:
    """CSAT and its Agresti–Coull interval (see csat) from the weighted top-box share."""
    z_squared = Z_95**2
    adjusted_n = n_eff + z_squared
    p_adj = (share * n_eff + z_squared / 2.0) / adjusted_n
    se = math.sqrt(p_adj * (1.0 - p_adj) / adjusted_n)
    return Estimate(
        value=100.0 * share,
        se=100.0 * se,
        lower=max(0.0, 100.0 * (p_adj - Z_95 * se)),
        upper=min(100.0, 100.0 * (p_adj + Z_95 * se)),
        n=n,
        n_effective=n_eff,
    )


def weighted_mean(values: ArrayLike, weights: ArrayLike | None = None) -> Estimate:
    """Weighted mean with se = √(Σw(x − x̄)²/Σw ÷ (n_eff − 1)) and a normal 95% interval.

    Without weights this is the usual s/√n. Missing values are left out (missing by design).
    """
    data, w, n, n_eff = _prepared(values, weights, "values")
    mean = float(np.sum(w * data) / w.sum())
    spread = float(np.sum(w * (data - mean) ** 2) / w.sum())
    return mean_estimate(mean, spread, n, n_eff)


def mean_estimate(mean: float, spread: float, n: int, n_eff: float) -> Estimate:
    """A weighted mean's estimate from its weighted variance Σw(x − x̄)²/Σw (see weighted_mean)."""
    _require_effective_n(n, n_eff)
    se = math.sqrt(spread / (n_eff - 1.0))
    return Estimate(
        value=mean,
        se=se,
        lower=mean - Z_95 * se,
        upper=mean + Z_95 * se,
        n=n,
        n_effective=n_eff,
    )


def _require_effective_n(n: int, n_eff: float) -> None:
    if n_eff <= 1.0 + 1e-12:
        raise IndexInputError(
            f"a mean with an interval needs an effective n above 1, got n={n}, "
            f"n_effective={n_eff:.3g}"
        )


def weighted_csi(
    dimension_scores: Mapping[str, float | None], weights: Mapping[str, float]
) -> CSIResult:
    """CSI = Σ w_d score_d over dimensions with a score, weights renormalised over those."""
    unweighted = [d for d in dimension_scores if d not in weights]
    if unweighted:
        raise IndexInputError(f"dimensions {unweighted} have scores but no CSI weight")
    bad_weights = {d: w for d, w in weights.items() if not (math.isfinite(w) and w >= 0)}
    if bad_weights:
        raise IndexInputError(f"CSI weights must be finite and ≥ 0, got {bad_weights}")
    present = {
        d: float(s) for d, s in dimension_scores.items() if s is not None and not math.isnan(s)
    }
    out_of_range = {d: s for d, s in present.items() if not 0.0 <= s <= 100.0}
    if out_of_range:
        raise IndexInputError(f"dimension scores must lie in 0–100, got {out_of_range}")
    if not present:
        raise IndexInputError("no dimension has a score, so the CSI is undefined")
    total = sum(weights[d] for d in present)
    if total <= 0:
        raise IndexInputError(f"the dimensions with scores {list(present)} all have weight 0")
    used = {d: weights[d] / total for d in present}
    return CSIResult(
        value=sum(used[d] * present[d] for d in present),
        weights_used=used,
        dimensions_missing=tuple(d for d in weights if d not in present),
    )


def compare(current: Estimate | None, previous: Estimate | None, alpha: float = 0.05) -> Change:
    """Two-sample z test of current − previous; not_comparable when either side is missing."""
    if not 0 < alpha < 1:
        raise IndexInputError(f"alpha must lie in (0, 1), got {alpha}")
    if current is None or previous is None:
        return Change("not_comparable", None, None, None, alpha)
    for label, estimate in (("current", current), ("previous", previous)):
        if not (math.isfinite(estimate.value) and math.isfinite(estimate.se) and estimate.se >= 0):
            raise IndexInputError(f"{label} estimate needs a finite value and se ≥ 0: {estimate}")
    difference = current.value - previous.value
    pooled_se = math.sqrt(current.se**2 + previous.se**2)
    if pooled_se == 0:
        # Two exact figures: any difference is certain, none is no change.
        z = 0.0 if difference == 0 else math.copysign(math.inf, difference)
    else:
        z = difference / pooled_se
    p_value = math.erfc(abs(z) / math.sqrt(2.0))
    if p_value >= alpha:
        direction: Direction = "no_change"
    else:
        direction = "up" if difference > 0 else "down"
    return Change(direction, difference, z, p_value, alpha)


def rescale_0_100(
    x: Rescalable, scale_min: float, scale_max: float, reverse: bool = False
) -> Rescalable:
    """100 (x − min)/(max − min), flipped for reverse-coded items; missing values stay missing."""
    _check_scale(scale_min, scale_max, integer=False)
    values = np.asarray(x, dtype=float)
    known = values[~np.isnan(values)]
    outside = int(np.sum((known < scale_min) | (known > scale_max)))
    if outside:
        raise IndexInputError(
            f"{outside} values lie outside the scale {scale_min}–{scale_max}, "
            f"e.g. {known[(known < scale_min) | (known > scale_max)][0]}"
        )
    scaled = 100.0 * (values - scale_min) / (scale_max - scale_min)
    if reverse:
        scaled = 100.0 - scaled
    if isinstance(x, pd.Series):
        return pd.Series(scaled, index=x.index, name=x.name)
    if np.ndim(x) == 0:
        return float(scaled)
    return scaled


def suppression_flag(
    n: int,
    suppress_below: int = DEFAULT_SUPPRESS_BELOW,
    low_base_below: int = DEFAULT_LOW_BASE_BELOW,
) -> SuppressionFlag | None:
    """ "suppressed" below suppress_below, "low_base" below low_base_below, else None."""
    if n < 0:
        raise IndexInputError(f"a base n cannot be negative, got {n}")
    if not 0 <= suppress_below <= low_base_below:
        raise IndexInputError(
            f"need 0 ≤ suppress_below ≤ low_base_below, got {suppress_below}, {low_base_below}"
        )
    if n < suppress_below:
        return "suppressed"
    if n < low_base_below:
        return "low_base"
    return None


def _prepared(
    scores: ArrayLike, weights: ArrayLike | None, label: str
) -> tuple[np.ndarray, np.ndarray, int, float]:
    """Non-missing scores with their weights, the raw count n and Kish's effective n."""
    if isinstance(scores, pd.Series) and isinstance(weights, pd.Series):
        # Two Series are matched by respondent label, not position.
        weights = weights.reindex(scores.index)
    values = np.asarray(scores, dtype=float).ravel()
    if weights is None:
        w = np.ones(values.size)
    else:
        w = np.asarray(weights, dtype=float).ravel()
        if w.size != values.size:
            raise IndexInputError(f"{label}: {w.size} weights for {values.size} values")
    answered = ~np.isnan(values)
    values, w = values[answered], w[answered]
    if values.size == 0:
        raise IndexInputError(f"{label}: no non-missing values")
    if not np.isfinite(values).all():
        raise IndexInputError(f"{label}: {int((~np.isfinite(values)).sum())} infinite values")
    if not np.isfinite(w).all() or (w < 0).any():
        bad = int(np.sum(~np.isfinite(w) | (w < 0)))
        raise IndexInputError(f"{label}: {bad} weights are missing, infinite or negative")
    if w.sum() <= 0:
        raise IndexInputError(f"{label}: the weights of the answered values sum to zero")
    n_eff = float(w.sum() ** 2 / np.sum(w**2))
    return values, w, int(values.size), n_eff


def require_integer_scale(values: np.ndarray, low: int, high: int, label: str) -> None:
    """Every value is an integer point of the scale low..high."""
    bad = (values != np.round(values)) | (values < low) | (values > high)
    if bad.any():
        raise IndexInputError(
            f"{label} must be integers {low}–{high}; {int(bad.sum())} values are not "
            f"(e.g. {values[bad][0]})"
        )


def _weighted_share(selected: np.ndarray, weights: np.ndarray) -> float:
    """Weighted share of the selected respondents."""
    return float(np.sum(weights[selected]) / weights.sum())


def _check_scale(scale_min: float, scale_max: float, *, integer: bool) -> None:
    """Finite bounds with min < max (integers when a discrete scale is meant)."""
    if not (math.isfinite(scale_min) and math.isfinite(scale_max)) or scale_min >= scale_max:
        raise IndexInputError(f"scale bounds need min < max, got {scale_min}–{scale_max}")
    if integer and (scale_min != int(scale_min) or scale_max != int(scale_max)):
        raise IndexInputError(f"scale bounds must be integers, got {scale_min}–{scale_max}")
