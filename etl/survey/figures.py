"""The quarter's survey figures for every scope: weights, dimension scores, CSI, NPS, CSAT."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from etl.core.config import SERVICE_DIMENSIONS, Item, ItemBank, Settings
from etl.core.results import RESULT_COLUMNS, ResultRow
from etl.core.scopes import COMPANY, Scope, branch_segment, is_branch_segment
from etl.survey import indices
from etl.survey.changes import change_rows
from etl.survey.driver_figures import DRIVER_COLUMNS, driver_rows
from etl.survey.highlights import highlight_rows
from etl.survey.multiplicity import multiplicity_config
from etl.survey.pls_figures import pls_as_csi, pls_rows
from etl.survey.ranks import rank_rows
from etl.survey.scope_moments import (
    Cells,
    JointSums,
    Moments,
    cell_moments,
    cells_of,
    joint_sums,
    pooled,
    pooled_influence,
)
from etl.survey.scoring import ScoredSurvey

# A CSI left out because too few of its service dimensions have data (the coverage rule).
INSUFFICIENT_COVERAGE = "insufficient_coverage"
# Pseudo-columns of the moments: every respondent (n, Σw, Σw² of the scope) and the
# indicators whose weighted means are the NPS and CSAT shares.
RESPONDENTS, PROMOTER, DETRACTOR, TOP_BOX = "respondents", "nps.promoter", "nps.detractor", "top"
# The stage's independent parts (the PLS bootstrap, each scope's key-driver bootstrap) run
# on this many threads, numpy releasing the GIL in their large operations. BLAS itself is
# held to one thread meanwhile: its products here are small and many (batched 12 × 12 and
# 21 × 600 matrices), where a second BLAS thread mostly spins, and the two cores are
# better used by two such parts at once.
SURVEY_THREADS = 2

__all__ = ["change_rows", "csi_estimate", "scope_rows", "segment_masks", "survey_results"]


@dataclass(frozen=True)
class ScopeSums:
    """What a scope's figures are computed from: its pooled moments and its cells."""

    moments: Moments
    joint: JointSums
    selected: np.ndarray  # boolean over the cells


def headline_columns(
    frame: pd.DataFrame, bank: ItemBank, settings: Settings
) -> dict[str, np.ndarray]:
    """The columns every scope's headline figures average, NPS and CSAT as 0/1 indicators.

    The scales are checked once on every respondent (each scope is a subset), as the NPS
    and CSAT estimators would on each scope.
    """
    overall_item = bank.by_code()[bank.codes("overall")[0]]
    boxes, minimum = settings.csat_top_boxes, settings.suppression["suppress_below"]
    nps_raw = frame["nps_raw"].to_numpy(dtype=float)
    overall_raw = frame["overall_raw"].to_numpy(dtype=float)
    if np.count_nonzero(~np.isnan(nps_raw)) >= minimum:
        rated = nps_raw[~np.isnan(nps_raw)]
        indices.require_integer_scale(rated, indices.NPS_MIN, indices.NPS_MAX, "NPS scores")
    if np.count_nonzero(~np.isnan(overall_raw)) >= minimum:
        indices.check_csat_scale(overall_item.scale_min, overall_item.scale_max, boxes)
        rated = overall_raw[~np.isnan(overall_raw)]
        scale = (overall_item.scale_min, overall_item.scale_max)
        indices.require_integer_scale(rated, *scale, "CSAT scores")

    def indicator(values: np.ndarray, selected: np.ndarray) -> np.ndarray:
        return np.where(np.isnan(values), np.nan, selected.astype(float))

    with np.errstate(invalid="ignore"):
        return {
            RESPONDENTS: np.zeros(len(frame)),
            **{d: frame[d].to_numpy() for d in (*SERVICE_DIMENSIONS, "overall")},
            PROMOTER: indicator(nps_raw, nps_raw >= indices.PROMOTER_MIN),
            DETRACTOR: indicator(nps_raw, nps_raw <= indices.DETRACTOR_MAX),
            TOP_BOX: indicator(overall_raw, overall_raw >= overall_item.scale_max - boxes + 1),
        }


def frame_sums(
    frame: pd.DataFrame, weights: np.ndarray, columns: dict[str, np.ndarray]
) -> ScopeSums:
    """The sums of one frame as a single scope (one cell)."""
    cells = Cells(np.zeros(len(frame), dtype=np.int64), ((), (), ()))
    moments = cell_moments(columns, weights, cells)
    dimensions = {d: columns[d] for d in SERVICE_DIMENSIONS}
    everyone = np.ones(1, dtype=bool)
    joint = joint_sums(dimensions, weights, cells, moments)
    return ScopeSums(pooled(moments, everyone), joint, everyone)


def csi_estimate(
    frame: pd.DataFrame, weights: np.ndarray, csi_weights: dict[str, float]
) -> indices.Estimate | None:
    """Weighted CSI of one frame with a linearised standard error (see csi_from_sums)."""
    columns = {RESPONDENTS: np.zeros(len(frame))} | {
        d: frame[d].to_numpy() for d in SERVICE_DIMENSIONS
    }
    return csi_from_sums(frame_sums(frame, weights, columns), csi_weights)


