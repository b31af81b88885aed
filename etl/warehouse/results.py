"""The results store: upserting a quarter's figures and reading stored history."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from etl.core.results import ResultRow
from etl.warehouse.sqlfiles import read_query, statement


def plain(value: Any) -> Any:
    """numpy scalars and NaN → plain Python values the drivers accept (NaN → NULL)."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def replace_results(
    conn: Connection, quarter: str, rows: Iterable[ResultRow], run_id: str, scopes: Sequence[str]
) -> int:
    """Replace the quarter's results for `scopes` inside the caller's transaction.

    Metrics a rerun no longer produces for a scope are removed, so the table never mixes
    two runs' figures for one (quarter, scope).
    """
    payload = [
        {key: plain(value) for key, value in asdict(row).items()} | {"run_id": run_id}
        for row in rows
    ]
    if scopes:
        conn.execute(
            statement("store/results_delete_scopes", ("scopes",)),
            {"quarter": quarter, "scopes": list(scopes)},
        )
    if payload:
        conn.execute(statement("store/results_upsert"), payload)
    return len(payload)


def upsert_results(
    engine: Engine, quarter: str, rows: Iterable[ResultRow], run_id: str, scopes: Sequence[str]
) -> int:
    """Replace the quarter's results for `scopes` in one transaction of its own: all or nothing."""
    with engine.begin() as conn:
        return replace_results(conn, quarter, rows, run_id, scopes)


def read_results(
    engine: Engine | Connection, quarters: Sequence[str], scopes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Stored results for some quarters (and scopes), for trends and for the report."""
    params = {
        "quarters": list(quarters),
        "all_scopes": int(scopes is None),
        # An expanding bind needs one value at least; it is not read when all_scopes = 1.
        "scopes": list(scopes) if scopes else [""],
    }
    return read_query(engine, "store/results_for_quarters", params, ("quarters", "scopes"))
