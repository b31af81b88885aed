"""Run the data contract against a warehouse: SQL pushed down, survey scales in memory."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.engine import Connection, Engine

from etl.contract.facts import CODE_LISTS, FactLimits, fact_findings, fresh_from
from etl.contract.findings import ContractReport, Failure, Found
from etl.contract.rules import rule, severities
from etl.contract.survey import SurveyLimits, survey_findings
from etl.core.config import ItemBank, Settings
from etl.core.periods import Quarter
from etl.warehouse import SOURCE_RELATIONS, read_query, reading

log = logging.getLogger(__name__)

# The row rules: one SQL statement per relation (sql/contract/<relation>.sql), and one for the
# three code lists together (sql/contract/code_lists.sql, whose rules carry their relation).
ROW_RULE_FILES = ("code_lists", *(r for r in SOURCE_RELATIONS if r not in CODE_LISTS))


@dataclass(frozen=True)
class ContractSettings:
    """The thresholds and severities of `[contract]` and `[suppression]` in the settings."""

    freshness_days: int
    csi_min_dimensions: int
    min_answers: int
    severity_overrides: dict[str, str]

    @classmethod
    def from_settings(cls, settings: Settings) -> ContractSettings:
        raw = settings.raw.get("contract", {})
        return cls(
            freshness_days=int(raw.get("freshness_days", 14)),
            csi_min_dimensions=int(raw.get("csi_min_dimensions", 3)),
            min_answers=int(settings.suppression["suppress_below"]),
            severity_overrides=dict(raw.get("severity", {})),
        )


def quarter_params(quarter: Quarter) -> dict[str, str]:
    """Bound parameters of the contract's SQL: the wave, the quarter and its 12 months."""
    return {
        "wave_id": str(quarter),
        "quarter_start": quarter.start.isoformat(),
        "quarter_end": quarter.end.isoformat(),
        "window_start": quarter.shift(-3).start.isoformat(),
    }


def row_findings(engine: Engine | Connection, quarter: Quarter) -> list[Found]:
    """The row rules of every relation, each relation in one SQL statement."""
    params = quarter_params(quarter)
    found = []
    for statement in ROW_RULE_FILES:
        frame = read_query(engine, f"contract/{statement}", params)
        for name, group in frame.groupby("rule", sort=True):
            relation, rule_name = split_rule(statement, str(name))
            examples = tuple(str(key) for key in group["example_key"])
            found.append(Found(relation, rule_name, int(group["failed"].iloc[0]), examples))
    return found


def split_rule(statement: str, name: str) -> tuple[str, str]:
    """(relation, rule): a statement of one relation names its rules; a shared one the keys."""
    if statement in SOURCE_RELATIONS:
        return statement, name
    relation, rule_name = name.split(".", 1)
    return relation, rule_name


def answer_examples(
    engine: Engine | Connection, quarter: Quarter, found: Found, bank: ItemBank
) -> Found:
    """Up to five response/item keys of answers outside their scale (fetched only on failure)."""
    items = bank.by_code()
    keys: list[str] = []
    for code in found.examples:
        item = items[code]
        frame = read_query(
            engine,
            "contract/survey_answer_examples",
            {
                "wave_id": str(quarter),
                "item_code": code,
                "scale_min": item.scale_min,
                "scale_max": item.scale_max,
            },
        )
        keys += [f"{r.response_id}/{r.item_code}={r.score}" for r in frame.itertuples()]
    return Found(found.relation, found.rule, found.failed, tuple(keys[:5]), found.detail)


def judge(found: list[Found], quarter: Quarter, overrides: dict[str, str]) -> ContractReport:
    """Give each finding its rule's severity and meaning; rules turned off are dropped."""
    chosen = severities(overrides)
    failures = []
    for item in found:
        contract_rule = rule(item.relation, item.rule)
        severity = chosen[contract_rule.key]
        if severity is None:
            continue
        message = contract_rule.meaning + (f": {item.detail}" if item.detail else "")
        failures.append(
            Failure(item.relation, item.rule, severity, item.failed, item.examples, message)
        )
    active = sum(1 for value in chosen.values() if value is not None)
    return ContractReport(str(quarter), active, tuple(failures))


def check_warehouse(
    engine: Engine, quarter: Quarter, bank: ItemBank, settings: Settings
) -> ContractReport:
    """Every rule of the data contract for one quarter; nothing is written anywhere.

    All statements run on one connection (`reading`: on PostgreSQL without JIT compilation).
    """
    limits = ContractSettings.from_settings(settings)
    with reading(engine) as conn:
        found = warehouse_findings(conn, quarter, bank, limits)
    report = judge(found, quarter, limits.severity_overrides)
    # The caller reports the failures (the check command prints them; a run raises on errors
    # and logs warnings): here they are only traced.
    for failure in report.failures:
        log.info("%s", failure.line())
    log.info(report.summary())
    return report


def warehouse_findings(
    conn: Connection, quarter: Quarter, bank: ItemBank, limits: ContractSettings
) -> list[Found]:
    """What every rule finds: quarter facts, row rules, the survey's distribution, versions."""
    fact_limits = FactLimits(limits.min_answers, limits.freshness_days)
    facts = read_query(
        conn,
        "contract/quarter_facts",
        quarter_params(quarter) | {"fresh_from": fresh_from(quarter, fact_limits).isoformat()},
    )
    found = fact_findings(facts, quarter, fact_limits)
    found += row_findings(conn, quarter)
    distribution = read_query(
        conn, "contract/survey_answer_distribution", {"wave_id": str(quarter)}
    )
    survey = survey_findings(
        distribution, bank, SurveyLimits(limits.min_answers, limits.csi_min_dimensions)
    )
    found += [
        answer_examples(conn, quarter, f, bank) if f.rule == "score.within_scale" else f
        for f in survey
    ]
    return found + version_findings(conn, quarter, bank)


def version_findings(engine: Engine | Connection, quarter: Quarter, bank: ItemBank) -> list[Found]:
    """The quarter's wave should name the item bank the run scores with."""
    waves = read_query(engine, "contract/survey_wave_versions", {"wave_id": str(quarter)})
    other = sorted(set(waves["item_bank_version"].dropna().astype(str)) - {bank.version})
    if waves.empty or not other:
        return []
    return [
        Found(
            "survey_waves",
            "item_bank_version.matches",
            1,
            (str(quarter),),
            f"wave {quarter} used {', '.join(other)}; the item bank file is {bank.version} "
            "(SATISFACTION_ITEM_BANK)",
        )
    ]
