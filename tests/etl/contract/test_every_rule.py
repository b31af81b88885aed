# ruff: noqa: E501  (one statement per line reads best as a table)
"""Every row rule of the contract, broken on its own row of one relation at a time: the check
names each rule of the relation with the contract's severity (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from etl.contract import RULES_BY_KEY, check_warehouse
from etl.core import Quarter, load_item_bank, load_settings
from tests.etl.contract.conftest import break_warehouse

# Picks the k-th row of a relation within what the quarter's check reads (k = 0, 1, …).
CLAIM = "(select claim_id from claims where paid_on >= '2026-07-01' and claim_id is not null order by claim_id limit 1 offset {k})"
COMPLAINT = "(select complaint_id from complaints where received_on >= '2026-07-01' and complaint_id is not null order by complaint_id limit 1 offset {k})"
POLICY = "(select policy_id from policies where policy_id is not null order by policy_id limit 1 offset {k})"
PAYMENT = "(select payment_id from premium_payments where paid_on >= '2026-07-01' and payment_id is not null order by payment_id limit 1 offset {k})"
RESPONSE = "(select response_id from survey_responses where wave_id = '2026-Q3' and response_id is not null order by response_id limit 1 offset {k})"
FEEDBACK = "(select feedback_id from feedback_texts where received_on >= '2026-07-01' and feedback_id is not null order by feedback_id limit 1 offset {k})"
VISIT = "(select visit_id from mystery_shop_visits where visited_on >= '2026-07-01' and visit_id is not null order by visit_id limit 1 offset {k})"


CODE_LIST = [
    (
        "{code}.not_null",
        "insert into {table} ({columns}) select null, {names} from {table} where {code} = '{first}'",
    ),
    (
        "{code}.unique",
        "insert into {table} ({columns}) select {columns} from {table} where {code} = '{first}'",
    ),
    (
        "name_zh.not_null",
        "update {table} set name_zh = '' where {code} = (select max({code}) from {table})",
    ),
    (
        "name_en.not_null",
        "update {table} set name_en = null where {code} = (select min({code}) from {table})",
    ),
]


def code_list(table: str, code: str, first: str) -> list[tuple[str, str]]:
    names = "name_zh, name_en" + (", region_zh, region_en" if table == "branches" else "")
    values = {"table": table, "code": code, "first": first, "names": names,
              "columns": code + ", " + names}  # fmt: skip
    return [(rule.format(**values), sql.format(**values)) for rule, sql in CODE_LIST]


BREAKS: dict[str, list[tuple[str, str]]] = {
    "branches": code_list("branches", "branch_code", "BJ"),
    "channels": code_list("channels", "channel_code", "AGENT"),
    "product_lines": code_list("product_lines", "product_line_code", "LIFE"),
    "policies": [
        ("policy_id.not_null", "update policies set policy_id = null where policy_id = " + POLICY.format(k=0)),
        ("policy_id.unique", "insert into policies select * from policies where policy_id = " + POLICY.format(k=1)),
        ("branch_code.references", "update policies set branch_code = '四川分公司' where policy_id = " + POLICY.format(k=2)),
        ("channel_code.references", "update policies set channel_code = '电销' where policy_id = " + POLICY.format(k=3)),
        ("product_line_code.references", "update policies set product_line_code = null where policy_id = " + POLICY.format(k=4)),
        ("issued_on.not_null", "update policies set issued_on = null where policy_id = " + POLICY.format(k=5)),
        ("premium_cny.range", "update policies set premium_cny = -5 where policy_id = " + POLICY.format(k=6)),
        ("premium_mode.accepted", "update policies set premium_mode = '期缴' where policy_id = " + POLICY.format(k=7)),
        ("status.accepted", "update policies set status = 'active' where policy_id = " + POLICY.format(k=8)),
        ("date_order", "update policies set lapsed_on = '2000-01-01' where policy_id = " + POLICY.format(k=9)),
        ("status.dated", "update policies set status = 'lapsed', lapsed_on = null where policy_id = " + POLICY.format(k=10)),
    ],
    "premium_payments": [
        ("payment_id.not_null", "update premium_payments set payment_id = null where payment_id = " + PAYMENT.format(k=0)),
        ("policy_id.not_null", "update premium_payments set policy_id = null where payment_id = " + PAYMENT.format(k=1)),
        ("installment_no.range", "update premium_payments set installment_no = 0 where payment_id = (select min(payment_id) from premium_payments where installment_no = 1 and due_on >= '2026-01-01')"),
        ("due_on.not_null", "update premium_payments set due_on = null where payment_id = " + PAYMENT.format(k=2)),
        ("policy_id.installment_no.unique", "insert into premium_payments select * from premium_payments where payment_id = (select min(payment_id) from premium_payments where installment_no = 2 and due_on >= '2026-07-01')"),
    ],
    "claims": [
        ("claim_id.not_null", "update claims set claim_id = null where claim_id = " + CLAIM.format(k=0)),
        ("claim_id.unique", "insert into claims select * from claims where claim_id = " + CLAIM.format(k=1)),
        ("registered_on.after_reported", "update claims set registered_on = '2020-01-01' where claim_id = " + CLAIM.format(k=2)),
        ("closed_on.after_reported", "update claims set closed_on = '2020-01-01' where claim_id = " + CLAIM.format(k=3)),
        ("outcome.accepted", "update claims set outcome = '赔付' where claim_id = " + CLAIM.format(k=4)),
        ("paid_on.required", "update claims set paid_on = null, closed_on = '2026-09-30' where claim_id = (select claim_id from claims where outcome = 'paid' and closed_on >= '2026-07-01' and claim_id is not null order by claim_id limit 1)"),
        ("closed_on.required", "update claims set closed_on = null where claim_id = " + CLAIM.format(k=5)),
        ("claimed_cny.range", "update claims set claimed_cny = -1 where claim_id = " + CLAIM.format(k=6)),
    ],
    "complaints": [
        ("complaint_id.not_null", "update complaints set complaint_id = null where complaint_id = " + COMPLAINT.format(k=0)),
        ("complaint_id.unique", "insert into complaints select * from complaints where complaint_id = " + COMPLAINT.format(k=1)),
        ("branch_code.references", "update complaints set branch_code = 'ZZ' where complaint_id = " + COMPLAINT.format(k=2)),
        ("channel_code.references", "update complaints set channel_code = 'ZZ' where complaint_id = " + COMPLAINT.format(k=3)),
        ("policy_id.references", "update complaints set policy_id = 987654321 where complaint_id = " + COMPLAINT.format(k=4)),
        ("due_on.after_received", "update complaints set due_on = '2020-01-01' where complaint_id = " + COMPLAINT.format(k=5)),
        ("category.not_null", "update complaints set category = '' where complaint_id = " + COMPLAINT.format(k=6)),
        ("is_complex.accepted", "update complaints set is_complex = 7 where complaint_id = " + COMPLAINT.format(k=7)),
        ("outcome.accepted", "update complaints set outcome = '成立' where complaint_id = " + COMPLAINT.format(k=8)),
    ],
    "survey_waves": [
        ("wave_id.not_null", "insert into survey_waves select null, quarter, fielded_from, fielded_to, item_bank_version, invited_count from survey_waves where wave_id = '2024-Q1'"),
        ("wave_id.unique", "insert into survey_waves select * from survey_waves where wave_id = '2024-Q2'"),
        ("quarter.matches_wave_id", "update survey_waves set quarter = 'Q3 2024' where wave_id = '2024-Q3'"),
        ("item_bank_version.not_null", "update survey_waves set item_bank_version = '' where wave_id = '2024-Q4'"),
        ("invited_count.range", "update survey_waves set invited_count = -1 where wave_id = '2025-Q1'"),
        ("item_bank_version.matches", "update survey_waves set item_bank_version = '2019.1' where wave_id = '2026-Q3'"),
    ],
    "survey_items": [
        ("item_code.not_null", "update survey_items set item_code = null where item_code = 'PS1'"),
        ("scale_max.above_min", "update survey_items set scale_max = 1 where item_code = 'PS2'"),
        ("is_reverse.accepted", "update survey_items set is_reverse = 2 where item_code = 'PS3'"),
    ],
    "survey_responses": [
        ("response_id.not_null", "update survey_responses set response_id = null where response_id = " + RESPONSE.format(k=0)),
        ("response_id.unique", "insert into survey_responses select * from survey_responses where response_id = " + RESPONSE.format(k=1)),
        ("branch_code.references", "update survey_responses set branch_code = 'ZZ' where response_id = " + RESPONSE.format(k=2)),
        ("channel_code.references", "update survey_responses set channel_code = 'ZZ' where response_id = " + RESPONSE.format(k=3)),
        ("product_line_code.references", "update survey_responses set product_line_code = 'ZZ' where response_id = " + RESPONSE.format(k=4)),
        ("policy_id.references", "update survey_responses set policy_id = 987654321 where response_id = " + RESPONSE.format(k=5)),
        ("responded_on.not_null", "update survey_responses set responded_on = null where response_id = " + RESPONSE.format(k=6)),
    ],
    "survey_answers": [
        ("score.not_null", "update survey_answers set score = null where item_code = 'NPS' and response_id = " + RESPONSE.format(k=7)),
    ],
    "feedback_texts": [
        ("feedback_id.not_null", "update feedback_texts set feedback_id = null where feedback_id = " + FEEDBACK.format(k=0)),
        ("feedback_id.unique", "insert into feedback_texts select * from feedback_texts where feedback_id = " + FEEDBACK.format(k=1)),
        ("branch_code.references", "update feedback_texts set branch_code = 'ZZ' where feedback_id = " + FEEDBACK.format(k=2)),
        ("body.not_null", "update feedback_texts set body = '' where feedback_id = " + FEEDBACK.format(k=3)),
    ],
    "mystery_shop_visits": [
        ("visit_id.not_null", "insert into mystery_shop_visits select null, branch_code, channel_code, visited_on, scenario from mystery_shop_visits where visit_id = " + VISIT.format(k=0)),
        ("visit_id.unique", "insert into mystery_shop_visits select * from mystery_shop_visits where visit_id = " + VISIT.format(k=1)),
        ("branch_code.references", "update mystery_shop_visits set branch_code = 'ZZ' where visit_id = " + VISIT.format(k=2)),
        ("channel_code.references", "update mystery_shop_visits set channel_code = 'ZZ' where visit_id = " + VISIT.format(k=3)),
        ("scenario.not_null", "update mystery_shop_visits set scenario = null where visit_id = " + VISIT.format(k=4)),
    ],
    "mystery_shop_results": [
        ("visit_id.checklist_item.unique", "insert into mystery_shop_results select * from mystery_shop_results where visit_id = " + VISIT.format(k=5) + " and checklist_item = (select min(checklist_item) from mystery_shop_results)"),
    ],
    "kpi_targets": [
        ("is_higher_better.accepted", "update kpi_targets set is_higher_better = 3 where metric = (select min(metric) from kpi_targets)"),
        ("amber_value.order", "update kpi_targets set amber_value = target_value + 1000, is_higher_better = 1 where metric = (select max(metric) from kpi_targets)"),
        ("metric.scope.valid_from.unique", "insert into kpi_targets select * from kpi_targets where metric = (select max(metric) from kpi_targets)"),
    ],
}  # fmt: skip


@pytest.mark.parametrize("relation", BREAKS, ids=list(BREAKS))
def test_each_rule_of_a_relation_is_named_with_its_severity(clean_url: str, relation: str) -> None:
    engine = break_warehouse(clean_url, [statement for _, statement in BREAKS[relation]])
    report = check_warehouse(engine, Quarter(2026, 3), load_item_bank(), load_settings())
    found = {(f.relation, f.rule): f for f in report.failures}
    for name, _ in BREAKS[relation]:
        failure = found.get((relation, name))
        assert failure is not None, (relation, name, report.lines())
        assert failure.severity is RULES_BY_KEY[f"{relation}.{name}"].severity
        assert failure.failed >= 1


def test_every_rule_is_broken_by_some_test() -> None:
    from tests.etl.contract.test_check_command import (
        test_an_empty_warehouse_is_an_error_on_every_required_relation as _empty,  # noqa: F401
    )
    from tests.etl.contract.test_checks import CASES, WARNING_CASES

    covered = {f"{relation}.{name}" for relation, rules in BREAKS.items() for name, _ in rules}
    for statements_and_rules in (*CASES.values(), *WARNING_CASES.values()):
        covered |= {f"{relation}.{rule}" for relation, rule in statements_and_rules[1]}
    # Quarter rules broken by the empty warehouse test and the freshness cases.
    covered |= {"branches.min_rows", "channels.min_rows", "product_lines.min_rows",
                "policies.in_force", "complaints.fresh"}  # fmt: skip
    assert sorted(set(RULES_BY_KEY) - covered) == []
