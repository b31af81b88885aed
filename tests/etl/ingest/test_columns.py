"""Columns map to fields and items by header, by question wording, or by the mapping."""

from __future__ import annotations

import pytest

from etl.core import load_item_bank
from etl.ingest.columns import normalise_text, plan_columns
from etl.ingest.decode import UnreadableFileError
from etl.ingest.mapping import Mapping, MappingError, parse_mapping

BANK = load_item_bank()


@pytest.mark.parametrize(
    ("header", "compared"),
    [
        ("3、您的保单属于哪家分公司？", "您的保单属于哪家分公司"),
        ("5(顾问对产品条款和核保规则的掌握程度)", "顾问对产品条款和核保规则的掌握程度"),
        ("5（理赔结果公平合理）", "理赔结果公平合理"),
        ("Q5. The purchase steps were simple", "thepurchasestepsweresimple"),
        ("Q5_1: Claims were paid fast", "claimswerepaidfast"),
        ("请评价以下方面 - 投保指引清晰", "投保指引清晰"),
        ("  Progress ", "progress"),
    ],
)
def test_platform_numbering_is_not_part_of_the_wording(header: str, compared: str) -> None:
    assert normalise_text(header) == compared


def test_items_map_by_code_or_by_wording_in_either_language() -> None:
    ps1, pu2 = BANK.by_code()["PS1"], BANK.by_code()["PU2"]
    headers = ["ResponseId", "EndDate", "CL1", "Q7", "Q8", "branch"]
    questions = ["ResponseId", "EndDate", "x", f"评价 - {ps1.text_zh}", f"Q8. {pu2.text_en}", "b"]
    plan = plan_columns(headers, questions, "qualtrics", BANK, Mapping())
    assert plan.items == {"CL1": "CL1", "Q7": "PS1", "Q8": "PU2"}
    assert plan.fields == {
        "response_id": "ResponseId",
        "submitted_at": "EndDate",
        "branch": "branch",
    }


def test_the_mapping_names_what_the_headers_do_not() -> None:
    mapping = parse_mapping(
        {"columns": {"response_id": "id", "policy_id": "保单"}, "items": {"Q9": "NPS"}}, "m.toml"
    )
    plan = plan_columns(["id", "保单", "Q9"], ["id", "保单", "Q9"], "qualtrics", BANK, mapping)
    assert plan.fields == {"response_id": "id", "policy_no": "保单"}
    assert plan.items == {"Q9": "NPS"}


@pytest.mark.parametrize(
    ("headers", "mapping", "says"),
    [
        (["ResponseId", "Q1"], Mapping(), "no column maps to an item"),
        (["ResponseId", "Q1"], Mapping(items={"Q1": "XX9"}, origin="m.toml"), "no item 'XX9'"),
        (
            ["ResponseId", "Q1"],
            Mapping(columns={"branch": "分公司"}, origin="m.toml"),
            "has no such column",
        ),
        (["PS1", "Q2"], Mapping(items={"Q2": "PS1"}, origin="m.toml"), "both map to item PS1"),
    ],
)
def test_unmappable_files_are_named(headers, mapping, says) -> None:
    with pytest.raises(UnreadableFileError, match=says):
        plan_columns(headers, headers, "qualtrics", BANK, mapping)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ({"source": {"format": "surveymonkey"}}, "format = 'surveymonkey'"),
        ({"source": {"answers": "letters"}}, "answers = 'letters'"),
        ({"source": {"wave": "2026Q3"}}, "wave"),
        ({"columns": {"respondent": "id"}}, "respondent unknown"),
        ({"columns": ["id"]}, r"\[columns\] must be a table"),
    ],
)
def test_mapping_errors_name_the_key(raw: dict, says: str) -> None:
    with pytest.raises((MappingError, ValueError), match=says):
        parse_mapping(raw, "m.toml")
