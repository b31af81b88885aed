"""The rules of the data contract: every input relation's rules, their severity and meaning.

docs/data-contract.md documents the same rules for people (a test keeps the two in step).
Row rules run as SQL in the warehouse (sql/contract/<relation>.sql), the quarter's counts and
freshness as sql/contract/quarter_facts.sql, the survey's scales and coverage in memory.
A rule's severity can be changed per installation (`[contract.severity]` in the settings).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from etl.contract.findings import Severity
from etl.core.config import ConfigError

E, W = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class Rule:
    """One rule of one relation: its severity and what it asks of the data."""

    relation: str
    name: str
    severity: Severity
    meaning: str

    @property
    def key(self) -> str:
        return f"{self.relation}.{self.name}"


def _code_list(relation: str, code: str) -> tuple[Rule, ...]:
    return (
        Rule(relation, "min_rows", E, f"{relation} has at least one row"),
        Rule(relation, f"{code}.not_null", E, f"every row has a {code}"),
        Rule(relation, f"{code}.unique", E, f"{code} identifies one row"),
        Rule(relation, "name_zh.not_null", E, "every code has a Chinese name"),
        Rule(relation, "name_en.not_null", E, "every code has an English name"),
    )


def _references(relation: str, *columns: str) -> tuple[Rule, ...]:
    return tuple(
        Rule(relation, f"{column}.references", E, f"{column} exists in its code list or table")
        for column in columns
    )


def _fresh(relation: str, severity: Severity, what: str) -> Rule:
    return Rule(relation, "fresh", severity, f"{what} present up to the quarter's end")


RULES: tuple[Rule, ...] = (
    *_code_list("branches", "branch_code"),
    *_code_list("channels", "channel_code"),
    *_code_list("product_lines", "product_line_code"),
    Rule("policies", "policy_id.not_null", E, "every policy has a policy_id"),
    Rule("policies", "policy_id.unique", E, "policy_id identifies one policy"),
    *_references("policies", "branch_code", "channel_code", "product_line_code"),
    Rule("policies", "issued_on.not_null", E, "every policy has an issue date"),
    Rule("policies", "premium_cny.range", E, "premium_cny is a yuan amount ≥ 0"),
    Rule("policies", "premium_mode.accepted", E, "premium_mode is regular or single"),
    Rule("policies", "status.accepted", E, "status is in_force, lapsed, surrendered or matured"),
    Rule("policies", "date_order", E, "lapsed, surrendered and matured on or after issue"),
    Rule("policies", "status.dated", W, "a lapsed, surrendered or matured policy has that date"),
    Rule("policies", "in_force", E, "policies are in force at the quarter's end"),
    _fresh("policies", E, "policies issued"),
    Rule("premium_payments", "payment_id.not_null", E, "every payment has a payment_id"),
    Rule("premium_payments", "policy_id.not_null", E, "every payment names its policy"),
    Rule("premium_payments", "installment_no.range", E, "installment_no ≥ 1"),
    Rule("premium_payments", "due_on.not_null", E, "every instalment has a due date"),
    Rule("premium_payments", "amount_cny.range", E, "amount_cny is a yuan amount ≥ 0"),
    Rule(
        "premium_payments",
        "policy_id.installment_no.unique",
        E,
        "one row per policy and instalment (persistency counts a policy once)",
    ),
    _fresh("premium_payments", W, "premium payments"),
    Rule("claims", "claim_id.not_null", E, "every claim has a claim_id"),
    Rule("claims", "claim_id.unique", E, "claim_id identifies one claim"),
    *_references("claims", "policy_id"),
    Rule("claims", "registered_on.after_reported", E, "registered (立案) on or after reported"),
    Rule("claims", "closed_on.after_reported", E, "closed (结案) on or after reported"),
    Rule("claims", "paid_on.after_reported", E, "paid on or after reported (报案)"),
    Rule("claims", "outcome.accepted", E, "outcome is empty, paid, denied or withdrawn"),
    Rule("claims", "paid_on.required", E, "a paid claim has its payment date"),
    Rule("claims", "closed_on.required", E, "a paid or denied claim has its closing date"),
    Rule("claims", "claimed_cny.range", E, "claimed_cny is a yuan amount ≥ 0"),
    _fresh("claims", E, "claims reported"),
    Rule("complaints", "complaint_id.not_null", E, "every complaint has a complaint_id"),
    Rule("complaints", "complaint_id.unique", E, "complaint_id identifies one complaint"),
    *_references("complaints", "branch_code", "channel_code", "policy_id"),
    Rule("complaints", "due_on.after_received", E, "due on or after received"),
    Rule("complaints", "resolved_on.after_received", E, "resolved (办结) on or after received"),
    Rule("complaints", "category.not_null", E, "every complaint has a category"),
    Rule("complaints", "dimension.accepted", E, "dimension is one of the six service dimensions"),
    Rule("complaints", "is_complex.accepted", E, "is_complex is 0 or 1"),
    Rule("complaints", "outcome.accepted", E, "outcome is empty or a listed outcome"),
    _fresh("complaints", E, "complaints received"),
    Rule("survey_waves", "wave_id.not_null", E, "every wave has a wave_id"),
    Rule("survey_waves", "wave_id.form", E, "wave_id is its quarter written YYYY-QN, e.g. 2026-Q3"),
    Rule("survey_waves", "wave_id.unique", E, "wave_id identifies one wave"),
    Rule("survey_waves", "quarter.matches_wave_id", W, "quarter repeats the wave_id"),
    Rule("survey_waves", "fielded_to.after_from", E, "fieldwork ends on or after it starts"),
    Rule("survey_waves", "item_bank_version.not_null", W, "every wave names its item bank"),
    Rule("survey_waves", "invited_count.range", W, "invited_count, when known, ≥ 0"),
    Rule("survey_waves", "quarter_wave", E, "the quarter has a survey wave (wave_id = quarter)"),
    Rule("survey_waves", "item_bank_version.matches", W, "the wave used the item bank in use"),
    Rule("survey_items", "item_code.not_null", W, "every item has a code"),
    Rule("survey_items", "scale_max.above_min", W, "scale_max > scale_min"),
    Rule("survey_items", "is_reverse.accepted", W, "is_reverse is 0 or 1"),
    Rule("survey_responses", "response_id.not_null", E, "every response has a response_id"),
    Rule("survey_responses", "response_id.unique", E, "response_id identifies one response"),
    *_references(
        "survey_responses", "branch_code", "channel_code", "product_line_code", "policy_id"
    ),
    Rule("survey_responses", "responded_on.not_null", E, "every response has its date"),
    Rule("survey_responses", "responded_on.within_fieldwork", W, "answered during fieldwork"),
    Rule("survey_responses", "min_count", E, "enough respondents to estimate (suppress_below)"),
    Rule("survey_answers", "score.not_null", E, "every answer has an item and a score"),
    Rule("survey_answers", "response_id.item_code.unique", E, "one answer per response and item"),
    Rule("survey_answers", "item_code.in_item_bank", E, "every item is in the item bank file"),
    Rule("survey_answers", "score.within_scale", E, "every score lies within its item's scale"),
    Rule(
        "survey_answers",
        "score.plausible_for_scale",
        E,
        "answers use the item's scale, not only its lower half (a 1–10 item answered on 1–5)",
    ),
    Rule(
        "survey_answers",
        "coverage.csi",
        E,
        "the CSI has enough of its service dimensions with data (csi_min_dimensions)",
    ),
    Rule("survey_answers", "coverage.overall", E, "the overall-satisfaction items are answered"),
    Rule("survey_answers", "coverage.nps", E, "the recommend (NPS) item is answered"),
    Rule("feedback_texts", "feedback_id.not_null", E, "every text has a feedback_id"),
    Rule("feedback_texts", "feedback_id.unique", E, "feedback_id identifies one text"),
    Rule("feedback_texts", "source.accepted", E, "source is a listed channel"),
    *_references("feedback_texts", "branch_code"),
    Rule("feedback_texts", "body.not_null", E, "every text has a body"),
    _fresh("feedback_texts", W, "feedback texts"),
    Rule("mystery_shop_visits", "visit_id.not_null", E, "every visit has a visit_id"),
    Rule("mystery_shop_visits", "visit_id.unique", E, "visit_id identifies one visit"),
    *_references("mystery_shop_visits", "branch_code", "channel_code"),
    Rule("mystery_shop_visits", "scenario.not_null", E, "every visit has a scenario"),
    _fresh("mystery_shop_visits", W, "mystery-shop visits"),
    Rule("mystery_shop_results", "is_passed.accepted", E, "is_passed is 0 or 1"),
    Rule(
        "mystery_shop_results",
        "visit_id.checklist_item.unique",
        E,
        "one result per visit and checklist item",
    ),
    Rule("kpi_targets", "min_rows", W, "KPI targets exist (else no RAG status)"),
    Rule("kpi_targets", "valid_from.form", E, "valid_from is a quarter written YYYY-QN"),
    Rule("kpi_targets", "is_higher_better.accepted", E, "is_higher_better is 0 or 1"),
    Rule("kpi_targets", "amber_value.order", E, "the amber threshold is on the worse side"),
    Rule(
        "kpi_targets",
        "metric.scope.valid_from.unique",
        E,
        "one target per metric, scope and quarter",
    ),
)

RULES_BY_KEY: dict[str, Rule] = {rule.key: rule for rule in RULES}


def rule(relation: str, name: str) -> Rule:
    """The contract's rule; one the SQL reports but the contract lacks is a bug, never skipped."""
    key = f"{relation}.{name}"
    if key not in RULES_BY_KEY:
        raise KeyError(f"{key} is not a rule of the data contract (etl/contract/rules.py)")
    return RULES_BY_KEY[key]


def severities(overrides: Mapping[str, str]) -> dict[str, Severity | None]:
    """Each rule's severity after `[contract.severity]` ("error", "warning" or "off")."""
    chosen: dict[str, Severity | None] = {key: r.severity for key, r in RULES_BY_KEY.items()}
    for key, value in overrides.items():
        if key not in RULES_BY_KEY:
            raise ConfigError(
                f"contract.severity names {key!r}, which is not a rule of the data contract "
                "(docs/data-contract.md lists them as relation.rule)"
            )
        if value not in {"error", "warning", "off"}:
            raise ConfigError(
                f"contract.severity.{key} = {value!r}: expected 'error', 'warning' or 'off'"
            )
        chosen[key] = None if value == "off" else Severity(value)
    return chosen
