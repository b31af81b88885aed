"""The company's PLS index: an ACSI core model on the items every respondent answers.

Why not the six touchpoints: a touchpoint is rated only by its users, so a path model on all
six dimensions runs on the few respondents who used every touchpoint (complete cases: about
10% of the sample), and imputing the rest is wrong in principle — a touchpoint not used is
"not applicable", not a missing opinion. ACSI and J.D. Power therefore estimate

1. the **core model** on questions every respondent answers, as ACSI does:
   expectations → perceived quality → perceived value → satisfaction (`overall` items)
   → complaint behaviour and loyalty (`loyalty` + `nps` items), with
   exp→qual, exp→val, exp→sat, qual→val, qual→sat, val→sat, sat→cmp, sat→loy, cmp→loy;
   estimated by weighted PLS (pls_weighted.py, mode A, path scheme, survey weights) on the
   0–100 item scores, with percentile intervals from `[csi] pls_bootstrap` (≥ 500) weighted
   resamples, fixed seed. The PLS index is the satisfaction latent's ACSI 0–100 index.
   Respondents who skipped a core item are left out and counted (n used, n excluded, why);
2. **touchpoint impacts** among each touchpoint's users (J.D. Power): the weighted
   correlation of the touchpoint's score with the satisfaction latent score among the
   respondents who rated the touchpoint (the standardised slope of a one-predictor weighted
   regression), times the touchpoint's incidence (the weighted share of respondents who
   used it) — the expected change in satisfaction, in its standard deviations, per standard
   deviation of the touchpoint across all customers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.core.config import SERVICE_DIMENSIONS, Settings
from etl.core.results import ResultRow
from etl.core.scopes import COMPANY
from etl.survey import pls, pls_weighted
from etl.survey.scoring import ScoredSurvey

CORE_BLOCKS = {
    "exp": ("expectations",),
    "qual": ("quality",),
    "val": ("value",),
    "sat": ("overall",),
    "cmp": ("complaint",),
    "loy": ("loyalty", "nps"),
}
CORE_PATHS = [
    ("exp", "qual"), ("exp", "val"), ("exp", "sat"), ("qual", "val"), ("qual", "sat"),
    ("val", "sat"), ("sat", "cmp"), ("sat", "loy"), ("cmp", "loy"),
]  # fmt: skip
MIN_BOOTSTRAP = 500


@dataclass(frozen=True)
class CoreModel:
    """The core model's blocks of item columns, or why it cannot be specified."""

    blocks: dict[str, list[str]]
    missing: tuple[str, ...]


def core_model(survey: ScoredSurvey) -> CoreModel:
    """Blocks from the item bank's core constructs; constructs without items are named."""
    blocks = {
        latent: [code for d in dims for code in survey.item_columns.get(d, [])]
        for latent, dims in CORE_BLOCKS.items()
    }
    missing = tuple("/".join(CORE_BLOCKS[latent]) for latent, codes in blocks.items() if not codes)
    return CoreModel(blocks, missing)


def pls_rows(
    quarter: str,
    frame: pd.DataFrame,
    weights: np.ndarray,
    survey: ScoredSurvey,
    settings: Settings,
) -> list[ResultRow]:
    """The core model's index, paths, fit and n as company rows, and the touchpoint impacts."""
    model = core_model(survey)
    if model.missing:
        why = "the item bank has no items for: " + ", ".join(model.missing)
        return [ResultRow(quarter, COMPANY, "csi.pls", None, n=len(frame), flag="suppressed",
                          note=why)]  # fmt: skip
    csi = settings.raw["csi"]
    columns = [c for block in model.blocks.values() for c in block]
    complete = np.ones(len(frame), dtype=bool)
    for column in columns:
        complete &= frame[column].notna().to_numpy()
    n_boot = max(MIN_BOOTSTRAP, int(csi.get("pls_bootstrap", MIN_BOOTSTRAP)))
    try:
        # Incomplete rows are left out by the estimator itself (one copy of the items).
        result, boot = pls_weighted.fit_and_bootstrap(
            frame, model.blocks, CORE_PATHS, weights, "sat", (0.0, 100.0), n_boot,
            int(csi.get("pls_seed", 20260101)),
        )  # fmt: skip
        index = result.index("sat", 0.0, 100.0)
    except ValueError as exc:  # specification, convergence or index errors, each named
        return [ResultRow(quarter, COMPANY, "csi.pls", None, n=int(complete.sum()),
                          flag="suppressed", note=f"ACSI core model: {exc}")]  # fmt: skip
    w = weights[complete]
    n, excluded = int(complete.sum()), int((~complete).sum())
    grouped = f" of {boot.units} random groups" if boot.units < n else ""
    note = (
        f"ACSI core model, weighted PLS (path scheme, mode A); n used {n}, excluded {excluded} "
        f"(a core item unanswered); bootstrap {n_boot} weighted resamples{grouped}, "
        f"seed {boot.seed}; "
        f"GoF {result.gof:.3f}"
    )
    scores = result.scores["sat"].reindex(frame.index)
    return [
        ResultRow(quarter, COMPANY, "csi.pls", index, boot.index_lower, boot.index_upper, n=n,
                  n_effective=float(w.sum() ** 2 / np.sum(w**2)), note=note),
        ResultRow(quarter, COMPANY, "pls.n_used", float(n), n=n),
        ResultRow(quarter, COMPANY, "pls.n_excluded", float(excluded), n=len(frame),
                  note="did not answer every core item"),
        ResultRow(quarter, COMPANY, "pls.r_squared.sat", float(result.r_squared["sat"]), n=n),
        ResultRow(quarter, COMPANY, "pls.gof", float(result.gof), n=n),
        *path_rows(quarter, result, boot.path_intervals),
        *block_rows(quarter, model, result),
        *touchpoint_rows(quarter, frame, weights, scores),
    ]  # fmt: skip


