"""Quarter rules judged on counts: minimum rows for the quarter and freshness."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from etl.contract.findings import Found
from etl.core.periods import Quarter

# Relations a run cannot do without: an empty one stops it.
REQUIRED = ("branches", "channels", "product_lines")
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


def _latest(value: object) -> dt.date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return dt.date.fromisoformat(str(value)[:10])


def fact_findings(facts: pd.DataFrame, quarter: Quarter, limits: FactLimits) -> list[Found]:
    """Empty relations, a missing wave, too few respondents and stale relations."""
    rows = {r.relation: (int(r.quarter_rows), _latest(r.latest_on)) for r in facts.itertuples()}
    found = [Found(rel, "min_rows", 1, (), "no rows") for rel in REQUIRED if rows[rel][0] == 0]
    if rows["kpi_targets"][0] == 0:
        found.append(Found("kpi_targets", "min_rows", 1, (), "no targets: every KPI shows no RAG"))
    if rows["policies"][0] == 0:
        found.append(Found("policies", "in_force", 1, (), f"none in force at the end of {quarter}"))
    if rows["survey_waves"][0] == 0:
        found.append(
            Found("survey_waves", "quarter_wave", 1, (str(quarter),), f"no wave_id '{quarter}'")
        )
    elif rows["survey_responses"][0] < limits.min_respondents:
        found.append(
            Found(
                "survey_responses",
                "min_count",
                rows["survey_responses"][0],
                (str(quarter),),
                f"{rows['survey_responses'][0]} responses in wave {quarter}, "
                f"fewer than {limits.min_respondents}",
            )
        )
    due = quarter.end - dt.timedelta(days=limits.freshness_days + 1)
    for relation in FRESH:
        _count, latest = rows[relation]
        if latest is None or latest < due:
            seen = f"latest {latest.isoformat()}" if latest else "no rows in the quarter"
            found.append(
                Found(
                    relation,
                    "fresh",
                    1,
                    (),
                    f"{seen}; expected data within {limits.freshness_days} days of "
                    f"{(quarter.end - dt.timedelta(days=1)).isoformat()}",
                )
            )
    return found
