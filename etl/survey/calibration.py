"""Weights for the quarter: rake to the policy book, and say honestly what happened.

Raking with trimmed weights can be infeasible: when a margin category has very few
respondents, the weight it needs exceeds the trim bound, and a raking sweep after the last
trim pushes weights far past it (25× the mean) while the appendix would still say
"trimmed to 0.2–5×". The procedure is therefore, in order:

1. rake to the margins with trimming to [low, high] × mean weight (weighting.py);
2. if that does not converge, collapse sparse categories — those with fewer than
   `[weighting] min_cell_respondents` respondents — within their margin (all sparse
   categories of a margin pooled, and the pool joined to the smallest other category while
   it is still sparse), and rake again;
3. if it still does not converge, bound the weights: clip to the trim bounds (relative to
   the mean, repeated until the mean is stable) and accept the margin error that remains.

Every step is reported: iterations, whether it converged, the number of weights on a trim
bound, the largest margin error (absolute difference of a weighted share from its
population share), the largest and smallest weight relative to the mean, and the
categories collapsed or without respondents — and the appendix says which step was used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.core.config import Settings
from etl.core.results import ResultRow
from etl.core.scopes import COMPANY
from etl.survey.scoring import ScoredSurvey
from etl.survey.weighting import RakingResult, design_effect, kish_effective_n, rake

DEFAULT_MIN_CELL = 20


@dataclass(frozen=True)
class WeightingReport:
    """What the methodology appendix says about the weights."""

    margins: tuple[str, ...]
    converged: bool
    iterations: int
    max_margin_error: float
    n_trimmed: int
    kish_effective_n: float
    design_effect: float
    categories_without_respondents: tuple[str, ...]
    method: str = "raked"  # raked | collapsed | bounded
    collapsed: tuple[str, ...] = ()
    max_weight_ratio: float = 1.0
    min_weight_ratio: float = 1.0


def population_margins(
    cells: pd.DataFrame, sample: pd.DataFrame, margins: Sequence[str]
) -> tuple[dict[str, pd.Series], list[str]]:
    """Policy-book margins restricted to categories the sample has.

    A category of the book with no respondent cannot be weighted up from nothing; it is
    dropped from the margin and named in the appendix instead of failing the run.
    """
    result: dict[str, pd.Series] = {}
    dropped: list[str] = []
    for margin in margins:
        totals = cells.groupby(margin)["policies_in_force"].sum()
        present = set(sample[margin].unique())
        dropped += [f"{margin}={category}" for category in totals.index if category not in present]
        result[margin] = totals[totals.index.isin(present)]
    return result, dropped


def collapse_map(counts: pd.Series, min_cell: int) -> dict[object, str]:
    """Category → collapsed label for one margin: sparse categories pooled (see module doc)."""
    sparse = sorted(c for c, k in counts.items() if k < min_cell)
    if not sparse:
        return {c: str(c) for c in counts.index}
    pool = list(sparse)
    others = counts.drop(index=pool).sort_values(kind="stable")
    while counts[pool].sum() < min_cell and not others.empty:
        pool.append(others.index[0])
        others = others.iloc[1:]
    label = "+".join(str(c) for c in sorted(pool, key=str))
    return {c: (label if c in pool else str(c)) for c in counts.index}


def bounded(weights: np.ndarray, low: float, high: float, rounds: int = 100) -> np.ndarray:
    """Weights clipped to [low, high] × their mean, rescaled to sum n, until stable."""
    w = weights.astype(float).copy()
    n = w.size
    for _ in range(rounds):
        mean = w.mean()
        clipped = np.clip(w, low * mean, high * mean)
        clipped *= n / clipped.sum()
        if np.allclose(clipped, w, rtol=1e-12, atol=0):
            return clipped
        w = clipped
    return w


def _report(
    result: RakingResult,
    weights: np.ndarray,
    margins: Sequence[str],
    dropped: Sequence[str],
    method: str,
    collapsed: Sequence[str],
    error: float,
) -> WeightingReport:
    ratio = weights / weights.mean()
    return WeightingReport(
        margins=tuple(margins),
        converged=result.converged,
        iterations=result.iterations,
        max_margin_error=float(error),
        n_trimmed=result.n_trimmed,
        kish_effective_n=kish_effective_n(weights),
        design_effect=design_effect(weights),
        categories_without_respondents=tuple(dropped),
        method=method,
        collapsed=tuple(collapsed),
        max_weight_ratio=float(ratio.max()),
        min_weight_ratio=float(ratio.min()),
    )


def _margin_error(frame: pd.DataFrame, weights: np.ndarray, targets: dict[str, pd.Series]) -> float:
    """Largest |weighted share − population share| over the (uncollapsed) margins."""
    total = weights.sum()
    gaps = []
    for margin, population in targets.items():
        shares = pd.Series(weights).groupby(frame[margin].to_numpy()).sum() / total
        gaps.append(float((shares.reindex(population.index, fill_value=0.0)
                           - population / population.sum()).abs().max()))  # fmt: skip
    return max(gaps) if gaps else 0.0


def weight_respondents(
    survey: ScoredSurvey, cells: pd.DataFrame, settings: Settings
) -> tuple[pd.Series, WeightingReport]:
    """Rake respondents to the quarter's policy book (module doc: rake, collapse, bound)."""
    frame = survey.respondents
    margins = list(settings.weighting["margins"])
    trim = tuple(settings.weighting["trim"])
    min_cell = int(settings.weighting.get("min_cell_respondents", DEFAULT_MIN_CELL))
    targets, dropped = population_margins(cells, frame, margins)
    result: RakingResult = rake(frame[margins], targets, trim=trim)  # type: ignore[arg-type]
    method, collapsed = "raked", []
    if not result.converged:
        sample, collapsed_targets = frame[margins].copy(), {}
        for margin in margins:
            mapping = collapse_map(frame[margin].value_counts(), min_cell)
            sample[margin] = frame[margin].map(mapping)
            collapsed_targets[margin] = (
                targets[margin].groupby(targets[margin].index.map(mapping)).sum()
            )
            collapsed += sorted({v for v in mapping.values() if "+" in v})
        retry = rake(sample, collapsed_targets, trim=trim)  # type: ignore[arg-type]
        result, method = retry, "collapsed"
    weights = result.weights.to_numpy()
    if not result.converged:
        weights = bounded(weights, float(trim[0]), float(trim[1]))
        method = "bounded"
    error = _margin_error(frame, weights, targets)
    report = _report(result, weights, margins, dropped, method, collapsed, error)
    return pd.Series(weights, index=frame.index), report


def weighting_rows(quarter: str, report: WeightingReport, n: int) -> list[ResultRow]:
    """The weighting diagnostics as company rows (weighting.<what>) for the appendix."""
    note = f"method: {report.method}" + (
        f"; collapsed: {', '.join(report.collapsed)}" if report.collapsed else ""
    )
    rows = [
        ResultRow(quarter, COMPANY, "weighting.kish_effective_n", report.kish_effective_n, n=n),
        ResultRow(quarter, COMPANY, "weighting.design_effect", report.design_effect, n=n),
        ResultRow(quarter, COMPANY, "weighting.iterations", float(report.iterations), n=n,
                  flag=None if report.converged else "not_converged",
                  note="; ".join(report.categories_without_respondents) or None),
        ResultRow(quarter, COMPANY, "weighting.n_trimmed", float(report.n_trimmed), n=n),
        ResultRow(quarter, COMPANY, "weighting.max_margin_error", report.max_margin_error, n=n,
                  note=note),
        ResultRow(quarter, COMPANY, "weighting.max_weight_ratio", report.max_weight_ratio, n=n),
        ResultRow(quarter, COMPANY, "weighting.min_weight_ratio", report.min_weight_ratio, n=n),
    ]  # fmt: skip
    return rows
