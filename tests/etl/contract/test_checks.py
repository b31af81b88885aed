"""Each rule of the data contract, broken in a warehouse (SQLite and PostgreSQL), is reported
by the check with its relation, rule and severity; the clean warehouse passes."""

from __future__ import annotations

import pytest

from etl.contract import ContractReport, Severity, check_warehouse
from etl.core import Quarter, load_item_bank, load_settings
from tests.etl.contract.conftest import break_warehouse

QUARTER = Quarter(2026, 3)
# case: statements that break it → the relation and rule the check must name, and severity.
CASES = {
    "wave id 2026Q3 instead of 2026-Q3": (
        [
            "update survey_waves set wave_id = '2026Q3', quarter = '2026Q3' "
            "where wave_id = '2026-Q3'",
            "update survey_responses set wave_id = '2026Q3' where wave_id = '2026-Q3'",
        ],
        [("survey_waves", "wave_id.form"), ("survey_waves", "quarter_wave")],
    ),
    "5-point answers on 10-point items": (
        [
            "update survey_answers set score = (score + 1) / 2 where response_id in (select "
            "response_id from survey_responses where wave_id = '2026-Q3')"
        ],
        [("survey_answers", "score.plausible_for_scale")],
    ),
    "a score outside its item's scale": (
        [
            "update survey_answers set score = 11 where item_code = 'CL1' and response_id = "
            "(select min(response_id) from survey_answers where item_code = 'CL1' "
            "and response_id in (select response_id from survey_responses where wave_id = "
            "'2026-Q3'))"
        ],
        [("survey_answers", "score.within_scale")],
    ),
    "a CSI from one claims item": (
        [
            "delete from survey_answers where item_code not in ('CL1', 'SAT1', 'SAT2', 'SAT3', "
            "'NPS') and response_id in (select response_id from survey_responses where wave_id = "
            "'2026-Q3')"
        ],
        [("survey_answers", "coverage.csi")],
    ),
    "no recommend (NPS) answers": (
        [
            "delete from survey_answers where item_code = 'NPS' and response_id in (select "
            "response_id from survey_responses where wave_id = '2026-Q3')"
        ],
        [("survey_answers", "coverage.nps")],
    ),
    "an item that is not in the item bank": (
        [
            "insert into survey_answers (response_id, item_code, score) "
            "select min(response_id), 'ZZ9', 5 from survey_answers where response_id in (select "
            "response_id from survey_responses where wave_id = '2026-Q3')"
        ],
        [("survey_answers", "item_code.in_item_bank")],
    ),
    "the same item answered twice": (
        [
            "insert into survey_answers (response_id, item_code, score) "
            "select response_id, item_code, score from survey_answers "
            "where response_id = (select min(response_id) from survey_answers "
            "where response_id in (select response_id from survey_responses where wave_id = "
            "'2026-Q3')) and item_code = 'NPS'"
        ],
        [("survey_answers", "response_id.item_code.unique")],
    ),
    "too few respondents": (
        [
            "delete from survey_responses where wave_id = '2026-Q3' and response_id > "
            "(select min(response_id) + 9 from survey_responses where wave_id = '2026-Q3')"
        ],
        [("survey_responses", "min_count")],
    ),
    "claim paid before it was reported": (
        [
            "update claims set reported_on = '2026-09-30' where claim_id = (select min(claim_id) "
            "from claims where outcome = 'paid' and paid_on >= '2026-07-01' and paid_on < "
            "'2026-09-20')"
        ],
        [("claims", "paid_on.after_reported")],
    ),
    "claim of a policy the warehouse lacks": (
        [
            "update claims set policy_id = 987654321 where claim_id = (select min(claim_id) from "
            "claims where outcome = 'paid' and paid_on >= '2026-07-01' and paid_on < '2026-09-20')"
        ],
        [("claims", "policy_id.references")],
    ),
    "complaint resolved before it was received": (
        [
            "update complaints set resolved_on = '2026-06-01' "
            "where complaint_id = (select min(complaint_id) from complaints where received_on >= "
            "'2026-07-01' and resolved_on is not null)"
        ],
        [("complaints", "resolved_on.after_received")],
    ),
    "complaint dimension outside the code list": (
        [
            "update complaints set dimension = '理赔' where complaint_id = "
            "(select min(complaint_id) from complaints where received_on >= '2026-07-01' "
            "and resolved_on is not null)"
        ],
        [("complaints", "dimension.accepted")],
    ),
    "the same policy twice": (
        [
            "insert into policies select * from policies where policy_id = (select min(policy_id) "
            "from policies)"
        ],
        [("policies", "policy_id.unique")],
    ),
    "policy of an unknown branch": (
        [
            "update policies set branch_code = 'XX' where policy_id = (select min(policy_id) from "
            "policies)"
        ],
        [("policies", "branch_code.references")],
    ),
    "policy status in Chinese": (
        [
            "update policies set status = '有效' where policy_id = (select min(policy_id) from "
            "policies)"
        ],
        [("policies", "status.accepted")],
    ),
    "negative premium instalment": (
        [
            "update premium_payments set amount_cny = -1 where payment_id = "
            "(select min(payment_id) from premium_payments where paid_on >= '2026-07-01')"
        ],
        [("premium_payments", "amount_cny.range")],
    ),
    "no overall-satisfaction answers": (
        [
            "delete from survey_answers where item_code in ('SAT1', 'SAT2', 'SAT3') and "
            "response_id in (select response_id from survey_responses where wave_id = '2026-Q3')"
        ],
        [("survey_answers", "coverage.overall")],
    ),
    "no policy issued in the quarter's last month": (
        ["delete from policies where issued_on >= '2026-09-01'"],
        [("policies", "fresh")],
    ),
    "claims stop a month before the quarter's end": (
        ["delete from claims where reported_on >= '2026-09-01'"],
        [("claims", "fresh")],
    ),
    "KPI target from 2026Q1": (
        ["update kpi_targets set valid_from = '2026Q1'"],
        [("kpi_targets", "valid_from.form")],
    ),
    "fieldwork ending before it starts": (
        ["update survey_waves set fielded_to = '2026-06-01' where wave_id = '2026-Q3'"],
        [("survey_waves", "fielded_to.after_from")],
    ),
    "mystery-shop result of 2": (
        [
            "update mystery_shop_results set is_passed = 2 where visit_id = (select "
            "min(visit_id) from mystery_shop_visits where visited_on >= '2026-07-01')"
        ],
        [("mystery_shop_results", "is_passed.accepted")],
    ),
    "feedback from an unlisted source": (
        [
            "update feedback_texts set source = 'wechat' where feedback_id = (select "
            "min(feedback_id) from feedback_texts where received_on >= '2026-07-01')"
        ],
        [("feedback_texts", "source.accepted")],
    ),
}

