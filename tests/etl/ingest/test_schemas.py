"""The load contract: what reaches the warehouse has the declared shape, or is quarantined."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from etl.ingest.schemas import LoadedAnswers, LoadedFeedback, LoadedResponses, enforce


def responses(**overrides) -> pd.DataFrame:
    row = {
        "row_number": 4,
        "source_response_id": "R_1",
        "wave_id": "2026-Q3",
        "policy_id": pd.NA,
        "branch_code": "SC",
        "channel_code": "AGENT",
        "product_line_code": "LIFE",
        "responded_on": dt.date(2026, 8, 1),
        "comment_text": None,
        "quality_flag": None,
    }
    frame = pd.DataFrame([row | overrides])
    return frame.astype({"policy_id": "Int64"})


@pytest.mark.parametrize(
    ("overrides", "column"),
    [
        ({}, None),
        ({"wave_id": "2026Q3"}, "wave_id"),
        ({"branch_code": ""}, "branch_code"),
        ({"quality_flag": "bot"}, "quality_flag"),
        ({"source_response_id": ""}, "source_response_id"),
    ],
)
def test_responses_contract(overrides: dict, column: str | None) -> None:
    kept, entries = enforce(responses(**overrides), LoadedResponses)
    assert (len(kept), list(entries["column_name"])) == (
        (1, []) if column is None else (0, [column])
    )
    assert set(entries["rule"]) <= {"schema"} and set(entries["row_number"]) <= {4}


def test_answers_contract_names_the_row_of_each_break() -> None:
    frame = pd.DataFrame(
        {
            "row_number": [2, 3],
            "source_response_id": ["a", "b"],
            "item_code": ["PS1", "PS1"],
            "score": [7, 101],
        }
    )
    kept, entries = enforce(frame, LoadedAnswers)
    assert list(kept["row_number"]) == [2]
    assert entries[["row_number", "column_name", "value"]].values.tolist() == [[3, "score", "101"]]


def test_feedback_contract() -> None:
    frame = pd.DataFrame(
        {
            "row_number": [2, 3],
            "source": ["social_media", "fax"],
            "received_on": [dt.date(2026, 8, 1)] * 2,
            "branch_code": [None, "SC"],
            "policy_id": pd.array([pd.NA, 7], dtype="Int64"),
            "body": ["a", "b"],
        }
    )
    kept, entries = enforce(frame, LoadedFeedback)
    assert list(kept["row_number"]) == [2] and list(entries["value"]) == ["fax"]
