"""Scoring survey answers on the item bank: 0–100 item scores and respondent dimension scores."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.core.config import SERVICE_DIMENSIONS, ItemBank

RESPONDENT_COLUMNS = ("response_id", "branch_code", "channel_code", "product_line_code")
_CHUNK = 4_000_000  # answers scattered per step


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


def validate_answers(answers: pd.DataFrame, bank: ItemBank) -> pd.Categorical:
    """Refuse unknown items and out-of-range scores, naming the response and item.

    Returns the item codes as a categorical (scoring reuses its integer codes).
    """
    items = bank.by_code()
    codes = pd.Categorical(answers["item_code"])
    unknown = sorted(set(codes.categories) - set(items))
    if unknown:
        first = answers[answers["item_code"].isin(unknown)].iloc[0]
        raise SurveyDataError(
            f"survey_answers: item(s) {unknown} are not in item bank {bank.version} "
            f"(first at response_id {first['response_id']})"
        )
    # Bounds looked up per category, then broadcast by code: no per-row Python work, and
    # integer scores compared as integers (no float copy of every answer).
    values = answers["score"].to_numpy()
    kind = values.dtype if values.dtype.kind in "iu" else np.dtype(float)
    values = values.astype(kind, copy=False)
    low = np.array([items[c].scale_min for c in codes.categories]).astype(kind)
    high = np.array([items[c].scale_max for c in codes.categories]).astype(kind)
    position = codes.codes
    bad = np.flatnonzero(~((values >= low[position]) & (values <= high[position])))
    if bad.size:
        row = answers.iloc[bad[0]]
        item = items[row["item_code"]]
        raise SurveyDataError(
            f"survey_answers: {bad.size} score(s) outside their item's scale; first: response_id "
            f"{row['response_id']}, item {row['item_code']} = {row['score']} "
            f"(allowed {item.scale_min}–{item.scale_max})"
        )
    return codes


def rescale(scores: pd.Series, scale_min: int, scale_max: int, reverse: bool = False) -> pd.Series:
    """Item score on 0–100: 100 (x − min) / (max − min), reverse items flipped."""
    scaled = 100.0 * (scores.astype(float) - scale_min) / (scale_max - scale_min)
    return 100.0 - scaled if reverse else scaled


def _row_lookup(ids: pd.Series) -> Callable[[np.ndarray], np.ndarray]:
    """Row of each answer's respondent (−1 when it has none): arithmetic when the ids are
    consecutive integers in row order, a dense table when they are unique integers in a
    compact range (one gather per answer), a hash look-up else."""
    if ids.dtype.kind in "iu" and len(ids) > 0 and ids.is_unique:
        low, high = int(ids.min()), int(ids.max())
        values = ids.to_numpy()
        if high - low == len(ids) - 1 and values[0] == low and (np.diff(values) == 1).all():

            def consecutive(response_ids: np.ndarray) -> np.ndarray:
                if response_ids.dtype.kind not in "iu":
                    return pd.Index(ids).get_indexer(response_ids)
                row = response_ids.astype(np.int64) - low
                row[(row < 0) | (row >= len(ids))] = -1
                return row

            return consecutive
        if high - low < 4 * len(ids) + 1024:
            table = np.full(high - low + 2, -1, dtype=np.int64)
            table[values - low] = np.arange(len(ids))

            def dense(response_ids: np.ndarray) -> np.ndarray:
                if response_ids.dtype.kind not in "iu":
                    return pd.Index(ids).get_indexer(response_ids)
                slot = np.clip(response_ids, low - 1, high + 1) - low
                slot[slot < 0] = high - low + 1  # below the range: the −1 at the end
                return table[slot]

            return dense
    index = pd.Index(ids)
    return index.get_indexer


def _answer_matrix(
    answers: pd.DataFrame,
    item_codes: pd.Categorical,
    codes: list[str],
    ids: pd.Series,
    table: np.ndarray,
) -> None:
    """Scatter the long answers into the first rows of `table` (one row per item of
    `codes`, one column per respondent, float32, NaN unanswered).

    An item's answers land in one contiguous row (answers usually come item by item), and
    the chunks of answers keep the temporary index arrays small (a pandas pivot of
    millions of rows costs several times the memory).
    """
    column_of = pd.Index(codes).get_indexer(item_codes.categories)
    lookup = _row_lookup(ids)
    flat = table.reshape(-1)
    response_ids, scores = answers["response_id"].to_numpy(), answers["score"].to_numpy()
    for start in range(0, len(answers), _CHUNK):
        stop = start + _CHUNK
        row = lookup(response_ids[start:stop])
        if (row < 0).any():
            orphan = response_ids[start + np.flatnonzero(row < 0)[0]]
            raise SurveyDataError(
                f"survey_answers: response_id {orphan} has no survey_responses row"
            )
        item = column_of[item_codes.codes[start:stop]].astype(np.int64)
        flat[item * table.shape[1] + row] = scores[start:stop].astype(np.float32)


def _rescale_in_place(values: np.ndarray, low: int, high: int, reverse: bool) -> None:
    """100 (x − min) / (max − min) in float32, reverse items flipped, without a copy."""
    np.subtract(values, np.float32(low), out=values)
    np.multiply(values, np.float32(100.0), out=values)
    np.divide(values, np.float32(high - low), out=values)
    if reverse:
        np.subtract(np.float32(100.0), values, out=values)


def score(
    answers: pd.DataFrame, bank: ItemBank, respondents: pd.DataFrame | None = None
) -> ScoredSurvey:
    """Long answers (response × item) → one scored row per respondent.

    `respondents` holds each response's segments; when absent they are taken from the
    answers' own columns. Touchpoints a respondent did not use stay missing (NaN) and are
    left out of that respondent's dimension score, never counted as low.
    """
    item_codes = validate_answers(answers, bank)
    if respondents is None:
        respondents = answers[list(RESPONDENT_COLUMNS)].drop_duplicates("response_id")
    respondents = respondents.reset_index(drop=True)
    items = bank.by_code()
    answered = np.bincount(item_codes.codes[item_codes.codes >= 0],
                           minlength=len(item_codes.categories))  # fmt: skip
    present = set(item_codes.categories[answered > 0])
    codes = [code for code in items if code in present]
    dimensions = (*SERVICE_DIMENSIONS, "overall", "loyalty")
    # Items and dimension scores in one float32 block (a row per column), which becomes
    # the frame's block as it is: no per-column arrays stacked into a copy.
    table = np.full((len(codes) + len(dimensions), len(respondents)), np.nan, np.float32)
    _answer_matrix(answers, item_codes, codes, respondents["response_id"], table)
    raw = {
        name: table[codes.index(code)].astype(float) if code else np.full(len(table[0]), np.nan)
        for name, code in _raw_columns(bank, codes).items()
    }
    item_columns: dict[str, list[str]] = {}
    for position, code in enumerate(codes):
        item = items[code]
        _rescale_in_place(table[position], item.scale_min, item.scale_max, item.is_reverse)
        item_columns.setdefault(item.dimension, []).append(code)
    for offset, dimension in enumerate(dimensions):
        members = [codes.index(code) for code in item_columns.get(dimension, [])]
        if members:
            with warnings.catch_warnings():  # all-NaN rows: dimension not rated, stays NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                # Equal item weights; mean over the items this respondent answered.
                table[len(codes) + offset] = np.nanmean(table[members], axis=0)
    scored = pd.DataFrame(table.T, columns=[*codes, *dimensions], copy=False)
    frame = pd.concat([respondents, scored, pd.DataFrame(raw)], axis=1)
    return ScoredSurvey(respondents=frame, item_columns=item_columns)


def _raw_columns(bank: ItemBank, codes: list[str]) -> dict[str, str | None]:
    """nps_raw and overall_raw: the first NPS and overall item's raw answer (None: none)."""
    firsts = {}
    for dimension, name in (("nps", "nps_raw"), ("overall", "overall_raw")):
        present = [code for code in bank.codes(dimension) if code in codes]
        firsts[name] = present[0] if present else None
    return firsts
