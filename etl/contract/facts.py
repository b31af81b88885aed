"""Quarter rules judged on counts: minimum rows for the quarter and freshness."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from etl.contract.findings import Found
from etl.core.periods import Quarter

# The code lists every other relation refers to (checked together by code_lists.sql).
CODE_LISTS = ("branches", "channels", "product_lines")
# Relations a run cannot do without: an empty one stops it.
REQUIRED = CODE_LISTS
# Relations whose latest date must reach the quarter's end (data present up to it).
FRESH = (
    "policies",
    "premium_payments",
    "claims",
    "complaints",
    "feedback_texts",
    "mystery_shop_visits",
)


@dataclass(frozen=True)
class FactLimits:
    """The quarter's minimum respondents and how close to its end data must reach."""

    min_respondents: int
    freshness_days: int


def fact_findings(facts: pd.DataFrame, quarter: Quarter, limits: FactLimits) -> list[Found]:
    """Empty relations, a missing wave, too few respondents and stale relations."""
    rows = {r.relation: int(r.quarter_rows) for r in facts.itertuples()}
    found = [Found(rel, "min_rows", 1, (), "no rows") for rel in REQUIRED if rows[rel] == 0]
    if rows["kpi_targets"] == 0:
        found.append(Found("kpi_targets", "min_rows", 1, (), "no targets: every KPI shows no RAG"))
    if rows["policies"] == 0:
        found.append(Found("policies", "in_force", 1, (), f"none in force at the end of {quarter}"))
    if rows["survey_waves"] == 0:
        found.append(
            Found("survey_waves", "quarter_wave", 1, (str(quarter),), f"no wave_id '{quarter}'")
        )
    elif rows["survey_responses"] < limits.min_respondents:
        found.append(
            Found(
                "survey_responses",
                "min_count",
                rows["survey_responses"],
                (str(quarter),),
                f"{rows['survey_responses']} responses in wave {quarter}, "
                f"fewer than {limits.min_respondents}",
            )
        )
    last_day = quarter.end - dt.timedelta(days=1)
    for relation in FRESH:
        if rows["policies_recent" if relation == "policies" else relation] == 0:
            found.append(
                Found(
                    relation,
                    "fresh",
                    1,
                    (),
                    f"no rows dated {fresh_from(quarter, limits).isoformat()}–"
                    f"{last_day.isoformat()}, the last {limits.freshness_days} days of {quarter}",
                )
            )
    return found


def fresh_from(quarter: Quarter, limits: FactLimits) -> dt.date:
    """The first day of the quarter's last `freshness_days` days."""
    return quarter.end - dt.timedelta(days=limits.freshness_days)
