"""Scoring survey answers on the item bank: 0–100 item scores and respondent dimension scores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.config import SERVICE_DIMENSIONS, ItemBank

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
    unknown = sorted(set(answers["item_code"]) - set(items))
    if unknown:
        first = answers[answers["item_code"].isin(unknown)].iloc[0]
        raise SurveyDataError(
            f"survey_answers: item(s) {unknown} are not in item bank {bank.version} "
            f"(first at response_id {first['response_id']})"
        )
    bounds = answers["item_code"].map(
        {code: (i.scale_min, i.scale_max) for code, i in items.items()}
    )
    low = bounds.map(lambda pair: pair[0])
    high = bounds.map(lambda pair: pair[1])
    bad = answers[(answers["score"] < low) | (answers["score"] > high) | answers["score"].isna()]
    if not bad.empty:
        row = bad.iloc[0]
        item = items[row["item_code"]]
        raise SurveyDataError(
            f"survey_answers: {len(bad)} score(s) outside their item's scale; first: response_id "
            f"{row['response_id']}, item {row['item_code']} = {row['score']} "
            f"(allowed {item.scale_min}–{item.scale_max})"
        )


def rescale(scores: pd.Series, scale_min: int, scale_max: int, reverse: bool = False) -> pd.Series:
    """Item score on 0–100: 100 (x − min) / (max − min), reverse items flipped."""
    scaled = 100.0 * (scores.astype(float) - scale_min) / (scale_max - scale_min)
    return 100.0 - scaled if reverse else scaled


def score(answers: pd.DataFrame, bank: ItemBank) -> ScoredSurvey:
    """Long answers (response × item) → one scored row per respondent.

    Touchpoints a respondent did not use stay missing (NaN) and are left out of that
    respondent's dimension score, never counted as low.
    """
    validate_answers(answers, bank)
    respondents = (
        answers[list(RESPONDENT_COLUMNS)].drop_duplicates("response_id").set_index("response_id")
    )
    wide = answers.pivot(index="response_id", columns="item_code", values="score").reindex(
        respondents.index
    )
    items = bank.by_code()
    item_columns: dict[str, list[str]] = {}
    scored = respondents.copy()
    for code in wide.columns:
        item = items[code]
        scored[code] = rescale(wide[code], item.scale_min, item.scale_max, item.is_reverse)
        item_columns.setdefault(item.dimension, []).append(code)
    for dimension in (*SERVICE_DIMENSIONS, "overall", "loyalty"):
        codes = item_columns.get(dimension, [])
        # Equal item weights; mean over the items this respondent answered.
        scored[dimension] = scored[codes].mean(axis=1, skipna=True) if codes else np.nan
    nps_codes = item_columns.get("nps", [])
    scored["nps_raw"] = wide[nps_codes[0]].astype(float) if nps_codes else np.nan
    overall_codes = item_columns.get("overall", [])
    scored["overall_raw"] = wide[overall_codes[0]].astype(float) if overall_codes else np.nan
    return ScoredSurvey(respondents=scored.reset_index(), item_columns=item_columns)
