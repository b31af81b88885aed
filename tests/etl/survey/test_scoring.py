"""Scoring answers on the item bank: rescaling, reverse items, missing-by-design, bad input."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from etl.core.config import ConfigError, load_item_bank, parse_item_bank
from etl.survey.scoring import SurveyDataError, rescale, score

BANK = load_item_bank()


@pytest.mark.parametrize(
    ("raw", "low", "high", "reverse", "expected"),
    [
        (1, 1, 10, False, 0.0),
        (10, 1, 10, False, 100.0),
        (7, 1, 10, False, 66.666667),  # 100 × 6/9
        (7, 1, 10, True, 33.333333),  # flipped: 100 − 66.67
        (4, 1, 5, False, 75.0),  # 100 × 3/4
        (0, 0, 10, False, 0.0),
        (9, 0, 10, False, 90.0),
    ],
)
def test_rescale(raw: int, low: int, high: int, reverse: bool, expected: float) -> None:
    assert rescale(pd.Series([raw]), low, high, reverse).iloc[0] == pytest.approx(
        expected, abs=1e-6
    )


def answers(rows: list[tuple[int, str, int]], branch: str = "BJ") -> pd.DataFrame:
    return pd.DataFrame(
        [(rid, branch, "AGENT", "LIFE", item, value) for rid, item, value in rows],
        columns=[
            "response_id",
            "branch_code",
            "channel_code",
            "product_line_code",
            "item_code",
            "score",
        ],
    )


def test_dimension_score_is_mean_of_answered_items_with_reverse_flipped() -> None:
    # claims items CL1=10 → 100, CL2=7 → 66.67, CL7 (reverse) = 1 → 100: mean 88.89.
    scored = score(
        answers([(1, "CL1", 10), (1, "CL2", 7), (1, "CL7", 1), (1, "SAT1", 8), (1, "NPS", 9)]), BANK
    )
    row = scored.respondents.iloc[0]
    assert row["claims"] == pytest.approx((100 + 600 / 9 + 100) / 3)
    assert row["overall"] == pytest.approx(700 / 9)  # SAT1 = 8 → 100 × 7/9
    assert row["nps_raw"] == 9


def test_touchpoints_not_used_stay_missing_not_low() -> None:
    scored = score(
        answers(
            [
                (1, "PO1", 8),
                (1, "SAT1", 8),
                (1, "NPS", 9),
                (2, "PO1", 6),
                (2, "CL1", 2),
                (2, "SAT1", 5),
                (2, "NPS", 3),
            ]
        ),
        BANK,
    )
    by_id = scored.respondents.set_index("response_id")
    assert math.isnan(by_id.loc[1, "claims"])  # respondent 1 had no claim
    assert by_id.loc[2, "claims"] == pytest.approx(100 / 9)
    assert math.isnan(by_id.loc[1, "complaints"]) and math.isnan(by_id.loc[2, "complaints"])


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [(1, "PO1", 11)],
            r"1 score\(s\) outside their item's scale; "
            r"first: response_id 1, item PO1 = 11 \(allowed 1–10\)",
        ),
        ([(7, "NPS", -1)], r"response_id 7, item NPS = -1 \(allowed 0–10\)"),
        (
            [(3, "ZZ9", 5)],
            r"item\(s\) \['ZZ9'\] are not in item bank 2026.2 \(first at response_id 3\)",
        ),
    ],
)
def test_bad_answers_are_named(rows: list[tuple[int, str, int]], message: str) -> None:
    with pytest.raises(SurveyDataError, match=message):
        score(answers(rows), BANK)


def test_item_bank_with_unknown_dimension_is_refused_by_name() -> None:
    raw = {
        "items": [
            {"code": "X1", "dimension": "pricing"},
            {"code": "SAT1", "dimension": "overall"},
            {"code": "NPS", "dimension": "nps"},
        ]
    }
    with pytest.raises(
        ConfigError, match=r"bank.toml: item #1 \(X1\): dimension 'pricing' is unknown"
    ):
        parse_item_bank(raw, "bank.toml")


def test_item_bank_with_duplicate_code_is_refused() -> None:
    raw = {
        "items": [
            {"code": "SAT1", "dimension": "overall"},
            {"code": "SAT1", "dimension": "overall"},
            {"code": "NPS", "dimension": "nps"},
        ]
    }
    with pytest.raises(ConfigError, match="item code SAT1 appears twice"):
        parse_item_bank(raw, "bank.toml")


def test_packaged_item_bank_covers_every_dimension() -> None:
    dimensions = {item.dimension for item in BANK.items}
    assert {
        "presale",
        "purchase",
        "policy_service",
        "claims",
        "complaints",
        "value_added",
        "overall",
        "nps",
        "loyalty",
        # the ACSI core constructs every respondent answers (the PLS index's model)
        "expectations",
        "quality",
        "value",
        "complaint",
    } == dimensions
    assert len(BANK.codes("overall")) == 3  # ACSI: satisfaction, disconfirmation, ideal
