"""Key drivers of overall satisfaction per scope: relative weights and quadrants as rows.

What a driver analysis on touchpoints missing by design can and cannot say:

- each correlation uses the respondents who rated both of its variables, so the n behind
  the analysis is the *smallest pair n* (stored as `drivers.min_pair_n`, and as the n of
  `drivers.r_squared`), never the scope's respondent count; `drivers.listwise_n` says how
  many rated everything;
- a dimension is left out when a pair with it has fewer than the minimum base; its row
  says so (flag `insufficient_pairs`, n = its smallest pair n) rather than "n < 30";
- intervals come from `[drivers] bootstrap` resamples (1,000 by default, fixed seed);
- a dimension is placed in a quadrant only when its importance interval clears the split
  (the mean importance, 100/p %); otherwise its quadrant is `undetermined`;
- beside relative importance, the incidence-weighted impact (J.D. Power): importance ×
  incidence (the weighted share of the scope's respondents who rated the dimension, i.e.
  used the touchpoint), rescaled to sum to 100 over the dimensions analysed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from etl.core.config import SERVICE_DIMENSIONS, Settings
from etl.core.results import ResultRow
from etl.survey.drivers import (
    DriverInputError,
    PairwiseDriverResult,
    importance_performance,
    pairwise_relative_weights,
)

UNDETERMINED = "undetermined"
INSUFFICIENT_PAIRS = "insufficient_pairs"
DEFAULT_DRIVER_BOOTSTRAP = 1000
# The columns a scope's driver analysis reads (its rows are handed over with these only).
DRIVER_COLUMNS = (*SERVICE_DIMENSIONS, "overall")


def decided_quadrants(
    quadrants: dict[str, str], lower: pd.Series, upper: pd.Series
) -> dict[str, str]:
    """A quadrant only where the importance interval clears the split (mean importance)."""
    split = 100.0 / len(quadrants)
    return {
        d: q if (lower[d] > split or upper[d] < split) else UNDETERMINED
        for d, q in quadrants.items()
    }


def incidence_impact(
    frame: pd.DataFrame, weights: np.ndarray, importance: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """(incidence, impact): weighted share who rated each dimension; importance × incidence
    rescaled to sum to 100."""
    total = float(weights.sum())
    incidence = pd.Series(
        {d: float(weights[frame[d].notna().to_numpy()].sum()) / total for d in importance.index}
    )
    product = importance * incidence
    return incidence, 100.0 * product / float(product.sum())


def pair_summary(frame: pd.DataFrame, predictors: list[str]) -> tuple[int, int]:
    """(smallest pair n among the predictors and overall, respondents who rated all)."""
    columns = [*predictors, "overall"]
    present = frame[columns].notna().to_numpy().astype(int)
    counts = present.T @ present
    return int(counts.min()), int(present.all(axis=1).sum())


def driver_rows(
    quarter: str, scope: str, frame: pd.DataFrame, weights: np.ndarray, settings: Settings
) -> list[ResultRow]:
    """Key drivers of overall satisfaction and the importance–performance quadrants."""
    minimum = settings.suppression["suppress_below"]
    n_boot = int(settings.raw.get("drivers", {}).get("bootstrap", DEFAULT_DRIVER_BOOTSTRAP))
    predictors, excluded = drivable_dimensions(frame, minimum)
    if len(predictors) < 2:
        note = (
            "fewer than two dimensions rated together with overall satisfaction "
            f"by ≥ {minimum} respondents"
        )
        return [drivers_suppressed(quarter, scope, len(frame), note)]
    try:
        result = pairwise_relative_weights(
            frame, predictors, "overall", weights, n_boot=n_boot, min_pair_count=minimum
        )
    except DriverInputError as exc:
        return [drivers_suppressed(quarter, scope, len(frame), str(exc))]
    performance = {
        d: float(np.average(frame[d].dropna(), weights=weights[frame[d].notna().to_numpy()]))
        for d in predictors
    }
    quadrants = decided_quadrants(
        importance_performance(result.normalized_weights.to_dict(), performance),
        result.lower,
        result.upper,
    )
    note = (
        f"Johnson relative weights, pairwise-complete correlations; bootstrap {result.n_boot} "
        f"resamples of {result.n_groups} groups, seed {result.seed}; dimensions: "
        + ", ".join(predictors)
    )
    if excluded:
        note += "; left out (a pair with it under the minimum base): " + ", ".join(excluded)
    min_pair, listwise = pair_summary(frame, predictors)
    incidence, impact = incidence_impact(frame, weights, result.normalized_weights)
    rows = [
        ResultRow(quarter, scope, "drivers.r_squared", result.r_squared, n=min_pair, note=note),
        ResultRow(quarter, scope, "drivers.min_pair_n", float(min_pair), n=min_pair),
        ResultRow(quarter, scope, "drivers.listwise_n", float(listwise), n=listwise),
        ResultRow(quarter, scope, "drivers.dimensions", float(len(predictors)),
                  n=len(predictors), note=", ".join(predictors)),
    ]  # fmt: skip
    for dimension in SERVICE_DIMENSIONS:
        rows += dimension_driver_rows(
            quarter, scope, dimension, frame, predictors, result, performance, quadrants
        )
    for dimension in predictors:
        n_rated = int(frame[dimension].notna().sum())
        rows += [
            ResultRow(quarter, scope, f"drivers.{dimension}.incidence",
                      float(incidence[dimension]), n=n_rated),
            ResultRow(quarter, scope, f"drivers.{dimension}.impact", float(impact[dimension]),
                      n=n_rated, note="importance × incidence, rescaled to 100"),
        ]  # fmt: skip
    return rows


def drivers_suppressed(quarter: str, scope: str, n: int, why: str) -> ResultRow:
    """The driver analysis of a scope could not run: the R² row says why."""
    return ResultRow(quarter, scope, "drivers.r_squared", None, n=n, flag="suppressed", note=why)


def dimension_driver_rows(
    quarter: str,
    scope: str,
    dimension: str,
    frame: pd.DataFrame,
    predictors: list[str],
    result: PairwiseDriverResult,
    performance: dict[str, float],
    quadrants: dict[str, str],
) -> list[ResultRow]:
    """A dimension's importance (with interval) and quadrant, or why it was left out."""
    if dimension not in predictors:
        smallest, partner = smallest_pair(frame, dimension, predictors)
        return [
            ResultRow(
                quarter,
                scope,
                f"drivers.{dimension}.importance",
                None,
                n=smallest,
                flag=INSUFFICIENT_PAIRS,
                note=f"smallest pair: {dimension}×{partner}, n = {smallest}",
            )
        ]
    n_pair = int(result.pair_counts.loc[dimension, "overall"])
    return [
        ResultRow(
            quarter,
            scope,
            f"drivers.{dimension}.importance",
            float(result.normalized_weights[dimension]),
            float(result.lower[dimension]),
            float(result.upper[dimension]),
            n=n_pair,
        ),
        ResultRow(
            quarter,
            scope,
            f"drivers.{dimension}.quadrant",
            performance[dimension],
            n=n_pair,
            note=quadrants[dimension],
        ),
    ]


