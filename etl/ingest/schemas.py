"""The declared shape of what a file loads: pandera models, checked at the boundary.

The rules in `survey.py` and `feedback.py` decide row by row and name what each row broke;
these models are the contract of the frames that reach the warehouse. A row that gets past
the rules but not the contract is quarantined too (rule `schema`), never written.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from etl.core.periods import QUARTER_PATTERN

ENTRY_COLUMNS = ["row_number", "column_name", "value", "rule", "message"]
FLAGS = ["speeder", "straight_lining", "speeder,straight_lining"]


class LoadedResponses(pa.DataFrameModel):
    """One row per ingested survey response."""

    row_number: Series[int] = pa.Field(ge=1)
    source_response_id: Series[str] = pa.Field(str_length={"min_value": 1}, unique=True)
    wave_id: Series[str] = pa.Field(str_matches=QUARTER_PATTERN)
    policy_id: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    branch_code: Series[str] = pa.Field(str_length={"min_value": 1})
    channel_code: Series[str] = pa.Field(str_length={"min_value": 1})
    product_line_code: Series[str] = pa.Field(str_length={"min_value": 1})
    responded_on: Series[object] = pa.Field(nullable=False)
    comment_text: Series[object] = pa.Field(nullable=True)
    quality_flag: Series[object] = pa.Field(nullable=True, isin=FLAGS)

    class Config:
        strict = True


class LoadedAnswers(pa.DataFrameModel):
    """One row per (response, item) answer; scales are checked per item by the rules."""

    row_number: Series[int] = pa.Field(ge=1)
    source_response_id: Series[str] = pa.Field(str_length={"min_value": 1})
    item_code: Series[str] = pa.Field(str_length={"min_value": 1})
    score: Series[int] = pa.Field(ge=0, le=100)

    class Config:
        strict = True
        unique = ("source_response_id", "item_code")


class LoadedFeedback(pa.DataFrameModel):
    """One row per feedback text."""

    source: Series[str] = pa.Field(isin=["survey_comment", "online_message", "social_media"])
    received_on: Series[object] = pa.Field(nullable=False)
    branch_code: Series[object] = pa.Field(nullable=True)
    policy_id: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    body: Series[str] = pa.Field(str_length={"min_value": 1})


class LoadedChecks(pa.DataFrameModel):
    """One row per mystery-shop checklist result."""

    source_visit_id: Series[str] = pa.Field(str_length={"min_value": 1})
    checklist_item: Series[str] = pa.Field(str_length={"min_value": 1})
    is_passed: Series[float] = pa.Field(isin=[0.0, 1.0])


def contract_failures(frame: pd.DataFrame, model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """The rows of `frame` that break the model: index, column, check and value."""
    try:
        model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        return cases[cases["index"].notna()][["index", "column", "check", "failure_case"]]
    return pd.DataFrame(columns=["index", "column", "check", "failure_case"])


def enforce(
    frame: pd.DataFrame, model: type[pa.DataFrameModel]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows that keep the contract, and quarantine entries (rule `schema`) for the rest.

    `frame` carries each row's `row_number` in the file (not part of the model's check when
    the model does not declare it).
    """
    failures = contract_failures(frame, model)
    if failures.empty:
        return frame, pd.DataFrame(
            columns=["row_number", "column_name", "value", "rule", "message"]
        )
    index = failures["index"].astype(frame.index.dtype)
    entries = pd.DataFrame(
        {
            "row_number": frame.loc[index, "row_number"].to_numpy(),
            "column_name": failures["column"].fillna("").astype(str).to_numpy(),
            "value": failures["failure_case"].astype(str).str.slice(0, 200).to_numpy(),
            "rule": "schema",
            "message": ("breaks the load contract: " + failures["check"].astype(str)).to_numpy(),
        }
    )
    return frame.drop(index=set(index)), entries