def path_rows(quarter: str, result: pls.PLSResult, intervals: pd.DataFrame) -> list[ResultRow]:
    """Each path coefficient with its bootstrap interval."""
    rows = []
    for source, target, _estimate, lower, upper in intervals.itertuples(index=False):
        value = float(result.path_coefficients.loc[source, target])
        rows.append(ResultRow(quarter, COMPANY, f"pls.path.{source}.{target}", value,
                              float(lower), float(upper), n=result.n_used))  # fmt: skip
    return rows


def block_rows(quarter: str, model: CoreModel, result: pls.PLSResult) -> list[ResultRow]:
    """Average variance extracted and composite reliability of each latent."""
    rows = []
    for latent in model.blocks:
        rows += [
            ResultRow(quarter, COMPANY, f"pls.ave.{latent}", float(result.ave[latent]),
                      n=result.n_used),
            ResultRow(quarter, COMPANY, f"pls.composite_reliability.{latent}",
                      float(result.composite_reliability[latent]), n=result.n_used),
        ]  # fmt: skip
    return rows


def user_effect(touchpoint: np.ndarray, satisfaction: np.ndarray, w: np.ndarray) -> float:
    """Weighted correlation of a touchpoint score with satisfaction among its users."""
    p = w / w.sum()
    a, b = touchpoint - p @ touchpoint, satisfaction - p @ satisfaction
    return float((p @ (a * b)) / np.sqrt((p @ a**2) * (p @ b**2)))


def touchpoint_rows(
    quarter: str, frame: pd.DataFrame, weights: np.ndarray, satisfaction: pd.Series
) -> list[ResultRow]:
    """pls.touchpoint.<d>.effect (among users), .incidence and .impact (effect × incidence)."""
    rows = []
    total = float(weights[satisfaction.notna().to_numpy()].sum())
    for dimension in SERVICE_DIMENSIONS:
        users = (frame[dimension].notna() & satisfaction.notna()).to_numpy()
        n = int(users.sum())
        if n < 30:
            rows.append(ResultRow(quarter, COMPANY, f"pls.touchpoint.{dimension}.impact", None,
                                  n=n, flag="suppressed", note=f"n = {n} users < 30"))  # fmt: skip
            continue
        effect = user_effect(frame[dimension].to_numpy()[users],
                             satisfaction.to_numpy()[users], weights[users])  # fmt: skip
        incidence = float(weights[users].sum()) / total
        rows += [
            ResultRow(quarter, COMPANY, f"pls.touchpoint.{dimension}.effect", effect, n=n,
                      note="weighted correlation with the satisfaction score among users"),
            ResultRow(quarter, COMPANY, f"pls.touchpoint.{dimension}.incidence", incidence, n=n),
            ResultRow(quarter, COMPANY, f"pls.touchpoint.{dimension}.impact",
                      effect * incidence, n=n, note="effect among users × incidence"),
        ]  # fmt: skip
    return rows


def pls_as_csi(weighted: ResultRow, rows: list[ResultRow]) -> ResultRow:
    pls_row = next(r for r in rows if (r.scope, r.metric) == (COMPANY, "csi.pls"))
    if pls_row.value is None:
        return weighted
    return ResultRow(
        weighted.quarter,
        COMPANY,
        "csi",
        pls_row.value,
        pls_row.lower_bound,
        pls_row.upper_bound,
        pls_row.n,
        pls_row.n_effective,
        None,
        "method pls: " + (pls_row.note or ""),
    )
