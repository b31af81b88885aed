"""Scoring survey answers on the item bank: 0–100 item scores and respondent dimension scores."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.core.config import SERVICE_DIMENSIONS, ItemBank

RESPONDENT_COLUMNS = ("response_id", "branch_code", "channel_code", "product_line_code")


class SurveyDataError(ValueError):
    """Survey answers that break the item bank's rules; the message names rows and items."""


@dataclass(frozen=True)
class ScoredSurvey:
    """One row per respondent: segment columns, 0–100 item and dimension scores, raw NPS."""

    respondents: pd.DataFrame
    item_columns: dict[str, list[str]]  # dimension → item codes present in the data

    @property
    def n(self) -> int:
        return len(self.respondents)


def validate_answers(answers: pd.DataFrame, bank: ItemBank) -> None:
    """Refuse unknown items and out-of-range scores, naming the response and item."""
    items = bank.by_code()
    codes = answers["item_code"].astype("category")
    unknown = sorted(set(codes.cat.categories) - set(items))
    if unknown:
        first = answers[answers["item_code"].isin(unknown)].iloc[0]
        raise SurveyDataError(
            f"survey_answers: item(s) {unknown} are not in item bank {bank.version} "
            f"(first at response_id {first['response_id']})"
        )
    # Bounds looked up per category, then broadcast by code: no per-row Python work.
    low = np.array([items[c].scale_min for c in codes.cat.categories], dtype=float)
    high = np.array([items[c].scale_max for c in codes.cat.categories], dtype=float)
    position = codes.cat.codes.to_numpy()
    values = answers["score"].to_numpy(dtype=float)
    bad = np.flatnonzero(~((values >= low[position]) & (values <= high[position])))
    if bad.size:
        row = answers.iloc[bad[0]]
        item = items[row["item_code"]]
        raise SurveyDataError(
            f"survey_answers: {bad.size} score(s) outside their item's scale; first: response_id "
            f"{row['response_id']}, item {row['item_code']} = {row['score']} "
            f"(allowed {item.scale_min}–{item.scale_max})"
        )


def rescale(scores: pd.Series, scale_min: int, scale_max: int, reverse: bool = False) -> pd.Series:
    """Item score on 0–100: 100 (x − min) / (max − min), reverse items flipped."""
    scaled = 100.0 * (scores.astype(float) - scale_min) / (scale_max - scale_min)
    return 100.0 - scaled if reverse else scaled


def score(
    answers: pd.DataFrame, bank: ItemBank, respondents: pd.DataFrame | None = None
) -> ScoredSurvey:
    """Long answers (response × item) → one scored row per respondent.

    `respondents` holds each response's segments; when absent they are taken from the
    answers' own columns. Touchpoints a respondent did not use stay missing (NaN) and are
    left out of that respondent's dimension score, never counted as low.
    """
    validate_answers(answers, bank)
    if respondents is None:
        respondents = answers[list(RESPONDENT_COLUMNS)].drop_duplicates("response_id")
    respondents = respondents.reset_index(drop=True)
    items = bank.by_code()
    codes = [code for code in items if code in set(answers["item_code"].unique())]
    # Scatter the long answers into a respondents × items matrix (a pandas pivot of
    # millions of rows costs several times the memory).
    row = pd.Index(respondents["response_id"]).get_indexer(answers["response_id"])
    if (row < 0).any():
        orphan = answers["response_id"].to_numpy()[np.flatnonzero(row < 0)[0]]
        raise SurveyDataError(f"survey_answers: response_id {orphan} has no survey_responses row")
    column = pd.Index(codes).get_indexer(answers["item_code"])
    wide = np.full((len(respondents), len(codes)), np.nan, dtype=np.float32)
    wide[row, column] = answers["score"].to_numpy(dtype=np.float32)
    scored: dict[str, np.ndarray] = {}
    item_columns: dict[str, list[str]] = {}
    for position, code in enumerate(codes):
        item = items[code]
        scaled = 100.0 * (wide[:, position] - item.scale_min) / (item.scale_max - item.scale_min)
        scored[code] = 100.0 - scaled if item.is_reverse else scaled
        item_columns.setdefault(item.dimension, []).append(code)
    for dimension in (*SERVICE_DIMENSIONS, "overall", "loyalty"):
        members = item_columns.get(dimension, [])
        if members:
            with warnings.catch_warnings():  # all-NaN rows: dimension not rated, stays NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                # Equal item weights; mean over the items this respondent answered.
                scored[dimension] = np.nanmean(
                    np.column_stack([scored[c] for c in members]), axis=1
                )
        else:
            scored[dimension] = np.full(len(respondents), np.nan, dtype=np.float32)
    first_of = {d: item_columns.get(d, [None])[0] for d in ("nps", "overall")}
    for dimension, name in (("nps", "nps_raw"), ("overall", "overall_raw")):
        code = first_of[dimension]
        scored[name] = (
            wide[:, codes.index(code)].astype(float) if code else np.full(len(respondents), np.nan)
        )
    frame = pd.concat([respondents, pd.DataFrame(scored)], axis=1)
    return ScoredSurvey(respondents=frame, item_columns=item_columns)