WARNING_CASES = {
    "a response dated after fieldwork": (
        [
            "update survey_responses set responded_on = '2026-12-31' where response_id = "
            "(select min(response_id) from survey_responses where wave_id = '2026-Q3')"
        ],
        [("survey_responses", "responded_on.within_fieldwork")],
    ),
    "no KPI targets": (["delete from kpi_targets"], [("kpi_targets", "min_rows")]),
    "feedback, visits and payments stop a month early": (
        [
            "delete from feedback_texts where received_on >= '2026-09-01'",
            "delete from mystery_shop_visits where visited_on >= '2026-09-01'",
            "delete from premium_payments where paid_on >= '2026-09-01'",
        ],
        [
            ("feedback_texts", "fresh"),
            ("mystery_shop_visits", "fresh"),
            ("premium_payments", "fresh"),
        ],
    ),
}


def run_check(url: str, statements: list[str]) -> ContractReport:
    engine = break_warehouse(url, statements)
    return check_warehouse(engine, QUARTER, load_item_bank(), load_settings())


def named(report: ContractReport) -> dict[tuple[str, str], Severity]:
    return {(f.relation, f.rule): f.severity for f in report.failures}


def test_the_clean_warehouse_passes(clean_url: str) -> None:
    report = run_check(clean_url, [])
    assert report.failures == ()
    assert report.exit_code == 0
    assert report.rules_checked > 90


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_broken_rule_is_an_error_naming_relation_and_rule(clean_url: str, case: str) -> None:
    statements, expected = CASES[case]
    report = run_check(clean_url, statements)
    found = named(report)
    for relation_rule in expected:
        assert found.get(relation_rule) is Severity.ERROR, (relation_rule, report.lines())
    assert report.exit_code == 2
    lines = "\n".join(report.lines())
    for relation, rule in expected:
        assert f"ERROR   {relation} {rule}: " in lines


@pytest.mark.parametrize("case", WARNING_CASES, ids=list(WARNING_CASES))
def test_a_warning_rule_leaves_exit_code_one(clean_url: str, case: str) -> None:
    statements, expected = WARNING_CASES[case]
    report = run_check(clean_url, statements)
    assert {k: v for k, v in named(report).items()} == dict.fromkeys(expected, Severity.WARNING)
    assert report.exit_code == 1


def test_examples_name_the_offending_keys(clean_url: str) -> None:
    report = run_check(clean_url, CASES["a score outside its item's scale"][0])
    (failure,) = report.failures
    assert failure.failed == 1
    assert len(failure.examples) == 1 and failure.examples[0].endswith("/CL1=11")
    assert "CL1: 1 outside 1–10" in failure.message


def test_five_examples_at_most_with_the_full_count(clean_url: str) -> None:
    report = run_check(clean_url, ["update policies set status = 'x'"])
    (failure,) = [f for f in report.failures if f.rule == "status.accepted"]
    assert failure.failed == 6000
    assert len(failure.examples) == 5
