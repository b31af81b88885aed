"""Cell text to scores, times, durations and yes/no, by rule."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from etl.ingest.values import chinese_numeral, parse_durations, parse_flags, parse_times, score_of

RECODES = {"非常满意": "10", "满意": "8", "不适用": ""}


@pytest.mark.parametrize(
    ("text", "score", "rule"),
    [
        ("10", 10, ""),
        (" 7 ", 7, ""),
        ("10分", 10, ""),
        ("１０", 10, ""),  # full-width digits
        ("10.0", 10, ""),
        ("十", 10, ""),
        ("九分", 9, ""),
        ("非常满意", 10, ""),
        ("满意", 8, ""),
        ("", math.nan, ""),
        ("不适用", math.nan, ""),
        ("(跳过)", math.nan, ""),
        ("7.5", math.nan, "not_integer"),
        ("very good", math.nan, "not_a_score"),
        ("=1+1", math.nan, "not_a_score"),
    ],
)
def test_scores(text: str, score: float, rule: str) -> None:
    value, broken = score_of(text, RECODES, frozenset())
    assert (math.isnan(value) and math.isnan(score)) or value == score
    assert broken == rule


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("九十九", 99),
        ("十十", None),
        ("百", None),
    ],
)
def test_chinese_numerals(numeral: str, value: int | None) -> None:
    assert chinese_numeral(numeral) == value


def test_times_local_or_with_an_offset() -> None:
    cells = pd.Series(["2026/9/3 14:22:05", "2026-09-03T06:22:05Z", "", "yesterday"])
    parsed = parse_times(cells, "Asia/Shanghai")
    assert list(parsed.values[:2]) == [pd.Timestamp("2026-09-03 14:22:05")] * 2
    assert list(parsed.rule) == ["", "", "", "bad_time"]


@pytest.mark.parametrize(
    ("text", "seconds", "rule"),
    [
        ("95", 95, ""),
        ("95秒", 95, ""),
        ("1分35秒", 95, ""),
        ("", math.nan, ""),
        ("fast", math.nan, "bad_duration"),
    ],
)
def test_durations(text: str, seconds: float, rule: str) -> None:
    parsed = parse_durations(pd.Series([text]))
    value = parsed.values.iloc[0]
    assert (math.isnan(value) and math.isnan(seconds)) or value == seconds
    assert parsed.rule.iloc[0] == rule


@pytest.mark.parametrize(
    ("text", "value", "rule"),
    [
        ("是", 1.0, ""),
        ("不通过", 0.0, ""),
        ("TRUE", 1.0, ""),
        ("0", 0.0, ""),
        ("maybe", math.nan, "not_yes_no"),
    ],
)
def test_yes_no(text: str, value: float, rule: str) -> None:
    parsed = parse_flags(pd.Series([text]))
    got = parsed.values.iloc[0]
    assert (math.isnan(got) and math.isnan(value)) or got == value
    assert parsed.rule.iloc[0] == rule
