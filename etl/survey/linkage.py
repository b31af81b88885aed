"""Survey × operations linkage: satisfaction by claim cycle-time band and by complaint history.

The warehouse finds each respondent's band (sql/queries/linkage_*.sql, one row per
response_id); pandas averages the respondents' overall satisfaction (0–100) with their survey
weights, as J.D. Power reports it.

- Claim cycle band: the respondent's most recent claim on the surveyed policy closed (paid or
  denied; withdrawn claims left out) on or before the response date and at most
  LOOKBACK_DAYS days before it; days from report to closure ≤ 10, 11–30 or > 30.
  Respondents without such a claim are in no band.
- Complained: a complaint received on the surveyed policy on or before the response date and
  at most LOOKBACK_DAYS days before it (yes), or none (no). Responses without a policy are
  in neither group.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from etl.core.config import Settings
from etl.core.periods import Quarter
from etl.core.results import ResultRow
from etl.core.scopes import COMPANY, Scope
from etl.survey import indices

LOOKBACK_DAYS = 365
CYCLE_BANDS = ("le10", "d11_30", "gt30")
COMPLAINED = ("yes", "no")
CYCLE_NOTE = (
    f"most recent claim on the policy closed within {LOOKBACK_DAYS} days before responding; "
    "days from report to closure"
)
COMPLAINT_NOTE = f"complaint on the policy received within {LOOKBACK_DAYS} days before responding"


def scope_mask(respondents: pd.DataFrame, scope: str) -> np.ndarray:
    """Respondents in a scope: all, a branch, `channel.<code>` or `product.<code>`."""
    if scope == COMPANY:
        return np.ones(len(respondents), bool)
    if scope.startswith("channel."):
        return (respondents["channel_code"] == scope.removeprefix("channel.")).to_numpy()
    if scope.startswith("product."):
        return (respondents["product_line_code"] == scope.removeprefix("product.")).to_numpy()
    return (respondents["branch_code"] == scope).to_numpy()


def group_row(
    quarter: str,
    scope: str,
    metric: str,
    overall: np.ndarray,
    weights: np.ndarray,
    thresholds: dict[str, int],
    note: str,
) -> ResultRow:
    """Weighted mean overall satisfaction of one group, flagged per the suppression rules."""
    answered = ~np.isnan(overall)
    values, w = overall[answered], weights[answered]
    n = int(answered.sum())
    flag = indices.suppression_flag(n, thresholds["suppress_below"], thresholds["low_base_below"])
    if flag == "suppressed":
        # A suppressed cell stores its n and the reason, never a value: with n = 1 the
        # "mean" is one customer's score.
        reason = "no respondents" if n == 0 else f"n = {n} < {thresholds['suppress_below']}"
        return ResultRow(quarter, scope, metric, None, n=n, flag=flag, note=f"{note}; {reason}")
    n_effective = float(w.sum() ** 2 / np.sum(w**2))
    if n_effective <= 1.0 + 1e-12:
        # One effective respondent: no interval can be given; not estimated.
        return ResultRow(quarter, scope, metric, None, n=n, n_effective=n_effective,
                         flag="suppressed", note=f"{note}; effective n ≤ 1")  # fmt: skip
    estimate = indices.weighted_mean(values, w)
    return indices.estimate_row(quarter, scope, metric, estimate, flag, note)


def linkage_params(quarter: Quarter, lookback_days: int = LOOKBACK_DAYS) -> dict[str, object]:
    """Bound parameters of the two linkage queries (claim cycle band, complained)."""
    return {"wave_id": str(quarter), "lookback_days": lookback_days}


def linked_frame(
    bands: pd.DataFrame,
    complained: pd.DataFrame,
    respondents: pd.DataFrame,
    weights: pd.Series,
) -> pd.DataFrame:
    """Respondents with weight, overall score, cycle band and complained flag (None = neither)."""
    bands = bands[["response_id", "cycle_band"]].copy()
    complained = complained[["response_id", "complained"]].copy()
    frame = respondents[
        ["response_id", "branch_code", "channel_code", "product_line_code", "overall"]
    ].copy()
    frame["weight"] = np.asarray(weights, dtype=float)
    # The database returns its own integer type for ids; match on plain int64.
    frame["response_id"] = frame["response_id"].astype("int64")
    for extra in (bands, complained):
        extra["response_id"] = extra["response_id"].astype("int64")
    frame = frame.merge(bands, on="response_id", how="left")
    return frame.merge(complained, on="response_id", how="left")


def linkage_results(
    linked: pd.DataFrame,
    quarter: Quarter,
    scopes: Sequence[Scope | str],
    settings: Settings,
) -> list[ResultRow]:
    """linkage.cycle_band.<band> and linkage.complained.<yes|no> rows for every scope.

    `linked` is `linked_frame`'s output: each respondent with weight, score and links.
    """
    thresholds = settings.suppression
    frame = linked
    overall = frame["overall"].to_numpy(dtype=float)
    weight = frame["weight"].to_numpy()
    rows: list[ResultRow] = []
    for scope in scopes:
        code = scope.code if isinstance(scope, Scope) else scope
        in_scope = scope_mask(frame, code)
        for band in CYCLE_BANDS:
            mask = in_scope & (frame["cycle_band"] == band).to_numpy()
            rows.append(
                group_row(
                    str(quarter),
                    code,
                    f"linkage.cycle_band.{band}",
                    overall[mask],
                    weight[mask],
                    thresholds,
                    CYCLE_NOTE,
                )
            )
        for answer in COMPLAINED:
            mask = in_scope & (frame["complained"] == answer).to_numpy()
            rows.append(
                group_row(
                    str(quarter),
                    code,
                    f"linkage.complained.{answer}",
                    overall[mask],
                    weight[mask],
                    thresholds,
                    COMPLAINT_NOTE,
                )
            )
    return rows
