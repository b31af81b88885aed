"""Cell text to values, by rule: scores, times, durations and yes/no answers.

Each parser works on the distinct texts of a column (exports repeat a handful of answers
millions of times) and returns the value per text, or the rule the text breaks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Not answered: an empty cell, and the words platforms write for a skipped or n/a question.
NOT_ANSWERED = frozenset({"", "(跳过)", "跳过", "(空)", "(未填)", "n/a", "na", "不适用"})
# 问卷星 writes -3 for a skipped question and -2 for one not shown (in numeric exports).
NOT_ANSWERED_WJX = frozenset({"-3", "-2"})
_SCORE = re.compile(r"^(?P<number>[+-]?\d+(?:\.\d+)?)\s*分?$")
_CHINESE_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CHINESE = re.compile(r"^(?P<numeral>[零〇一二两三四五六七八九十]{1,3})\s*分?$")
_DURATION = re.compile(
    r"^(?:(?P<minutes>\d+)\s*分(?:钟)?)?\s*(?:(?P<seconds>\d+(?:\.\d+)?)\s*秒?)?$"
)
_YES = frozenset({"1", "true", "yes", "y", "是", "通过", "pass", "passed", "合格"})
_NO = frozenset({"0", "false", "no", "n", "否", "不通过", "fail", "failed", "不合格"})


def per_distinct(cells: pd.Series, func, dtype=object) -> np.ndarray:
    """`func` of each cell, computed once per distinct text (a column repeats a few texts)."""
    codes, uniques = pd.factorize(cells.to_numpy(dtype=object), use_na_sentinel=False)
    results = np.array([func(text) for text in uniques], dtype=dtype)
    return results[codes] if len(codes) else np.array([], dtype=dtype)


@dataclass(frozen=True)
class Parsed:
    """A column's values (NaN where not answered) and, per row that broke a rule, the rule."""

    values: pd.Series
    rule: pd.Series  # "" where the cell is fine


def canonical(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def chinese_numeral(text: str) -> int | None:
    """一 … 九十九 as an integer (十 = 10, 十二 = 12, 三十 = 30); None if not a numeral."""
    if "十" not in text:
        return _CHINESE_DIGITS.get(text) if len(text) == 1 else None
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return None
    tens_value = 1 if tens == "" else _CHINESE_DIGITS.get(tens)
    units_value = 0 if units == "" else _CHINESE_DIGITS.get(units)
    if tens_value is None or units_value is None:
        return None
    return tens_value * 10 + units_value


def score_of(text: str, recodes: dict[str, str], skipped: frozenset[str]) -> tuple[float, str]:
    """(score, "") or (NaN, "") when not answered, or (NaN, rule) when the text breaks one."""
    text = canonical(text)
    if text in recodes:
        text = canonical(recodes[text])
    if text.lower() in NOT_ANSWERED or text in skipped:
        return float("nan"), ""
    number = _SCORE.match(text)
    if number:
        value = float(number.group("number"))
        return (value, "") if value.is_integer() else (float("nan"), "not_integer")
    numeral = _CHINESE.match(text)
    if numeral and chinese_numeral(numeral.group("numeral")) is not None:
        return float(chinese_numeral(numeral.group("numeral"))), ""
    return float("nan"), "not_a_score"


def parse_scores(cells: pd.Series, recodes: dict[str, str], skipped: frozenset[str]) -> Parsed:
    recodes = {canonical(key): value for key, value in recodes.items()}
    outcome = per_distinct(cells, lambda text: score_of(str(text), recodes, skipped))
    values = np.array([pair[0] for pair in outcome], dtype="float64") if len(outcome) else []
    rules = np.array([pair[1] for pair in outcome], dtype=object) if len(outcome) else []
    return Parsed(
        pd.Series(values, index=cells.index, dtype="float64"),
        pd.Series(rules, index=cells.index, dtype=object),
    )


def parse_times(cells: pd.Series, timezone: str) -> Parsed:
    """Local times (naive, or with an offset converted to `timezone`); "" is missing."""
    distinct = pd.Series(pd.unique(cells), dtype=object)
    cleaned = distinct.map(canonical).str.replace("/", "-", regex=False)
    aware = cleaned.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
    value = pd.Series(pd.NaT, index=distinct.index, dtype="datetime64[ns]")
    if aware.any():
        utc = pd.to_datetime(cleaned[aware], errors="coerce", format="mixed", utc=True)
        value[aware] = utc.dt.tz_convert(timezone).dt.tz_localize(None).astype("datetime64[ns]")
    if (~aware).any():
        naive = pd.to_datetime(cleaned[~aware], errors="coerce", format="mixed")
        value[~aware] = naive.astype("datetime64[ns]")
    lookup = dict(zip(distinct, value, strict=True))
    values = pd.Series(per_distinct(cells, lookup.get), index=cells.index)
    values = pd.to_datetime(values)
    rule = pd.Series("", index=cells.index, dtype=object)
    rule[values.isna() & (cells != "")] = "bad_time"
    return Parsed(values, rule)


def parse_durations(cells: pd.Series) -> Parsed:
    """Seconds from '95', '95秒', '1分35秒'; "" is missing."""

    def seconds(text: str) -> float:
        match = _DURATION.match(canonical(text))
        if not canonical(text) or not match or not (match["minutes"] or match["seconds"]):
            return float("nan")
        return 60 * float(match["minutes"] or 0) + float(match["seconds"] or 0)

    values = pd.Series(per_distinct(cells, seconds, "float64"), index=cells.index)
    rule = pd.Series("", index=cells.index, dtype=object)
    rule[values.isna() & (cells != "")] = "bad_duration"
    return Parsed(values, rule)


def parse_flags(cells: pd.Series) -> Parsed:
    """Yes/no answers (1/0, true/false, 是/否, 通过/不通过 …) as 1.0/0.0; "" is missing."""

    def flag(text: str) -> float:
        key = canonical(text).lower()
        return 1.0 if key in _YES else 0.0 if key in _NO else float("nan")

    values = pd.Series(per_distinct(cells, flag, "float64"), index=cells.index)
    rule = pd.Series("", index=cells.index, dtype=object)
    rule[values.isna() & (cells != "")] = "not_yes_no"
    return Parsed(values, rule)
