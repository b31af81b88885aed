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
| mystery_shop_compliance | visits (the base a low-base flag judges; items in the note) |
| claims_open_aged / _share | claims open at quarter end |
| complaints_withdrawn | complaints received in the quarter |

The conventions a KPI depends on are settings (`[kpis]`, see `KpiConventions`): the premium
basis of complaints per premium, the grace period of persistency and the age from which an
open claim counts as aged. Low-base flags (`[kpis.low_base]`): a KPI whose base is under its
threshold is flagged "low_base", is not coloured against its target and is never picked as a
strength or weakness — four mystery-shop visits do not make a compliance rate.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from etl.core.config import ConfigError
from etl.core.periods import Quarter
from etl.core.results import ResultRow
from etl.core.scopes import is_branch_segment

NOT_APPLICABLE = "not_applicable"
LOW_BASE = "low_base"
SURRENDER_BASIS = (
    "count basis: policies surrendered in the quarter ÷ policies in force at quarter start "
    "(reserves are not held in the warehouse)"
)

Note = Callable[[Mapping[str, Any], Quarter], str | None]
PREMIUM_BASES = ("written", "collected")


@dataclass(frozen=True)
class KpiConventions:
    """The KPI conventions that are settings, each named in the methodology appendix."""

    premium_basis: str = "written"  # written (booked, due in the window) | collected (paid)
    persistency_grace_days: int = 60  # statutory grace period of a regular premium
    claim_aged_days: int = 30  # an open claim older than this at quarter end is aged
    low_base: Mapping[str, int] = field(default_factory=dict)  # metric → low_base_below


def kpi_conventions(raw: Mapping[str, Any]) -> KpiConventions:
    """Read [kpis]; an error names the key and the rule broken."""
    section = dict(raw.get("kpis", {}))
    conventions = KpiConventions(
        premium_basis=str(section.get("premium_basis", "written")),
        persistency_grace_days=int(section.get("persistency_grace_days", 60)),
        claim_aged_days=int(section.get("claim_aged_days", 30)),
        low_base={str(k): int(v) for k, v in dict(section.get("low_base", {})).items()},
    )
    if conventions.premium_basis not in PREMIUM_BASES:
        raise ConfigError(
            f"settings [kpis] premium_basis: must be one of {PREMIUM_BASES}, "
            f"got {conventions.premium_basis!r}"
        )
    for key in ("persistency_grace_days", "claim_aged_days"):
        if getattr(conventions, key) < 0:
            raise ConfigError(
                f"settings [kpis] {key}: must be ≥ 0, got {getattr(conventions, key)}"
            )
    bad = {k: v for k, v in conventions.low_base.items() if v < 0}
    if bad:
        raise ConfigError(f"settings [kpis.low_base]: thresholds must be ≥ 0, got {bad}")
    return conventions


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
    def note(record: Mapping[str, Any], quarter: Quarter) -> str:
        start = months_before(quarter.start, horizon)
        last = months_before(quarter.end, horizon) - dt.timedelta(days=1)
        grace = int(record.get("grace_days") or 0)
        return (
            f"cohort: regular-premium policies issued {start.isoformat()}–{last.isoformat()}; "
            f"retained = in force at month {horizon} with instalment "
            f"{2 if horizon == 13 else 3} paid within {grace} days of its due date "
            f"(by {quarter.last_day.isoformat()})"
        )

    return note


def _policies_note(record: Mapping[str, Any], quarter: Quarter) -> str:
    return (
        f"denominator: {int(record.get('policies_in_force') or 0)} policies in force at "
        f"{quarter.last_day.isoformat()}"
    )


def _premium_note(record: Mapping[str, Any], quarter: Quarter) -> str:
    premium = float(record.get("written_premium_cny") or 0.0)
    basis = record.get("premium_basis") or "written"
    what = "written premium (due)" if basis == "written" else "collected premium (paid)"
    return (
        f"denominator: {what} {premium:.2f} CNY "
        f"{quarter.shift(-3).start.isoformat()}–{quarter.last_day.isoformat()}"
    )


def _aged_note(record: Mapping[str, Any], quarter: Quarter) -> str:
    return (
        f"claims open at {quarter.last_day.isoformat()} for more than "
        f"{int(record.get('aged_days') or 0)} days, of {int(record.get('claims_open') or 0)} open"
    )


def _visits_note(record: Mapping[str, Any], _quarter: Quarter) -> str:
    return (
        f"{int(record.get('visits') or 0)} visits, {int(record.get('items_checked') or 0)} "
        "checklist items"
    )


def _withdrawn_note(record: Mapping[str, Any], _quarter: Quarter) -> str:
    return (
        f"{int(record.get('complaints_withdrawn') or 0)} withdrawn of "
        f"{int(record.get('complaints_received') or 0)} received: in neither term of the "
        "resolution rate"
    )


def _surrender_note(_record: Mapping[str, Any], _quarter: Quarter) -> str:
    return SURRENDER_BASIS


