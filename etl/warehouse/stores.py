"""Small helpers of the results store: named writes, plain records, late-added tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl.warehouse.results import plain
from etl.warehouse.sqlfiles import apply_store_schema, query_text, read_query


def ensure_schema(engine: Engine) -> None:
    """Create the results store's tables where they are missing (a new or older store)."""
    apply_store_schema(engine)


def execute(engine: Engine, name: str, params: Mapping[str, Any] | list[dict[str, Any]]) -> None:
    """Run a write statement from `sql/queries/<name>.sql` in its own transaction."""
    with engine.begin() as conn:
        conn.execute(sa.text(query_text(name)), params)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A query result as plain dicts, NULLs as None (pandas reads them as NaN)."""
    return [
        {key: plain(value) for key, value in row.items()} for row in frame.to_dict(orient="records")
    ]


def read_latest_revision(
    engine: Engine, quarter: str, scope: str, language: str
) -> dict[str, Any] | None:
    """The newest stored revision row of a report, or None before its first render."""
    params = {"quarter": quarter, "scope": scope, "language": language}
    rows = records(read_query(engine, "delivery_revision_latest", params))
    return rows[0] if rows else None


def read_headline_figures(engine: Engine, quarter: str) -> dict[str, dict[str, Any]]:
    """CSI, NPS, CSAT and respondents per scope; suppressed figures are None."""
    figures: dict[str, dict[str, Any]] = {}
    for row in records(read_query(engine, "delivery_headline", {"quarter": quarter})):
        entry = figures.setdefault(str(row["scope"]), {})
        entry[row["metric"]] = None if row["flag"] == "suppressed" else row["value"]
        if row["metric"] != "respondents":
            entry[f"{row['metric']}_flag"] = row["flag"]
    return figures