def csi_from_sums(sums: ScopeSums, csi_weights: dict[str, float]) -> indices.Estimate | None:
    """Weighted CSI with a linearised standard error.

    Each dimension mean is over a different sub-sample (touchpoints are rated only by
    their users), so the CSI's variance comes from each respondent's influence on all the
    dimension means they rated, which keeps the covariance between dimensions.
    """
    moments = sums.moments
    positions = [moments.column(d) for d in SERVICE_DIMENSIONS]
    means = {
        d: moments.mean(j) if moments.n[j] > 0 else None
        for d, j in zip(SERVICE_DIMENSIONS, positions, strict=True)
    }
    if all(value is None for value in means.values()):
        return None
    csi = indices.weighted_csi(means, csi_weights)
    coefficients = np.array(
        [csi.weights_used.get(d, 0.0) / moments.weight[j] if d in csi.weights_used else 0.0
         for d, j in zip(SERVICE_DIMENSIONS, positions, strict=True)]
    )  # fmt: skip
    scope_means = np.array([means[d] or 0.0 for d in SERVICE_DIMENSIONS])
    se = math.sqrt(pooled_influence(sums.joint, sums.selected, scope_means, coefficients))
    everyone = moments.column(RESPONDENTS)
    return indices.Estimate(
        value=csi.value,
        se=se,
        lower=csi.value - 1.96 * se,
        upper=csi.value + 1.96 * se,
        n=int(moments.n[everyone]),
        n_effective=moments.effective_n(everyone),
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
    n: int,
    estimator: Callable[[], indices.Estimate | None],
    thresholds: dict[str, int],
) -> ResultRow:
    """One figure over the n respondents who answered, suppressed before it is estimated.

    A cell under the suppression threshold gets no value at all (only its n and the
    reason), so nothing downstream can show it, and no interval is attempted on n = 1.
    """
    if n < thresholds["suppress_below"]:
        reason = "no respondents" if n == 0 else f"n = {n} < {thresholds['suppress_below']}"
        return ResultRow(quarter, scope, metric, None, n=n, flag="suppressed", note=reason)
    return _row(quarter, scope, metric, estimator(), thresholds)


def _mean_row(
    quarter: str, scope: str, metric: str, moments: Moments, column: str, thresholds: dict[str, int]
) -> ResultRow:
    """A weighted mean of one column over its answers (dimension, item, overall)."""
    j = moments.column(column)
    n = int(moments.n[j])

    def estimate() -> indices.Estimate:
        spread = max(moments.spread(j), 0.0)
        return indices.mean_estimate(moments.mean(j), spread, n, moments.effective_n(j))

    return _measure(quarter, scope, metric, n, estimate, thresholds)


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
    """Every survey figure of one scope (a frame of its respondents) as result rows."""
    sums = frame_sums(frame, weights, headline_columns(frame, bank, settings))
    return sum_rows(quarter, scope, sums, bank, settings)


def sum_rows(
    quarter: str, scope: str, sums: ScopeSums, bank: ItemBank, settings: Settings
) -> list[ResultRow]:
    """Every survey figure of one scope from its sums."""
    thresholds, moments = settings.suppression, sums.moments
    respondents = int(moments.n[moments.column(RESPONDENTS)])
    rows = [ResultRow(quarter, scope, "respondents", float(respondents), n=respondents)]
    if respondents == 0:
        return rows + [
            _row(quarter, scope, metric, None, thresholds)
            for metric in ("csi", "nps", "csat", "overall")
        ]
    dimension_rows = [
        _mean_row(quarter, scope, f"dimension.{d}", moments, d, thresholds)
        for d in SERVICE_DIMENSIONS
    ]
    rows += dimension_rows
    rows.append(csi_row(quarter, scope, sums, dimension_rows, bank, settings))
    promoters, detractors = moments.column(PROMOTER), moments.column(DETRACTOR)
    n_nps = int(moments.n[promoters])
    rows.append(_measure(quarter, scope, "nps", n_nps, lambda: indices.nps_from_shares(
        moments.mean(promoters), moments.mean(detractors), n_nps,
        moments.effective_n(promoters)), thresholds))  # fmt: skip
    top = moments.column(TOP_BOX)
    n_csat = int(moments.n[top])
    csat = _measure(quarter, scope, "csat", n_csat, lambda: indices.csat_from_share(
        moments.mean(top), n_csat, moments.effective_n(top)), thresholds)  # fmt: skip
    # The figure carries its definition, so every label of it (PDF, e-mail, index) follows.
    overall_item = bank.by_code()[bank.codes("overall")[0]]
    rows.append(csat if csat.note else replace(csat, note=csat_note(overall_item, settings)))
    rows.append(_mean_row(quarter, scope, "overall", moments, "overall", thresholds))
    return rows


