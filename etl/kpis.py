"""Operational KPIs computed in the warehouse (one SQL file per KPI family) → result rows."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Engine

from etl.periods import Quarter
from etl.warehouse import ResultRow, read_query


def quarter_params(quarter: Quarter) -> dict[str, str]:
    """Bound parameters every KPI query takes: the quarter's half-open date range."""
    return {"quarter_start": quarter.start.isoformat(), "quarter_end": quarter.end.isoformat()}


def claim_cycle_time(engine: Engine, quarter: Quarter, scopes: Sequence[str]) -> list[ResultRow]:
    """Days from report to payment for claims paid in the quarter: mean, median, P90."""
    frame = read_query(engine, "claim_cycle_time", quarter_params(quarter)).set_index("scope")
    rows = []
    for scope in scopes:
        if scope not in frame.index:
            # No claim paid in this scope: not applicable, not zero.
            for stat in ("mean", "median", "p90"):
                rows.append(
                    ResultRow(
                        str(quarter),
                        scope,
                        f"claim_cycle_days_{stat}",
                        None,
                        n=0,
                        flag="not_applicable",
                    )
                )
            continue
        record = frame.loc[scope]
        for stat in ("mean", "median", "p90"):
            rows.append(
                ResultRow(
                    str(quarter),
                    scope,
                    f"claim_cycle_days_{stat}",
                    float(record[f"cycle_days_{stat}"]),
                    n=int(record["claims_paid"]),
                )
            )
    return rows


def kpi_results(engine: Engine, quarter: Quarter, scopes: Sequence[str]) -> list[ResultRow]:
    """Every KPI for every scope of the quarter."""
    return claim_cycle_time(engine, quarter, scopes)
