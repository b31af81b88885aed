"""The quarter's survey figures for every scope: weights, dimension scores, CSI, NPS, CSAT."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from etl.core.config import SERVICE_DIMENSIONS, Item, ItemBank, Settings
from etl.core.results import RESULT_COLUMNS, ResultRow
from etl.core.scopes import COMPANY, Scope, branch_segment, is_branch_segment
from etl.survey import indices
from etl.survey.changes import change_rows
from etl.survey.driver_figures import driver_rows
from etl.survey.highlights import highlight_rows
from etl.survey.multiplicity import multiplicity_config
from etl.survey.pls_figures import pls_as_csi, pls_rows
from etl.survey.ranks import rank_rows
from etl.survey.scoring import ScoredSurvey

# A CSI left out because too few of its service dimensions have data (the coverage rule).
INSUFFICIENT_COVERAGE = "insufficient_coverage"


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
    return indices.estimate_row(quarter, scope, metric, estimate, flag, note)


def _measure(
    quarter: str,
    scope: str,
    metric: str,
    values: np.ndarray,
    weights: np.ndarray,
    estimator: Callable[[np.ndarray, np.ndarray], indices.Estimate | None],
    thresholds: dict[str, int],
) -> ResultRow:
    """One figure over the respondents who answered, suppressed before it is estimated.

    A cell under the suppression threshold gets no value at all (only its n and the
    reason), so nothing downstream can show it, and no interval is attempted on n = 1.
    """
    answered = ~np.isnan(values)
    n = int(answered.sum())
    if n < thresholds["suppress_below"]:
        reason = "no respondents" if n == 0 else f"n = {n} < {thresholds['suppress_below']}"
        return ResultRow(quarter, scope, metric, None, n=n, flag="suppressed", note=reason)
    return _row(quarter, scope, metric, estimator(values[answered], weights[answered]), thresholds)


def csat_note(item: Item, settings: Settings) -> str:
    """`top 2 boxes: 9–10 of 10`, what the CSAT row counts as satisfied."""
    boxes = settings.csat_top_boxes
    return f"top {boxes} boxes: {item.scale_max - boxes + 1}–{item.scale_max} of {item.scale_max}"


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

    def measure(
        metric: str,
        column: str,
        estimator: Callable[[np.ndarray, np.ndarray], indices.Estimate | None],
    ) -> ResultRow:
        values = frame[column].to_numpy(dtype=float)
        return _measure(quarter, scope, metric, values, weights, estimator, thresholds)

    dimension_rows = [
        measure(f"dimension.{dimension}", dimension, indices.weighted_mean)
        for dimension in SERVICE_DIMENSIONS
    ]
    rows += dimension_rows
    rows.append(csi_row(quarter, scope, frame, weights, dimension_rows, bank, settings))
    overall_item = bank.by_code()[bank.codes("overall")[0]]
    rows.append(measure("nps", "nps_raw", indices.nps))
    csat = measure(
        "csat",
        "overall_raw",
        lambda v, w: indices.csat(
            v, overall_item.scale_min, overall_item.scale_max, w, settings.csat_top_boxes
        ),
    )
    # The figure carries its definition, so every label of it (PDF, e-mail, index) follows.
    rows.append(csat if csat.note else replace(csat, note=csat_note(overall_item, settings)))
    rows.append(measure("overall", "overall", indices.weighted_mean))
    return rows


def csi_row(
    quarter: str,
    scope: str,
    frame: pd.DataFrame,
    weights: np.ndarray,
    dimension_rows: Sequence[ResultRow],
    bank: ItemBank,
    settings: Settings,
) -> ResultRow:
    """The scope's CSI, or why there is none: too few respondents, or too few dimensions.

    The data contract's coverage rule, applied per scope: a CSI needs `[contract]
    csi_min_dimensions` of the item bank's service dimensions with a shown score (n at or
    above the suppression minimum). A branch whose respondents rated one claims item gets no
    "CSI" of that one item: the row says which dimensions it had (flag
    `insufficient_coverage`), and the report prints the reason instead of a number.
    """
    thresholds = settings.suppression
    if len(frame) < thresholds["suppress_below"]:
        reason = f"n = {len(frame)} < {thresholds['suppress_below']}"
        return ResultRow(quarter, scope, "csi", None, n=len(frame), flag="suppressed", note=reason)
    needed = csi_min_dimensions(settings)
    in_bank = [d for d in SERVICE_DIMENSIONS if bank.codes(d)]
    covered = [
        row.metric.removeprefix("dimension.")
        for row in dimension_rows
        if row.value is not None and row.flag != "suppressed"
    ]
    covered = [d for d in in_bank if d in covered]
    if len(covered) < needed:
        note = (
            f"{len(covered)} of {len(in_bank)} service dimensions have ≥ "
            f"{thresholds['suppress_below']} answers ({', '.join(covered) or 'none'}); "
            f"the CSI needs {needed}"
        )
        return ResultRow(
            quarter, scope, "csi", None, n=len(frame), flag=INSUFFICIENT_COVERAGE, note=note
        )
    return _row(
        quarter, scope, "csi", csi_estimate(frame, weights, settings.csi_weights), thresholds
    )


def csi_min_dimensions(settings: Settings) -> int:
    """`[contract] csi_min_dimensions`: the service dimensions with data a CSI needs (3)."""
    return int(settings.raw.get("contract", {}).get("csi_min_dimensions", 3))


def segment_masks(frame: pd.DataFrame, scopes: Sequence[Scope]) -> dict[str, np.ndarray]:
    """Row masks of every scope with survey figures: company, branches, channels, products,
    and each branch's own channels and product lines (`<branch>.channel.<code>`)."""
    masks: dict[str, np.ndarray] = {}
    for scope in scopes:
        masks[scope.code] = (
            np.ones(len(frame), bool)
            if scope.code == COMPANY
            else (frame["branch_code"] == scope.code).to_numpy()
        )
    branches = [scope.code for scope in scopes if scope.code != COMPANY]
    for column, prefix in (("channel_code", "channel"), ("product_line_code", "product")):
        for code in sorted(frame[column].dropna().unique()):
            masks[f"{prefix}.{code}"] = (frame[column] == code).to_numpy()
    for column, prefix in (("channel_code", "channel"), ("product_line_code", "product")):
        for branch in branches:
            in_branch = frame["branch_code"] == branch
            for code in sorted(frame.loc[in_branch, column].dropna().unique()):
                mask = (in_branch & (frame[column] == code)).to_numpy()
                masks[branch_segment(branch, f"{prefix}.{code}")] = mask
    return masks


def item_rows(
    quarter: str,
    scope: str,
    frame: pd.DataFrame,
    weights: np.ndarray,
    survey: ScoredSurvey,
    thresholds: dict[str, int],
) -> list[ResultRow]:
    """Item-level 0–100 means (item.<code>) for the dimensions' detail tables."""
    rows = []
    for dimension in SERVICE_DIMENSIONS:
        for code in survey.item_columns.get(dimension, []):
            values = frame[code].to_numpy(dtype=float)
            rows.append(
                _measure(
                    quarter,
                    scope,
                    f"item.{code}",
                    values,
                    weights,
                    indices.weighted_mean,
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
    history: pd.DataFrame | None = None,
) -> list[ResultRow]:
    """Survey result rows for every scope and segment, with changes and key drivers.

    Branches and segments are subsets of the company's raked sample. `history` holds the
    stored results of the previous quarter and of a year ago, for the significance tests.
    """
    frame = survey.respondents
    thresholds = settings.suppression
    rows: list[ResultRow] = []
    for code, mask in segment_masks(frame, scopes).items():
        scoped, scoped_weights = frame[mask], weights.to_numpy()[mask]
        rows += scope_rows(quarter, code, scoped, scoped_weights, bank, settings)
        if scoped.empty or is_branch_segment(code):
            continue  # a branch's own segments get headline figures only
        rows += item_rows(quarter, code, scoped, scoped_weights, survey, thresholds)
        if not code.startswith(("channel.", "product.")):
            rows += driver_rows(quarter, code, scoped, scoped_weights, settings)
    empty_history = pd.DataFrame(columns=list(RESULT_COLUMNS))
    use_pls = settings.csi_method == "pls"
    rows += pls_rows(quarter, frame, weights.to_numpy(), survey, settings)
    if use_pls:
        # The PLS index is the company CSI; branches keep the weighted CSI (too few
        # complete respondents per branch for a stable path model), as the appendix says.
        rows = [
            pls_as_csi(row, rows) if (row.scope, row.metric) == (COMPANY, "csi") else row
            for row in rows
        ]
    rows += highlight_rows(quarter, rows)
    rows += rank_rows(quarter, rows, settings.raw)
    rows += change_rows(
        quarter,
        rows,
        empty_history if history is None else history,
        multiplicity_config(settings.raw),
    )
    return rows