def csi_row(
    quarter: str,
    scope: str,
    sums: ScopeSums,
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
    respondents = int(sums.moments.n[sums.moments.column(RESPONDENTS)])
    if respondents < thresholds["suppress_below"]:
        reason = f"n = {respondents} < {thresholds['suppress_below']}"
        return ResultRow(quarter, scope, "csi", None, n=respondents, flag="suppressed",
                         note=reason)  # fmt: skip
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
            quarter, scope, "csi", None, n=respondents, flag=INSUFFICIENT_COVERAGE, note=note
        )
    return _row(quarter, scope, "csi", csi_from_sums(sums, settings.csi_weights), thresholds)


def csi_min_dimensions(settings: Settings) -> int:
    """`[contract] csi_min_dimensions`: the service dimensions with data a CSI needs (3)."""
    return int(settings.raw.get("contract", {}).get("csi_min_dimensions", 3))


def segment_cells(cells: Cells, scopes: Sequence[Scope]) -> dict[str, np.ndarray]:
    """The cells of every scope with survey figures: company, branches, channels, products,
    and each branch's own channels and product lines (`<branch>.channel.<code>`)."""
    _branches, channel_levels, product_levels = cells.levels
    occupied = np.bincount(cells.of_row, minlength=cells.count) > 0
    selected: dict[str, np.ndarray] = {}
    for scope in scopes:
        selected[scope.code] = (
            np.ones(cells.count, bool)
            if scope.code == COMPANY
            else cells.select(branch_code=scope.code)
        )
    branches = [scope.code for scope in scopes if scope.code != COMPANY]
    segments = (("channel_code", "channel", channel_levels),
                ("product_line_code", "product", product_levels))  # fmt: skip
    for column, prefix, levels in segments:
        for code in levels:
            selected[f"{prefix}.{code}"] = cells.select(**{column: code})
    for column, prefix, levels in segments:
        for branch in branches:
            for code in levels:
                cell_set = cells.select(branch_code=branch, **{column: code})
                if (cell_set & occupied).any():
                    selected[branch_segment(branch, f"{prefix}.{code}")] = cell_set
    return selected


def segment_masks(frame: pd.DataFrame, scopes: Sequence[Scope]) -> dict[str, np.ndarray]:
    """Row masks of every scope with survey figures (segment_cells, row by row)."""
    cells = cells_of(frame)
    return {code: chosen[cells.of_row] for code, chosen in segment_cells(cells, scopes).items()}


def item_rows(
    quarter: str, scope: str, moments: Moments, survey: ScoredSurvey, thresholds: dict[str, int]
) -> list[ResultRow]:
    """Item-level 0–100 means (item.<code>) for the dimensions' detail tables."""
    return [
        _mean_row(quarter, scope, f"item.{code}", moments, f"item.{code}", thresholds)
        for dimension in SERVICE_DIMENSIONS
        for code in survey.item_columns.get(dimension, [])
    ]


def scope_figures(
    quarter: str,
    survey: ScoredSurvey,
    weights: np.ndarray,
    scopes: Sequence[Scope],
    bank: ItemBank,
    settings: Settings,
    pool: Executor | None = None,
) -> list[ResultRow]:
    """Headline, item and key-driver rows of every scope and segment (the key drivers on
    `pool` when given).

    Every column is summed once per cell (scope_moments); a scope adds its cells' sums.
    Only the key drivers (bootstrap over respondents) read a scope's rows themselves.
    """
    frame, thresholds = survey.respondents, settings.suppression
    cells = cells_of(frame)
    items = [code for d in SERVICE_DIMENSIONS for code in survey.item_columns.get(d, [])]
    columns = headline_columns(frame, bank, settings)
    columns |= {f"item.{code}": frame[code].to_numpy() for code in items}
    moments = cell_moments(columns, weights, cells)
    joint = joint_sums({d: columns[d] for d in SERVICE_DIMENSIONS}, weights, cells, moments)
    drivers = frame[list(DRIVER_COLUMNS)]
    parts: list[list[ResultRow] | Future[list[ResultRow]]] = []
    for code, selected in segment_cells(cells, scopes).items():
        sums = ScopeSums(pooled(moments, selected), joint, selected)
        parts.append(sum_rows(quarter, code, sums, bank, settings))
        if sums.moments.n[sums.moments.column(RESPONDENTS)] == 0 or is_branch_segment(code):
            continue  # a branch's own segments get headline figures only
        parts.append(item_rows(quarter, code, sums.moments, survey, thresholds))
        if not code.startswith(("channel.", "product.")):
            in_scope = selected[cells.of_row]
            scoped = drivers if in_scope.all() else drivers[in_scope]
            job = (quarter, code, scoped, weights[in_scope], settings)
            parts.append(pool.submit(driver_rows, *job) if pool else driver_rows(*job))
    return [row for part in parts for row in (part if isinstance(part, list) else part.result())]


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
    frame, w = survey.respondents, weights.to_numpy()
    with (
        threadpool_limits(limits=1, user_api="blas"),
        ThreadPoolExecutor(SURVEY_THREADS, thread_name_prefix="survey") as pool,
    ):
        company_pls = pool.submit(pls_rows, quarter, frame, w, survey, settings)
        rows = scope_figures(quarter, survey, w, scopes, bank, settings, pool)
        rows += company_pls.result()
    empty_history = pd.DataFrame(columns=list(RESULT_COLUMNS))
    use_pls = settings.csi_method == "pls"
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
