"""Key drivers of overall satisfaction per scope: relative weights and quadrants as rows."""

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


def driver_rows(
    quarter: str, scope: str, frame: pd.DataFrame, weights: np.ndarray, settings: Settings
) -> list[ResultRow]:
    """Key drivers of overall satisfaction and the importance–performance quadrants."""
    minimum = settings.suppression["suppress_below"]
    predictors, excluded = drivable_dimensions(frame, minimum)
    if len(predictors) < 2:
        note = (
            "fewer than two dimensions rated together with overall satisfaction "
            f"by ≥ {minimum} respondents"
        )
        return [drivers_suppressed(quarter, scope, len(frame), note)]
    try:
        result = pairwise_relative_weights(
            frame, predictors, "overall", weights, min_pair_count=minimum
        )
    except DriverInputError as exc:
        return [drivers_suppressed(quarter, scope, len(frame), str(exc))]
    performance = {
        d: float(np.average(frame[d].dropna(), weights=weights[frame[d].notna().to_numpy()]))
        for d in predictors
    }
    quadrants = importance_performance(result.normalized_weights.to_dict(), performance)
    note = (
        f"Johnson relative weights, pairwise-complete correlations; bootstrap {result.n_boot} "
        f"resamples of {result.n_groups} groups, seed {result.seed}"
    )
    if excluded:
        note += "; left out (too few respondents rated them with the others): " + ", ".join(
            excluded
        )
    rows = [
        ResultRow(quarter, scope, "drivers.r_squared", result.r_squared, n=len(frame), note=note)
    ]
    for dimension in SERVICE_DIMENSIONS:
        rows += dimension_driver_rows(
            quarter, scope, dimension, frame, predictors, result, performance, quadrants
        )
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
        return [
            ResultRow(
                quarter,
                scope,
                f"drivers.{dimension}.importance",
                None,
                n=int(frame[dimension].notna().sum()),
                flag="suppressed",
                note="too few respondents rated this dimension with the others",
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