def smallest_pair(frame: pd.DataFrame, dimension: str, others: list[str]) -> tuple[int, str]:
    """The smallest count of respondents who rated `dimension` with overall or another one."""
    rated = frame[dimension].notna()
    pairs = {other: int((rated & frame[other].notna()).sum()) for other in ["overall", *others]}
    partner = min(pairs, key=lambda other: (pairs[other], other))
    return pairs[partner], partner


def drivable_dimensions(frame: pd.DataFrame, minimum: int) -> tuple[list[str], list[str]]:
    """Dimensions whose every pair (and pair with overall) has ≥ `minimum` respondents.

    Drops the least-rated dimension until the rest qualify, so one rare touchpoint does
    not suppress the whole driver analysis; the dropped ones are named in the appendix.
    """
    present = frame[[*SERVICE_DIMENSIONS, "overall"]].notna().to_numpy().astype(int)
    counts = pd.DataFrame(
        present.T @ present,
        index=[*SERVICE_DIMENSIONS, "overall"],
        columns=[*SERVICE_DIMENSIONS, "overall"],
    )
    kept = [d for d in SERVICE_DIMENSIONS if counts.loc[d, "overall"] >= minimum]
    while kept and counts.loc[[*kept, "overall"], [*kept, "overall"]].to_numpy().min() < minimum:
        kept.remove(min(kept, key=lambda d: counts.loc[d, d]))
    return kept, [d for d in SERVICE_DIMENSIONS if d not in kept]
