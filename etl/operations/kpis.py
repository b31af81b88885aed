"""Operational KPIs computed in the warehouse (one SQL file per KPI family) → result rows.

Each family's query (sql/queries/kpi_*.sql) aggregates in the database and returns one row
per scope — the company, each branch, `channel.<code>` and `product.<code>` — with the KPI
values and their numerators and denominators; Python only turns those rows into ResultRows.
A scope with a zero denominator (or no row at all) gets value NULL and flag "not_applicable".

What each row's n is (docs/metrics.md: every figure carries its n or denominator):

| metric | n |
| --- | --- |
| claim_cycle_days_mean / _median / _p90 | claims paid in the quarter |
| claim_closure_rate_12m | claims registered in the 12-month window (withdrawn excluded) |
| claim_paid_ratio | claims closed in the quarter (withdrawn excluded) |
| complaints_per_10k_policies / _per_100m_premium | complaints received (denominator in note) |
| complaint_on_time_rate | complaints due in the quarter |
| complaint_resolution_rate | complaints received in the quarter |
| persistency_13/25_count / _premium | policies in the cohort (cohort dates in note) |
| surrender_rate | policies in force at quarter start (basis in note) |
| mystery_shop_compliance | checklist items checked |
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from etl.core.periods import Quarter
from etl.core.results import ResultRow

NOT_APPLICABLE = "not_applicable"
SURRENDER_BASIS = (
    "count basis: policies surrendered in the quarter ÷ policies in force at quarter start "
    "(reserves are not held in the warehouse)"
)

Note = Callable[[Mapping[str, Any], Quarter], str | None]


@dataclass(frozen=True)
class Kpi:
    """One KPI: the family query it comes from, its value column and its n column."""

    metric: str
    query: str
    n_column: str
    note: Note | None = None

    @property
    def value_column(self) -> str:
        return self.metric


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (quarter bounds are firsts of months)."""
    index = day.year * 12 + (day.month - 1) - months
    return day.replace(year=index // 12, month=index % 12 + 1)


def _persistency_note(horizon: int) -> Note:
    def note(_record: Mapping[str, Any], quarter: Quarter) -> str:
        start = months_before(quarter.start, horizon)
        last = months_before(quarter.end, horizon) - dt.timedelta(days=1)
        return (
            f"cohort: regular-premium policies issued {start.isoformat()}–{last.isoformat()}; "
            f"retained = instalment {2 if horizon == 13 else 3} paid by "
            f"{quarter.last_day.isoformat()}"
        )

    return note


def _policies_note(record: Mapping[str, Any], quarter: Quarter) -> str:
    return (
        f"denominator: {int(record.get('policies_in_force') or 0)} policies in force at "
        f"{quarter.last_day.isoformat()}"
    )


def _premium_note(record: Mapping[str, Any], quarter: Quarter) -> str:
    premium = float(record.get("written_premium_cny") or 0.0)
    return (
        f"denominator: written premium {premium:.2f} CNY paid "
        f"{quarter.shift(-3).start.isoformat()}–{quarter.last_day.isoformat()}"
    )


def _surrender_note(_record: Mapping[str, Any], _quarter: Quarter) -> str:
    return SURRENDER_BASIS


KPIS: tuple[Kpi, ...] = (
    Kpi("claim_cycle_days_mean", "kpi_claim_cycle_time", "claims_paid"),
    Kpi("claim_cycle_days_median", "kpi_claim_cycle_time", "claims_paid"),
    Kpi("claim_cycle_days_p90", "kpi_claim_cycle_time", "claims_paid"),
    Kpi("claim_closure_rate_12m", "kpi_claim_outcomes", "registered_in_window"),
    Kpi("claim_paid_ratio", "kpi_claim_outcomes", "closed_in_quarter"),
    Kpi(
        "complaints_per_10k_policies",
        "kpi_complaint_volume",
        "complaints_received",
        _policies_note,
    ),
    Kpi(
        "complaints_per_100m_premium",
        "kpi_complaint_volume",
        "complaints_received",
        _premium_note,
    ),
    Kpi("complaint_on_time_rate", "kpi_complaint_handling", "complaints_due"),
    Kpi("complaint_resolution_rate", "kpi_complaint_handling", "complaints_received"),
    Kpi("persistency_13_count", "kpi_persistency", "cohort_13", _persistency_note(13)),
    Kpi("persistency_13_premium", "kpi_persistency", "cohort_13", _persistency_note(13)),
    Kpi("persistency_25_count", "kpi_persistency", "cohort_25", _persistency_note(25)),
    Kpi("persistency_25_premium", "kpi_persistency", "cohort_25", _persistency_note(25)),
    Kpi("surrender_rate", "kpi_surrender", "in_force_at_start", _surrender_note),
    Kpi("mystery_shop_compliance", "kpi_mystery_shop", "items_checked"),
)
KPI_METRICS: tuple[str, ...] = tuple(kpi.metric for kpi in KPIS)


def quarter_params(quarter: Quarter) -> dict[str, str]:
    """Bound parameters every KPI query takes: the quarter's half-open date range."""
    return {"quarter_start": quarter.start.isoformat(), "quarter_end": quarter.end.isoformat()}


def family_params(quarter: Quarter) -> dict[str, dict[str, str]]:
    """Each family query's bound parameters for the quarter (ISO dates, half-open ranges)."""
    base = quarter_params(quarter)
    # Rolling 12 months = this quarter and the three before it.
    twelve_months = {"window_start": quarter.shift(-3).start.isoformat()}
    return {
        "kpi_claim_cycle_time": base,
        "kpi_claim_outcomes": base | twelve_months,
        "kpi_complaint_volume": base | {"premium_window_start": twelve_months["window_start"]},
        "kpi_complaint_handling": base,
        "kpi_persistency": {
            "quarter_end": base["quarter_end"],
            "cohort13_start": months_before(quarter.start, 13).isoformat(),
            "cohort13_end": months_before(quarter.end, 13).isoformat(),
            "cohort25_start": months_before(quarter.start, 25).isoformat(),
            "cohort25_end": months_before(quarter.end, 25).isoformat(),
        },
        "kpi_surrender": base,
        "kpi_mystery_shop": base,
    }


def _number(value: Any) -> float | None:
    """A database number (Decimal on PostgreSQL) as float; NULL stays None."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def family_rows(
    kpis: Sequence[Kpi], frame: pd.DataFrame, quarter: Quarter, scopes: Sequence[str]
) -> list[ResultRow]:
    """Result rows of one family's KPIs for every scope from the family query's frame."""
    by_scope = {record["scope"]: record for record in frame.to_dict("records")}
    rows = []
    for scope in scopes:
        record = by_scope.get(scope, {})
        for kpi in kpis:
            value = _number(record.get(kpi.value_column))
            n = int(_number(record.get(kpi.n_column)) or 0)
            rows.append(
                ResultRow(
                    str(quarter),
                    scope,
                    kpi.metric,
                    value,
                    n=n,
                    # A zero denominator (or no data in the scope) is "not applicable", not 0.
                    flag=NOT_APPLICABLE if value is None else None,
                    note=kpi.note(record, quarter) if kpi.note else None,
                )
            )
    return rows


def kpi_results(
    families: Mapping[str, pd.DataFrame],
    quarter: Quarter,
    scopes: Sequence[str],
    segment_scopes: Sequence[str] = (),
) -> list[ResultRow]:
    """Every KPI for `scopes` plus the channel and product-line segment scopes.

    `families` holds each family query's rows (see `family_params`): the warehouse does the
    aggregation in SQL, this turns its rows into result rows without touching the database.
    """
    all_scopes = list(dict.fromkeys([*scopes, *segment_scopes]))
    rows: list[ResultRow] = []
    for query in family_params(quarter):
        kpis = [kpi for kpi in KPIS if kpi.query == query]
        rows += family_rows(kpis, families[query], quarter, all_scopes)
    return rows


TREND_COLUMNS = ("value", "lower_bound", "upper_bound", "n", "flag", "note")


def kpi_trend(
    results: pd.DataFrame, metric: str, scope: str, quarters: Sequence[Quarter | str]
) -> pd.DataFrame:
    """A metric's stored history for one scope: one row per quarter, oldest first.

    `results` is the results table as read by `read_results`. A quarter with nothing stored
    keeps its row with value NaN and stored False, so a chart shows a gap, not a join.
    """
    ordered = sorted(q if isinstance(q, Quarter) else Quarter.parse(q) for q in quarters)
    labels = [str(q) for q in ordered]
    picked = results[(results["metric"] == metric) & (results["scope"] == scope)]
    picked = picked.drop_duplicates("quarter", keep="last").set_index("quarter")
    trend = pd.DataFrame({"quarter": labels})
    for column in TREND_COLUMNS:
        source = picked[column] if column in picked.columns else pd.Series(dtype=object)
        trend[column] = [source.get(label) for label in labels]
    trend["value"] = pd.to_numeric(trend["value"], errors="coerce").astype(float)
    trend["stored"] = [label in picked.index for label in labels]
    return trend