KPIS: tuple[Kpi, ...] = (
    Kpi("claim_cycle_days_mean", "kpi_claim_cycle_time", "claims_paid"),
    Kpi("claim_cycle_days_median", "kpi_claim_cycle_time", "claims_paid"),
    Kpi("claim_cycle_days_p90", "kpi_claim_cycle_time", "claims_paid"),
    Kpi("claims_open_aged", "kpi_claim_open", "claims_open", _aged_note),
    Kpi("claims_open_aged_share", "kpi_claim_open", "claims_open", _aged_note),
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
    Kpi(
        "complaint_resolution_rate",
        "kpi_complaint_handling",
        "complaints_not_withdrawn",
        _withdrawn_note,
    ),
    Kpi("complaints_withdrawn", "kpi_complaint_handling", "complaints_received", _withdrawn_note),
    Kpi("persistency_13_count", "kpi_persistency", "cohort_13", _persistency_note(13)),
    Kpi("persistency_13_premium", "kpi_persistency", "cohort_13", _persistency_note(13)),
    Kpi("persistency_25_count", "kpi_persistency", "cohort_25", _persistency_note(25)),
    Kpi("persistency_25_premium", "kpi_persistency", "cohort_25", _persistency_note(25)),
    Kpi("surrender_rate", "kpi_surrender", "in_force_at_start", _surrender_note),
    Kpi("mystery_shop_compliance", "kpi_mystery_shop", "visits", _visits_note),
)
KPI_METRICS: tuple[str, ...] = tuple(kpi.metric for kpi in KPIS)


def quarter_params(quarter: Quarter) -> dict[str, str]:
    """Bound parameters every KPI query takes: the quarter's half-open date range."""
    return {"quarter_start": quarter.start.isoformat(), "quarter_end": quarter.end.isoformat()}


def family_params(
    quarter: Quarter, conventions: KpiConventions | None = None
) -> dict[str, dict[str, Any]]:
    """Each family query's bound parameters for the quarter (ISO dates, half-open ranges)."""
    conventions = conventions or KpiConventions()
    base: dict[str, Any] = dict(quarter_params(quarter))
    aged_before = quarter.end - dt.timedelta(days=conventions.claim_aged_days)
    # Rolling 12 months = this quarter and the three before it.
    twelve_months = {"window_start": quarter.shift(-3).start.isoformat()}
    return {
        "kpi_claim_cycle_time": base,
        "kpi_claim_open": {
            "quarter_end": base["quarter_end"],
            "aged_before": aged_before.isoformat(),
        },
        "kpi_claim_outcomes": base | twelve_months,
        "kpi_complaint_volume": base
        | {
            "premium_window_start": twelve_months["window_start"],
            "premium_basis": conventions.premium_basis,
        },
        "kpi_complaint_handling": base,
        "kpi_persistency": {
            "quarter_end": base["quarter_end"],
            "cohort13_start": months_before(quarter.start, 13).isoformat(),
            "cohort13_end": months_before(quarter.end, 13).isoformat(),
            "cohort25_start": months_before(quarter.start, 25).isoformat(),
            "cohort25_end": months_before(quarter.end, 25).isoformat(),
            "grace_days": conventions.persistency_grace_days,
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


def kpi_flag(value: float | None, n: int, low_base_below: int | None) -> str | None:
    """not_applicable without a value; low_base when the base is under its threshold."""
    if value is None:
        # A zero denominator (or no data in the scope) is "not applicable", not 0.
        return NOT_APPLICABLE
    if low_base_below is not None and n < low_base_below:
        return LOW_BASE
    return None


def family_rows(
    kpis: Sequence[Kpi],
    frame: pd.DataFrame,
    quarter: Quarter,
    scopes: Sequence[str],
    conventions: KpiConventions | None = None,
) -> list[ResultRow]:
    """Result rows of one family's KPIs for every scope from the family query's frame."""
    conventions = conventions or KpiConventions()
    by_scope = {record["scope"]: record for record in frame.to_dict("records")}
    settings = {
        "grace_days": conventions.persistency_grace_days,
        "premium_basis": conventions.premium_basis,
        "aged_days": conventions.claim_aged_days,
    }
    rows = []
    for scope in scopes:
        record = by_scope.get(scope, {}) | settings
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
                    flag=kpi_flag(value, n, conventions.low_base.get(kpi.metric)),
                    note=kpi.note(record, quarter) if kpi.note else None,
                )
            )
    return rows


def kpi_results(
    families: Mapping[str, pd.DataFrame],
    quarter: Quarter,
    scopes: Sequence[str],
    segment_scopes: Sequence[str] = (),
    conventions: KpiConventions | None = None,
) -> list[ResultRow]:
    """Every KPI for `scopes` plus the channel and product-line segment scopes.

    Families whose query also returns `<branch>.channel.<code>` and `<branch>.product.<code>`
    rows (claim cycle, complaint volume, persistency) get those branch segments too.

    `families` holds each family query's rows (see `family_params`): the warehouse does the
    aggregation in SQL, this turns its rows into result rows without touching the database.
    """
    all_scopes = list(dict.fromkeys([*scopes, *segment_scopes]))
    rows: list[ResultRow] = []
    for query in family_params(quarter):
        kpis = [kpi for kpi in KPIS if kpi.query == query]
        frame = families[query]
        # A branch's own channels and product lines, where the family's query gives them.
        own = sorted(
            str(scope) for scope in frame.get("scope", pd.Series(dtype=str))
            if is_branch_segment(str(scope))
        )  # fmt: skip
        rows += family_rows(kpis, frame, quarter, [*all_scopes, *own], conventions)
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
