"""The quarter's survey figures for every scope: weights, dimension scores, CSI, NPS, CSAT."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl import indices
from etl.config import SERVICE_DIMENSIONS, ItemBank, Settings
from etl.scopes import COMPANY, Scope
from etl.survey import ScoredSurvey
from etl.warehouse import ResultRow
from etl.weighting import RakingResult, rake


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


def weight_respondents(
    survey: ScoredSurvey, cells: pd.DataFrame, settings: Settings
) -> tuple[pd.Series, WeightingReport]:
    """Rake respondents to the quarter's policy book and report how it went."""
    frame = survey.respondents
    margins = list(settings.weighting["margins"])
    targets, dropped = population_margins(cells, frame, margins)
    result: RakingResult = rake(frame[margins], targets, trim=tuple(settings.weighting["trim"]))
    report = WeightingReport(
        margins=tuple(margins),
        converged=result.converged,
        iterations=result.iterations,
        max_margin_error=result.max_margin_error,
        n_trimmed=result.n_trimmed,
        kish_effective_n=result.kish_effective_n,
        design_effect=result.design_effect,
        categories_without_respondents=tuple(dropped),
    )
    return pd.Series(result.weights.to_numpy(), index=frame.index), report


def csi_estimate(
    frame: pd.DataFrame, weights: np.ndarray, csi_weights: dict[str, float]
) -> indices.Estimate | None:
    """Weighted CSI with a linearised standard error.

    Each dimension mean is over a different sub-sample (touchpoints are rated only by
    their users), so the CSI's variance comes from each respondent's influence on all the
    dimension means they rated, which keeps the covariance between dimensions.
    """
    means: dict[str, float | None] = {}
    for dimension in SERVICE_DIMENSIONS:
        answered = frame[dimension].notna().to_numpy()
        means[dimension] = (
            float(np.average(frame[dimension].to_numpy()[answered], weights=weights[answered]))
            if answered.any()
            else None
        )
    if all(value is None for value in means.values()):
        return None
    csi = indices.weighted_csi(means, csi_weights)
    influence = np.zeros(len(frame))
    for dimension, share in csi.weights_used.items():
        values = frame[dimension].to_numpy()
        answered = ~np.isnan(values)
        total = weights[answered].sum()
        influence[answered] += (
            share * weights[answered] * (values[answered] - means[dimension]) / total
        )
    se = float(math.sqrt(np.sum(influence**2)))
    n_eff = float(weights.sum() ** 2 / np.sum(weights**2))
    return indices.Estimate(
        value=csi.value,
        se=se,
        lower=csi.value - 1.96 * se,
        upper=csi.value + 1.96 * se,
        n=len(frame),
        n_effective=n_eff,
    )


def _row(
    quarter: str,
    scope: str,
    metric: str,
    estimate: indices.Estimate | None,
    thresholds: dict[str, int],
    note: str | None = None,
) -> ResultRow:
    if estimate is None or estimate.n == 0:
        return ResultRow(
            quarter, scope, metric, None, n=0, flag="suppressed", note=note or "no respondents"
        )
    flag = indices.suppression_flag(
        estimate.n, thresholds["suppress_below"], thresholds["low_base_below"]
    )
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


def scope_rows(
    quarter: str,
    scope: str,
    frame: pd.DataFrame,
    weights: np.ndarray,
    bank: ItemBank,
    settings: Settings,
) -> list[ResultRow]:
    """Every survey figure of one scope as result rows."""
    thresholds = settings.suppression
    rows = [ResultRow(quarter, scope, "respondents", float(len(frame)), n=len(frame))]
    if frame.empty:
        return rows + [
            _row(quarter, scope, metric, None, thresholds)
            for metric in ("csi", "nps", "csat", "overall")
        ]
    for dimension in SERVICE_DIMENSIONS:
        answered = frame[dimension].notna().to_numpy()
        estimate = (
            indices.weighted_mean(frame[dimension].to_numpy()[answered], weights[answered])
            if answered.any()
            else None
        )
        rows.append(_row(quarter, scope, f"dimension.{dimension}", estimate, thresholds))
    rows.append(
        _row(quarter, scope, "csi", csi_estimate(frame, weights, settings.csi_weights), thresholds)
    )
    nps_answered = frame["nps_raw"].notna().to_numpy()
    rows.append(
        _row(
            quarter,
            scope,
            "nps",
            indices.nps(frame["nps_raw"].to_numpy()[nps_answered], weights[nps_answered]),
            thresholds,
        )
    )
    overall_item = bank.by_code()[bank.codes("overall")[0]]
    sat_answered = frame["overall_raw"].notna().to_numpy()
    rows.append(
        _row(
            quarter,
            scope,
            "csat",
            indices.csat(
                frame["overall_raw"].to_numpy()[sat_answered],
                overall_item.scale_min,
                overall_item.scale_max,
                weights[sat_answered],
            ),
            thresholds,
        )
    )
    overall_answered = frame["overall"].notna().to_numpy()
    rows.append(
        _row(
            quarter,
            scope,
            "overall",
            indices.weighted_mean(
                frame["overall"].to_numpy()[overall_answered], weights[overall_answered]
            ),
            thresholds,
        )
    )
    return rows


def survey_results(
    quarter: str,
    survey: ScoredSurvey,
    weights: pd.Series,
    scopes: Sequence[Scope],
    bank: ItemBank,
    settings: Settings,
) -> list[ResultRow]:
    """Survey result rows for every scope; branches are subsets of the company's weighted sample."""
    frame = survey.respondents
    rows: list[ResultRow] = []
    for scope in scopes:
        mask = (
            np.ones(len(frame), bool)
            if scope.code == COMPANY
            else (frame["branch_code"] == scope.code).to_numpy()
        )
        rows += scope_rows(
            quarter, scope.code, frame[mask], weights.to_numpy()[mask], bank, settings
        )
    return rows
